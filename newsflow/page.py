"""The raw record a fetch produces, before extraction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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
        """The body decoded with the charset the server declared (UTF-8 otherwise)."""
        content_type = self.headers.get("Content-Type", "")
        charset = "utf-8"
        if "charset=" in content_type.lower():
            charset = content_type.lower().split("charset=")[-1].split(";")[0].strip() or charset
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")
