"""Sitemaps (index, urlset with lastmod, Google News) to discovered URLs with dates."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree
from newsflow.crawlers.discovery import Discovered, absolute_url

from newsflow.charset import as_utf8

_MONTH = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_/]?(0[1-9]|1[0-2])(?!\d)")
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_UNZIPPED = 50 * 1024 * 1024  # the sitemap protocol's own limit


@dataclass(frozen=True, slots=True)
class ParsedSitemap:
    """A sitemap index (entries are child sitemaps) or a urlset (entries are pages)."""

    is_index: bool
    entries: tuple[Discovered, ...]


def parse_sitemap(body: bytes, base_url: str, content_type: str | None = None) -> ParsedSitemap:
    """Entries of a sitemap; a news sitemap's publication date wins over lastmod."""
    root = etree.fromstring(as_utf8(_unzipped(body), content_type), parser=_PARSER)
    if root is None:
        raise ValueError("empty or unreadable sitemap")
    is_index = etree.QName(root).localname == "sitemapindex"
    wanted = "sitemap" if is_index else "url"
    entries = []
    for node in root:
        if isinstance(node.tag, str) and etree.QName(node).localname == wanted:
            found = _entry(node, base_url)
            if found is not None:
                entries.append(found)
    return ParsedSitemap(is_index, tuple(entries))


# Bodies reach the parser as UTF-8 (``as_utf8``), so its encoding overrides any declaration.
_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, huge_tree=False, encoding="utf-8"
)


def _unzipped(body: bytes) -> bytes:
    if not body.startswith(_GZIP_MAGIC):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            return stream.read(_MAX_UNZIPPED)
    except (OSError, EOFError, zlib.error) as exc:  # what the spider catches is ValueError
        raise ValueError(f"unreadable gzip: {exc}") from None


def _entry(node: etree._Element, base_url: str) -> Discovered | None:
    texts: dict[str, str] = {}
    for child in node.iter():
        if isinstance(child.tag, str) and child.text and child.text.strip():
            texts.setdefault(etree.QName(child).localname, child.text.strip())
    url = absolute_url(base_url, texts["loc"]) if "loc" in texts else None
    if url is None:
        return None
    published = texts.get("publication_date")
    modified = _parse_w3c(texts.get("lastmod"))
    date = _parse_w3c(published) if published else modified
    return Discovered(url, date, modified, changed_only=not published and modified is not None)


def _parse_w3c(text: str | None) -> datetime | date | None:
    """A W3C datetime (``2016-10-19``, ``2016-10-19T15:42:10+03:00``), or None if unreadable."""
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    # A time without a zone is no instant (W3C requires one), but its day is as written;
    # kept as a date, it cannot meet zoned times in comparisons.
    return stamp if stamp.tzinfo is not None else stamp.date()


def sitemap_month(url: str) -> tuple[int, int] | None:
    """The (year, month) a monthly child sitemap covers, read from its URL."""
    match = _MONTH.search(url)
    return (int(match[1]), int(match[2])) if match else None


def select_children(
    children: tuple[Discovered, ...], since: date | None, until: date | None
) -> list[Discovered]:
    """Child sitemaps worth fetching for a window: overlapping months, else recent lastmods."""
    months = {c.url: sitemap_month(c.url) for c in children}
    if any(months.values()):
        # A month-partitioned index: its undated children (taxonomies, pages) hold no posts.
        return [c for c in children if _month_overlaps(months[c.url], since, until)]
    return [c for c in children if _not_before(c.day(), since)]


def _not_before(day: date | None, since: date | None) -> bool:
    return since is None or day is None or day >= since


def _month_overlaps(month: tuple[int, int] | None, since: date | None, until: date | None) -> bool:
    if month is None:
        return False
    key = month[0] * 12 + month[1]
    return (since is None or key >= since.year * 12 + since.month) and (
        until is None or key <= until.year * 12 + until.month
    )
