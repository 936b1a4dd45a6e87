"""Which source an archived capture is an article of, or why it is none.

In order:
1. ``--source`` given: every HTML response is that source's, whatever its host or URL shape;
   extraction decides whether it holds an article (a mirror or an odd URL scheme is the user's
   call to make).
2. A WARC newsflow wrote names each page's source and kind in a metadata record: an article
   page of a source in the registry is that source's; other pages (feeds, listings) are none.
3. Otherwise the host must belong to an agency of the registry (its ``domains``) and the URL
   must have the shape of one of its editions' articles (``article_patterns``), as a crawl
   would have followed it. The first edition in the registry whose patterns match wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from urllib.parse import urlsplit

from newsflow.page import PageKind
from newsflow.registry import Source
from newsflow.warc.writer import KIND_FIELD, SOURCE_FIELD


class Unmatched(StrEnum):
    """Why a capture is nobody's article; each is a count in the import's report."""

    UNKNOWN_HOST = "unknown_host"  # no agency of the registry has the host
    NOT_ARTICLE_URL = "not_article_url"  # the agency's host, but no article's URL shape
    NOT_ARTICLE_PAGE = "not_article_page"  # our own export: a feed, sitemap or listing


class SourceMatcher:
    """Sources by capture, with what was learnt per host kept (a file repeats its hosts)."""

    def __init__(self, registry: Mapping[str, Source], chosen: Source | None = None) -> None:
        self.registry = registry
        self.chosen = chosen
        self._by_host: dict[str, tuple[Source, ...]] = {}

    def match(self, url: str, fields: Mapping[str, str]) -> Source | Unmatched:
        """The capture's source, or why it has none."""
        if self.chosen is not None:
            return self.chosen
        named = self.registry.get(fields.get(SOURCE_FIELD, ""))
        if named is not None:
            kind = fields.get(KIND_FIELD, PageKind.ARTICLE)
            return named if kind == PageKind.ARTICLE else Unmatched.NOT_ARTICLE_PAGE
        candidates = self._owners(urlsplit(url).hostname or "")
        if not candidates:
            return Unmatched.UNKNOWN_HOST
        return next((s for s in candidates if s.is_article_url(url)), Unmatched.NOT_ARTICLE_URL)

    def _owners(self, host: str) -> tuple[Source, ...]:
        if host not in self._by_host:
            owners = tuple(s for s in self.registry.values() if s.owns_host(host))
            self._by_host[host] = owners
        return self._by_host[host]
