"""RSS/Atom feeds to discovered article URLs, tolerant of the malformed XML agencies serve."""

from __future__ import annotations

import calendar
import io
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
from newsflow.crawlers.discovery import Discovered, absolute_url

from newsflow.charset import as_utf8

# feedparser drops entity declarations only where they start a line; one-line "billion laughs"
# bombs reach expat, whose amplification limit stops them only after seconds of expansion.
_ENTITY = b"<!ENTITY"
# The rest of a declaration: up to the first ">" outside quotes (possessive: linear time).
_DECLARATION_END = re.compile(rb"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")
# Numeric references; feedparser's fallback parser raises on those naming no character.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+);|([0-9]+);?)")
_REPLACEMENT_CHAR = b"&#xFFFD;"


class FeedError(ValueError):
    """A feed that is not well-formed and yields no item at all."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's items, plus what was wrong with it when the parser had to recover."""

    items: tuple[Discovered, ...]
    problem: str | None = None

    @property
    def newest(self) -> datetime | None:
        """The latest item date, for the feed's health row."""
        dates = [i.date for i in self.items if isinstance(i.date, datetime)]
        return max(dates, default=None)


def parse_feed(body: bytes, base_url: str, content_type: str = "application/xml") -> ParsedFeed:
    """The items of an RSS/Atom feed; raise FeedError when nothing usable is in it."""
    # Decoded here, as pages are, then handed over as declared UTF-8: feedparser alone
    # reads an undeclared windows-1251 feed as windows-1252 and flags text/xml as us-ascii.
    media_type = content_type.split(";")[0].strip() or "application/xml"
    headers = {"content-location": base_url, "content-type": f"{media_type}; charset=utf-8"}
    # A stream, never bytes: feedparser opens bytes that name a local file and reads that.
    stream = io.BytesIO(_defused(as_utf8(body, content_type)))
    parsed = feedparser.parse(stream, response_headers=headers)
    problem = _bozo_reason(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    links = (
        (absolute_url(base_url, e["link"]) if e.get("link") else None, e) for e in parsed.entries
    )
    items = tuple(
        Discovered(url, _entry_date(entry), _updated(entry)) for url, entry in links if url
    )
    if not items and problem:
        raise FeedError(f"feed is not usable: {problem}")
    if not items and not parsed.get("version"):
        raise FeedError("not an RSS or Atom feed")
    return ParsedFeed(items, problem)


def _defused(xml: bytes) -> bytes:
    """The feed without what feedparser cannot be trusted with: entities, impossible characters."""
    return _CHAR_REF.sub(_char_ref, _without_entities(xml))


def _char_ref(ref: re.Match[bytes]) -> bytes:
    """A reference to a surrogate or to beyond U+10FFFF becomes U+FFFD, as browsers read it."""
    digits = (ref[1] or ref[2]).lstrip(b"0") or b"0"
    if len(digits) > 7:  # longer than any code point, in hex or decimal
        return _REPLACEMENT_CHAR
    code = int(digits, 16 if ref[1] else 10)
    return ref[0] if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else _REPLACEMENT_CHAR


def _without_entities(xml: bytes) -> bytes:
    """The feed without its entity declarations: an RSS or Atom feed needs none."""
    head, *declarations = xml.split(_ENTITY)
    kept = [head]
    for rest in declarations:
        end = _DECLARATION_END.match(rest)
        # An unterminated declaration stays: expat rejects it without expanding anything.
        kept.append(rest[end.end() :] if end else _ENTITY + rest)
    return b"".join(kept)


def _bozo_reason(exc: Exception | None) -> str | None:
    # Servers label feeds text/html all the time; that alone is no problem with the feed.
    if isinstance(exc, feedparser.NonXMLContentType):
        return None
    return f"{type(exc).__name__}: {exc}" if exc else "malformed feed"


def _entry_date(entry: Any) -> datetime | None:
    # feedparser normalises pubDate/updated to UTC struct_time.
    return _utc(entry.get("published_parsed") or entry.get("updated_parsed"))


def _updated(entry: Any) -> datetime | None:
    # Read past feedparser's mapping, which answers a missing <updated> with the pubDate.
    return _utc(dict.get(entry, "updated_parsed"))


def _utc(stamp: time.struct_time | None) -> datetime | None:
    if stamp is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC)
    except (ValueError, OverflowError, OSError):  # years 0 or 10000 once moved to UTC
        return None
