"""What the spider hands to the pipeline: fetched pages, feed states and failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newsflow.failures import FailureCode
from newsflow.page import FetchedPage, PageKind

if TYPE_CHECKING:
    from scrapy.http import Response


@dataclass(slots=True)
class PageItem:
    """One fetched response, kept raw; article pages also go through extraction."""

    page: FetchedPage
    listed_at: str | None = None  # the date the feed or listing gave it (ISO)
    revisit_of: int | None = None  # the stored article a revisit or lastmod trigger refetched

    @property
    def kind(self) -> PageKind:
        return self.page.kind

    @property
    def url(self) -> str:
        return self.page.url

    @classmethod
    def of(cls, response: Response, kind: PageKind, url: str) -> PageItem:
        """The response as fetched, stored under ``url`` (where it was listed)."""
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        page = FetchedPage(
            url=url,
            final_url=response.url,
            status=response.status,
            kind=kind,
            fetched_at=datetime.now(UTC),
            body=response.body,
            headers=headers,
        )
        return cls(page, listed_at=response.meta.get("newsflow_listed"))


@dataclass(slots=True)
class FeedItem:
    """The state of a feed or sitemap after a fetch, for conditional GETs and feed health."""

    url: str
    kind: PageKind
    status: int
    etag: str | None = None
    last_modified: str | None = None
    item_count: int | None = None
    newest_item_at: datetime | None = None
    error: str | None = None


@dataclass(slots=True)
class FailureItem:
    """A URL that failed at a stage (fetch, parse, extract, store): its reason code and words."""

    url: str
    stage: str
    reason: str
    http_status: int | None = None
    code: FailureCode | None = None  # None: the stage's default (``default_code``)


@dataclass(slots=True)
class RevisitItem:
    """A revisit that stored no page: the article was not modified (304), or is removed."""

    article_id: int
    url: str  # the address fetched
    status: int
    removed: str | None = None  # not_found | gone | redirect_home | redirect_listing
    final_url: str | None = None  # where a redirect ended


@dataclass(slots=True)
class CaptureLinkItem:
    """A removed article's last capture in its source's web archive (spiders/archive.py)."""

    article_id: int
    url: str  # the capture's raw address
    captured_at: datetime
