"""The raw record a fetch produces, before extraction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from newsflow.charset import decode_document


class PageKind(StrEnum):
    """What a fetched URL was requested as."""

    FEED = "feed"
    SITEMAP = "sitemap"
    LISTING = "listing"
    ARTICLE = "article"
    ROBOTS = "robots"


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """One HTTP response as received: kept raw so any stage can re-run later."""

    url: str
    final_url: str
    status: int
    kind: PageKind
    fetched_at: datetime
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body_sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def text(self) -> str:
        """The body as text: BOM, HTTP charset, ``<meta>`` declaration, then detection."""
        return decode_document(self.body, self.header("Content-Type"))[1]

    def header(self, name: str) -> str | None:
        """A response header by case-insensitive name (stored pages keep the server's case)."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)
