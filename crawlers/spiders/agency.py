"""The one generic spider: discovers an agency source's articles and fetches them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsflow.crawlers.discovery import Discovered, in_window
from newsflow.crawlers.discovery.feeds import FeedError, parse_feed
from newsflow.crawlers.discovery.listings import next_anchor, parse_listing
from newsflow.crawlers.discovery.sitemaps import parse_sitemap, select_children
from newsflow.crawlers.faults import fetch_fault
from newsflow.crawlers.items import FailureItem, FeedItem, PageItem, RevisitItem
from newsflow.crawlers.removals import redirect_removal, status_removal
from newsflow.crawlers.spiders.archive import ArchiveRequests
from newsflow.crawlers.spiders.plan import MODES, listing_urls, parse_day
from newsflow.db.revisits import (
    Due,
    changed_since_fetch,
    due_revisits,
    pending_refetches,
    reopen_discoveries,
)
from newsflow.db.session import session_scope
from newsflow.db.store import (
    follows_cut_run,
    known_article_urls,
    pending_discoveries,
    record_discoveries,
    settle_discoveries,
    update_feed,
)
from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from newsflow.failures import FailureCode
from newsflow.page import PageKind
from newsflow.registry import get_source
from newsflow.webarchive import Capture

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
CONDITIONAL = [304]


class AgencySpider(Spider):
    """Crawl one source: ``scrapy crawl agency -a source=sana-en [-a since=… -a until=…]``."""

    name = "agency"

    def __init__(
        self,
        source: str | None = None,
        run_id: str | int | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not source:
            raise ValueError("the agency spider needs a source: -a source=<id> (e.g. sana-en)")
        self.source = get_source(source)  # RegistryError names the known sources
        self.run_id = int(run_id) if run_id not in (None, "") else None
        self.since, self.until = parse_day(since), parse_day(until)
        self.mode = mode or ("backfill" if self.since or self.until else "scheduled")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; use one of {', '.join(MODES)}")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}")
        self.allowed_domains = list(self.source.agency.domains)
        if self.from_archive and not (self.source.web_archive and self.since and self.until):
            raise ValueError("a backfill from the web archive needs a window and a web_archive")
        self.archive: ArchiveRequests | None = None  # set with the crawler's stats
        self.database_url: str | None = None
        self.listing_page_limit = 0
        self.queue_limit = 0
        self.resuming = False  # set at start: the work before this run may have been cut short
        self._skipped: set[str] = set()
        self._refetching: dict[str, Due] = {}  # known URLs whose lastmod moved: fetch again
        self._refetched: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Apply the agency's crawl delay unless an override (e.g. a local mirror) is set.

        With the shared pace on (NEWSFLOW_PACE) the pace middleware keeps the delay, and
        Scrapy's own DOWNLOAD_DELAY stays 0 (crawlers/settings.py) so as not to add to it.
        """
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if settings.get("NEWSFLOW_DELAY_OVERRIDE") is None:
            delay = spider.source.agency.crawl_delay
            settings.set("NEWSFLOW_CRAWL_DELAY", delay, priority="spider")
            if not settings.getbool("NEWSFLOW_PACE"):
                settings.set("DOWNLOAD_DELAY", delay, priority="spider")
        spider.database_url = settings.get("NEWSFLOW_DATABASE_URL")
        archive = spider.source.web_archive
        if archive is not None:
            spider.archive = ArchiveRequests(archive, spider.source, crawler)
            if not settings.getbool("NEWSFLOW_PACE"):
                ArchiveRequests.slots(settings, archive)
        spider.listing_page_limit = settings.getint("NEWSFLOW_SCHEDULED_LISTING_PAGES", 5)
        spider.queue_limit = settings.getint("NEWSFLOW_QUEUE_LIMIT", 1000)
        return spider

    @property
    def backfill(self) -> bool:
        return self.mode in ("backfill", "web-archive")

    @property
    def from_archive(self) -> bool:
        """A backfill whose articles are listed by the web archive's index, not the site."""
        return self.mode == "web-archive"

    def refetched(self, url: str) -> bool:
        """Whether this crawl fetched a stored article's URL again (a revisit, an edit)."""
        return url in self._refetched

    async def start(self) -> AsyncIterator[Request]:
        """Seed requests: the queue a cut run left, then feeds and sitemaps, then listings.

        Scheduled runs read feeds and news sitemaps, backfills the sitemaps of their window;
        revisits only fetch the source's recent articles again.
        """
        if self.archive is not None:
            self.archive.pace()
        if self.from_archive:
            for request in self._archive_index_requests():
                yield request
            return
        if self.mode == "revisit":
            for request in self._revisit_requests():
                yield request
            return
        for request in self._queued_requests():
            yield request
        edition = self.source.edition
        if not self.backfill:
            for url in edition.feeds:
                yield self._request(url, PageKind.FEED, self.parse_feed, CONDITIONAL)
        # A news sitemap lists only the last two days, but for a site that has no other (and a
        # window that reaches today) it is the one sitemap a backfill can read.
        sitemaps = (
            (*edition.sitemaps, *edition.news_sitemaps) if self.backfill else edition.news_sitemaps
        )
        for url in sitemaps:
            # A backfill queues only its window's URLs, so a 304 vouching for an earlier,
            # narrower window would hide the rest: backfills always read sitemaps whole.
            yield self._request(
                url,
                PageKind.SITEMAP,
                self.parse_sitemap,
                CONDITIONAL,
                newsflow_unconditional=self.backfill,
            )
        if self.source.agency.listing is not None:
            for listing in edition.listings:
                for url in listing_urls(listing, self.since, self.until):
                    yield self._request(url, PageKind.LISTING, self.parse_listing)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """Feed items become article requests; a 304 costs no parsing at all."""
        if response.status == 304:
            yield FeedItem(response.url, PageKind.FEED, 304)
            return
        yield self._page(response, PageKind.FEED)
        content_type = (response.headers.get(b"Content-Type") or b"application/xml").decode(
            "latin-1"
        )
        try:
            feed = parse_feed(response.body, response.url, content_type)
        except FeedError as exc:
            yield FailureItem(response.url, "parse", str(exc), response.status)
            yield FeedItem(response.url, PageKind.FEED, response.status, error=str(exc))
            return
        if feed.problem:
            reason = f"feed read despite malformed XML: {feed.problem}"
            yield FailureItem(response.url, "parse", reason, response.status)
        state = self._feed_state(response, PageKind.FEED, len(feed.items), feed.newest)
        yield from self._article_requests(feed.items, "feed", state)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Index children (months overlapping a backfill window) or urlset article requests."""
        if response.status == 304:
            yield FeedItem(response.url, PageKind.SITEMAP, 304)
            return
        yield self._page(response, PageKind.SITEMAP)
        try:
            sitemap = parse_sitemap(response.body, response.url)
        except (ValueError, SyntaxError) as exc:
            reason = f"unreadable sitemap: {exc}"
            yield FailureItem(response.url, "parse", reason, response.status)
            yield FeedItem(response.url, PageKind.SITEMAP, response.status, error=reason)
            return
        entries = sitemap.entries
        newest = max((e.date for e in entries if isinstance(e.date, datetime)), default=None)
        state = self._feed_state(response, PageKind.SITEMAP, len(entries), newest)
        if sitemap.is_index:
            # Its children are not queued, so it keeps no validators: always read in full.
            self._record([], "sitemap", state, conditional=False)
            children = (
                select_children(entries, self.since, self.until) if self.backfill else entries
            )
            for child in children:
                yield self._request(
                    child.url,
                    PageKind.SITEMAP,
                    self.parse_sitemap,
                    CONDITIONAL,
                    newsflow_unconditional=self.backfill,
                )
        else:
            yield from self._article_requests(entries, "sitemap", state)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """Listed articles, then the older page while the walk should go on."""
        yield self._page(response, PageKind.LISTING)
        markup = self.source.agency.listing
        assert markup is not None  # listings are only requested when markup is declared
        languages = tuple(dict.fromkeys((self.source.language, "en")))
        anchor = self._listing_anchor(response)
        listing = parse_listing(response.body, response.url, markup, languages, anchor)
        if not listing.items:
            yield FailureItem(response.url, "parse", "listing page lists no articles", 200)
        requests = list(self._article_requests(listing.items, "listing"))
        yield from requests
        pages = response.meta.get("newsflow_listing_page", 1)
        if listing.next_page and self._walk_on(listing.items, bool(requests), pages):
            yield self._request(
                listing.next_page,
                PageKind.LISTING,
                self.parse_listing,
                newsflow_listing_page=pages + 1,
                newsflow_listing_anchor=next_anchor(listing.items, anchor).isoformat(),
            )

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        """Hand the article page to the pipeline for extraction and storage."""
        yield self._page(response, PageKind.ARTICLE)

    def parse_revisit(self, response: Response) -> Iterator[PageItem | RevisitItem]:
        """A stored article fetched again: not modified, removed, or a page to store."""
        article_id = response.meta["newsflow_revisit_of"]
        item = self._page(response, PageKind.ARTICLE)
        listed, final = item.page.url, item.page.final_url
        if response.status == 304:
            yield RevisitItem(article_id, listed, 304)
            return
        html = item.page.text if final != listed else None
        removed = redirect_removal(listed, final, self.source, html)
        if removed is not None:
            yield RevisitItem(article_id, listed, response.status, str(removed), final)
            return
        item.revisit_of = article_id
        yield item

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Record a failed fetch with its reason code, under the URL that was listed."""
        request: Request = failure.request  # type: ignore[attr-defined]
        fault = fetch_fault(failure)
        if fault is None:
            return  # offsite drops are counted by the offsite middleware
        # After redirects the request is the last hop; the discovery was the first.
        listed = request.meta.get("redirect_urls", [request.url])[0]
        failed = FailureItem(listed, "fetch", fault.reason, fault.http_status, fault.code)
        kind = request.meta.get("newsflow_kind")
        revisit_of = request.meta.get("newsflow_revisit_of")
        # A listed article the site failed: its capture, if the archive has one, instead.
        fallback = (
            self.archive.fallback(listed, request.url, failed, request.meta)
            if self.archive and kind == PageKind.ARTICLE and revisit_of is None
            else None
        )
        yield fallback or failed
        if kind in (PageKind.FEED, PageKind.SITEMAP):
            status = fault.http_status or 0
            yield FeedItem(request.url, PageKind(kind), status, error=fault.reason)
        if revisit_of is not None and fault.code == FailureCode.NOT_FOUND:
            # A redirect that ends in a 404 says where the article went before it says 404.
            removed = redirect_removal(listed, request.url, self.source)
            removed = removed or status_removal(fault.http_status)
            yield RevisitItem(revisit_of, listed, fault.http_status or 0, removed, request.url)

    def _archive_index_requests(self) -> list[Request]:
        """A backfill from the archive: its index over the window, under each prefix."""
        assert self.archive is not None and self.since and self.until
        prefixes = self.archive.archive.discover or self.source.agency.domains
        return self.archive.discover(
            self.since, self.until, tuple(prefixes), self.parse_archive_index
        )

    def parse_archive_index(self, response: Response) -> Iterator[Request]:
        """Captures the index lists: the window's unknown articles, fetched from the archive."""
        assert self.archive is not None
        captures: list[Capture] = []
        for found in self.archive.parse_index(response):
            if isinstance(found, Capture):
                captures.append(found)
            else:  # the index's next page
                yield found
        known = self._record([Discovered(c.original) for c in captures], "web-archive")
        for capture in captures:
            if not self._skip_known(capture.original, known):
                yield self.archive.capture_request(capture, capture.original, None, None)

    def _listing_anchor(self, response: Response) -> date:
        """The day no item of a listing page is newer than: year-less labels count back from it.

        The first page's is tomorrow in the agency's zone (a day of slack for items dated ahead
        of the crawler's clock); each older page's the newest day of the page before it.
        """
        carried = response.meta.get("newsflow_listing_anchor")
        if carried:
            return date.fromisoformat(carried)
        return datetime.now(self.source.tz).date() + timedelta(days=1)

    def _walk_on(self, items: tuple[Discovered, ...], brought_new: bool, pages: int) -> bool:
        # Backfills walk until a whole page is older than the window (undated: keep going);
        # scheduled runs go back only while pages still bring unknown articles, or, after a
        # cut run, as far as the page limit: known articles on page 1 no longer prove that a
        # run walked the older pages.
        if not items:
            return False
        if self.backfill:
            days = [i.day(self.source.tz) for i in items]
            return not (self.since and all(d is not None and d < self.since for d in days))
        return (brought_new or self.resuming) and pages < self.listing_page_limit

    def _queued_requests(self) -> list[Request]:
        """The source's queue (URLs listed but never settled, oldest first), minus stored ones.

        Stored URLs a lastmod trigger queued again, and not fetched since, are fetched again.
        """
        if self.run_id is None:
            return []
        source_id = self.source.id
        with session_scope(self.database_url) as session:
            self.resuming = follows_cut_run(session, source_id, self.run_id)
            queued = pending_discoveries(session, source_id, self.queue_limit)
            known = known_article_urls(session, source_id, queued)
            refetch = pending_refetches(session, source_id, known)
            settle_discoveries(session, source_id, known - set(refetch))
        if queued:
            log.info("%d queued URLs of %s, %d already stored", len(queued), source_id, len(known))
        self._refetching.update(refetch)
        return [
            self._refetch_or_request(url, self.parse_article)
            for url in queued
            if url in self._refetching or not self._skip_known(url, known)
        ]

    def _revisit_requests(self) -> list[Request]:
        """The source's recent articles due for a check (registry policy), as conditional GETs."""
        with session_scope(self.database_url) as session:
            due = due_revisits(session, self.source.id, self.source.revisit)
        log.info("%d articles of %s due for a revisit", len(due), self.source.id)
        self.crawler.stats.inc_value("newsflow/revisited", len(due))
        return [self._refetch(d) for d in due]

    def _refetch(self, due: Due) -> Request:
        """A stored article fetched again; its last validators let the site answer 304."""
        self._refetched.add(due.url)
        meta = {"newsflow_kind": str(PageKind.ARTICLE), "newsflow_revisit_of": due.article_id}
        return Request(
            due.url,
            callback=self.parse_revisit,
            errback=self.on_error,
            headers=due.headers(),
            meta={**meta, "handle_httpstatus_list": [304]},
            dont_filter=True,  # redirects of several removed articles may share a target
        )

    def _refetch_or_request(self, url: str, callback: Any, **meta: Any) -> Request:
        due = self._refetching.pop(url, None)
        if due is not None:
            self.crawler.stats.inc_value("newsflow/lastmod_refetched")
            return self._refetch(due)
        return self._request(url, PageKind.ARTICLE, callback, **meta)

    def _article_requests(
        self, found: Iterable[Discovered], via: str, state: FeedItem | None = None
    ) -> Iterator[Request]:
        tz = self.source.tz
        wanted = [f for f in found if self.source.is_article_url(f.url)]
        if self.backfill:
            wanted = [f for f in wanted if in_window(f, self.since, self.until, tz)]
        known = self._record(wanted, via, state)
        for item in wanted:
            if item.url in self._refetched:
                continue  # a lastmod trigger already fetched it again
            if item.url not in self._refetching and self._skip_known(item.url, known):
                continue
            listed = item.date.isoformat() if item.date else None
            yield self._refetch_or_request(item.url, self.parse_article, newsflow_listed=listed)

    def _skip_known(self, url: str, known: set[str]) -> bool:
        if url in known and url not in self._skipped:
            self._skipped.add(url)
            self.crawler.stats.inc_value("newsflow/skipped_known")
        return url in known

    def _record(
        self,
        found: list[Discovered],
        via: str,
        state: FeedItem | None = None,
        conditional: bool = True,
    ) -> set[str]:
        """Queue the listed URLs with the feed's state in one transaction; return known ones.

        A feed's ETag vouches for every URL it listed, so both commit together: a kill leaves
        either both (the next run fetches the queue) or neither (it reads the feed again).
        URLs already stored leave the queue at once instead of being fetched again, unless
        their lastmod moved past their last fetch: those are queued again, to be refetched.
        """
        if not found and state is None:
            return set()
        tz, source_id = self.source.tz, self.source.id
        with session_scope(self.database_url) as session:
            record_discoveries(
                session, self.run_id, source_id, [(f.url, f.day(tz), via) for f in found]
            )
            known = known_article_urls(session, source_id, [f.url for f in found])
            moved = {f.url: f.modified for f in found if f.modified and f.url in known}
            changed = changed_since_fetch(session, source_id, moved)
            # A URL queued again for a refetch leaves the queue only with the refetch's outcome.
            refetching = set(changed) | set(self._refetching) | self._refetched
            settle_discoveries(session, source_id, known - refetching)
            reopen_discoveries(session, source_id, set(changed))
            if state is not None:
                self._save_state(session, state, conditional)
        self._refetching.update(changed)
        return known

    def _save_state(self, session: Session, state: FeedItem, conditional: bool) -> None:
        # A backfill queued only its window's URLs: its validators would vouch for more.
        conditional = conditional and not self.backfill
        update_feed(
            session,
            state.url,
            self.source.id,
            str(state.kind),
            state.status,
            etag=state.etag,
            last_modified=state.last_modified,
            item_count=state.item_count,
            newest_item_at=state.newest_item_at,
            conditional=conditional,
        )

    def _request(
        self,
        url: str,
        kind: PageKind,
        callback: Any,
        statuses: list[int] | None = None,
        **meta: Any,
    ) -> Request:
        meta = {"newsflow_kind": str(kind), **meta}
        if statuses:
            meta["handle_httpstatus_list"] = statuses
        return Request(url, callback=callback, errback=self.on_error, meta=meta)

    def _page(self, response: Response, kind: PageKind) -> PageItem:
        first = response.meta.get("redirect_urls", [response.url])[0]
        return PageItem.of(response, kind, first)

    def _feed_state(
        self, response: Response, kind: PageKind, count: int, newest: datetime | None
    ) -> FeedItem:
        header = response.headers.get
        etag, modified = header(b"ETag"), header(b"Last-Modified")
        return FeedItem(
            response.url,
            kind,
            response.status,
            etag=etag.decode("latin-1") if etag else None,
            last_modified=modified.decode("latin-1") if modified else None,
            item_count=count,
            newest_item_at=newest,
        )
