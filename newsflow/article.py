"""The one record that flows through every stage: an extracted news article."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Via(StrEnum):
    """Where an article's text was read (``articles.via``); NULL in the table means the site."""

    SITE = "site"
    WEB_ARCHIVE = "web-archive"  # a capture in a Wayback-style archive (newsflow.webarchive)
    WARC = "warc"  # a record of an imported WARC file


@dataclass(frozen=True, slots=True)
class Article:
    """A clean article as extracted from one page.

    ``published_at`` is timezone-aware and keeps the offset the page gave (or the
    agency's zone filled in); ``provenance`` says, per field, which page element a
    value came from (``jsonld.datePublished``, ``meta[article:published_time]``,
    ``h1``, ``rule:last_paragraph`` …).
    """

    url: str
    title: str
    body: str
    language: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    provenance: Mapping[str, str] = field(default_factory=dict)
    # Where the text was read: the site (None), a web archive's capture or a WARC record.
    via: Via | None = None
    capture_url: str | None = None
    captured_at: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("published_at", "modified_at", "captured_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Article.{name} must be timezone-aware, got {value!r}")
        # Freeze the provenance so the record is immutable all the way down.
        object.__setattr__(self, "provenance", MappingProxyType(dict(self.provenance)))

    def __reduce__(self) -> tuple[type[Article], tuple[Any, ...]]:
        """Pickled through the constructor with a plain dict (a mappingproxy does not pickle),
        so an article crosses to and from worker processes (re-processing's extraction pool)."""
        values = (getattr(self, f.name) for f in fields(self))
        return Article, tuple(dict(v) if isinstance(v, MappingProxyType) else v for v in values)

    @property
    def published_utc(self) -> datetime | None:
        """Publication instant in UTC."""
        return self.published_at.astimezone(UTC) if self.published_at else None

    @property
    def utc_offset_minutes(self) -> int | None:
        """The page's own UTC offset for ``published_at``, in minutes."""
        if self.published_at is None:
            return None
        offset = self.published_at.utcoffset()
        return int(offset.total_seconds() // 60) if offset is not None else None

    @property
    def paragraphs(self) -> list[str]:
        """Body paragraphs (blank-line separated)."""
        return [p for p in self.body.split("\n\n") if p.strip()]

    @property
    def content_hash(self) -> str:
        """Stable hash of what the article says, insensitive to whitespace and Unicode forms."""
        text = unicodedata.normalize("NFKC", f"{self.title}\n{self.body}")
        text = " ".join(text.split()).casefold()
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def evolve(self, **changes: Any) -> Article:
        """A copy with some fields changed (records are frozen)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready representation."""
        return {
            "url": self.url,
            "source": self.source,
            "title": self.title,
            "body": self.body,
            "language": self.language,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "modified_at": self.modified_at.isoformat() if self.modified_at else None,
            "authors": list(self.authors),
            "dateline": self.dateline,
            "section": self.section,
            "tags": list(self.tags),
            "provenance": dict(self.provenance),
            "via": self.via,
            "capture_url": self.capture_url,
            "captured_at": self.captured_at.isoformat() if self.captured_at else None,
        }
