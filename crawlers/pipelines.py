"""Store every fetched page, extract and store articles, record failures and feed states."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsflow.crawlers.batch import DeferredStats, ItemBatch, Pending
from newsflow.crawlers.extraction import PageExtractor
from newsflow.crawlers.faults import charset_fault
from newsflow.crawlers.items import (
    CaptureLinkItem,
    FailureItem,
    FeedItem,
    PageItem,
    RevisitItem,
)
from newsflow.crawlers.queue import worth_retrying
from newsflow.crawlers.removals import page_removal
from newsflow.crawlers.standalone import StandaloneRun
from newsflow.crawlers.verdicts import rejection_code
from newsflow.db import models, revisits, store
from newsflow.db.captures import link_last_capture
from newsflow.db.leases import SourceBusy
from newsflow.db.migrate import require_current
from newsflow.db.session import session_scope
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from newsflow import Article
from newsflow.failures import FailureCode
from newsflow.page import FetchedPage, PageKind
from newsflow.runs import RunKind, parse_kind
from newsflow.settings import get_settings

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)
# The run-report count each rejection code adds to.
_REJECTION_COUNTS = {
    FailureCode.EXTRACTION_ERROR: "articles_failed",
    FailureCode.BLOCKED: "blocked",
}


class StorePipeline:
    """Items stored in batches (crawlers/batch.py): each article page with its article, or the
    reason it is none, and the queued URLs it settles, in one transaction per batch."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.database_url: str | None = settings.get("NEWSFLOW_DATABASE_URL")
        self.own_run: StandaloneRun | None = None
        self.batch = ItemBatch(
            self._write_batch,
            settings.getint("NEWSFLOW_STORE_BATCH", 50),
            settings.getfloat("NEWSFLOW_STORE_BATCH_SECONDS", 1.0),
        )
        self.extractor = PageExtractor(get_settings().extract)
        # Removals a revisit found in this batch: (article, listed, final URL) whose last
        # capture the spider looks up once the batch is stored (crawlers/spiders/archive.py).
        self.removed_pages: list[tuple[int, str, str]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Built by Scrapy with the crawler's settings and stats."""
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def open_spider(self) -> None:
        """Sync the source row; a crawl given no run id opens a run of its own.

        That run takes the source's lease first, as a flow does (a source busy with another
        run closes the spider at once, reason ``source_busy``), and closes the source's runs a
        killed crawl left 'running'. Runs opened by a flow are the flow's to close.
        """
        spider = self.spider
        require_current(self.database_url)  # a readable error instead of "no such table"
        with session_scope(self.database_url) as session:
            store.sync_sources(session, [spider.source])
        if spider.run_id is None:
            self._open_own_run(spider)
        log.info("crawl run %s for %s (%s)", spider.run_id, spider.source.id, spider.mode)

    def _open_own_run(self, spider: Any) -> None:
        window = (spider.since, spider.until) if spider.since and spider.until else None
        kind = parse_kind(
            getattr(spider, "kind", None), RunKind.BACKFILL if window else RunKind.MANUAL
        )
        try:
            self.own_run = StandaloneRun.open(
                self.database_url, spider.source.id, kind, window, self._lease_lost
            )
        except SourceBusy as exc:
            spider.refused = str(exc)  # crawlers.run prints it as the reason it could not crawl
            log.error("%s", exc)
            raise CloseSpider("source_busy") from None
        spider.run_id = self.own_run.run_id
        # Closed at spider_closed, which knows the finish reason (SIGTERM: cancelled).
        self.crawler.signals.connect(self._close_own_run, signal=signals.spider_closed)

    def close_spider(self) -> None:
        """Write what is still pending; an own run is closed once Scrapy gives the reason."""
        self.batch.flush()
        self.extractor.close()

    def _close_own_run(self, spider: Any, reason: str) -> None:
        from newsflow.crawlers.extensions import run_counts

        if self.own_run is not None:
            self.own_run.close(reason, run_counts(self.stats))

    def _lease_lost(self) -> None:
        """From the heartbeat thread: another run took the source over; stop crawling it."""
        from twisted.internet import reactor

        def close() -> None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="lease_lost"))

        reactor.callFromThread(close)  # type: ignore[attr-defined]

    async def process_item(self, item: Any) -> Any:
        """Store the item with its batch; only extracted articles travel on (``-o x.jsonl``).

        An article page is extracted now, while its batch fills; it is written with the batch.
        """
        extracted = None
        if isinstance(item, PageItem) and item.kind == PageKind.ARTICLE:
            page = await self.extractor.extract(
                item.page, self.spider.source, _aware(item.listed_at)
            )
            self.stats.inc_value("newsflow/extract_ms", page.ms)
            self.stats.inc_value("newsflow/extract_cpu_ms", page.cpu_ms)
            extracted = (page.article, page.problem)
        return await self.batch.add(item, extracted)

    def _write_batch(self, batch: list[Pending]) -> None:
        """The batch in one transaction; after a database error, each item in its own."""
        started = time.perf_counter()
        try:
            self._write(batch)
        except Exception as exc:  # a database error, or one item's write raised
            if len(batch) > 1:
                log.warning("a batch of %d items failed (%s); storing one by one", len(batch), exc)
                for entry in batch:
                    self._write_batch([entry])
            elif isinstance(exc, SQLAlchemyError):
                self._resolve(batch[0], self._store_failed(_url(batch[0].item), exc))
            else:  # Scrapy reports it against the item, as it did before batches
                self._resolve(batch[0], exc)
        finally:
            self.stats.inc_value("newsflow/store_ms", _ms_since(started))

    def _write(self, batch: list[Pending]) -> None:
        """Write every item; counts and outcomes are given out only once it all committed."""
        crawl_stats, held = self.stats, DeferredStats()
        self.stats = held  # type: ignore[assignment]
        # This thread's CPU alone (the extraction pool's threads run beside it), and only the
        # transaction's: resolving the outcomes runs the rest of Scrapy's item handling.
        cpu = time.thread_time()
        self.removed_pages = []  # a batch that failed found nothing; its retry finds it again
        try:
            with session_scope(self.database_url) as session:
                outcomes = [self._written(session, entry) for entry in batch]
        finally:
            self.stats = crawl_stats
            crawl_stats.inc_value("newsflow/store_cpu_ms", round(1000 * (time.thread_time() - cpu)))
        held.apply(crawl_stats)
        self._look_up_captures()
        for entry, outcome in zip(batch, outcomes, strict=True):
            self._resolve(entry, outcome)

    def _written(self, session: Session, entry: Pending) -> Any:
        """One item written in the batch's session: its result, or the DropItem it ends with."""
        item = entry.item
        if isinstance(item, PageItem) and item.kind == PageKind.ARTICLE:
            return self._article(session, item, *entry.extracted)
        self._bookkeeping(session, item)
        return DropItem(f"stored {type(item).__name__} {_url(item)}", "DEBUG")

    @staticmethod
    def _resolve(entry: Pending, outcome: Any) -> None:
        assert entry.outcome is not None
        if isinstance(outcome, BaseException):
            entry.outcome.errback(outcome)
        else:
            entry.outcome.callback(outcome)

    def _bookkeeping(self, session: Session, item: Any) -> None:
        run_id, source_id = self.spider.run_id, self.spider.source.id
        if isinstance(item, PageItem):
            store.save_page(session, run_id, source_id, item.page)
            self.stats.inc_value("newsflow/pages_fetched")
        elif isinstance(item, FeedItem):
            store.update_feed(
                session,
                item.url,
                source_id,
                str(item.kind),
                item.status,
                etag=item.etag,
                last_modified=item.last_modified,
                item_count=item.item_count,
                newest_item_at=item.newest_item_at,
                error=item.error,
            )
            self.stats.inc_value("newsflow/not_modified", item.status == 304)
            self.stats.inc_value("newsflow/feeds_failed", item.error is not None)
        elif isinstance(item, FailureItem):
            store.record_failure(
                session,
                run_id,
                source_id,
                item.url,
                item.stage,
                item.reason,
                item.http_status,
                code=item.code,
            )
            retry = worth_retrying(item.stage, item.code, item.http_status)
            store.settle_discoveries(session, source_id, [item.url], retry=retry)
            self.stats.inc_value("newsflow/fetch_failures", item.stage == "fetch")
            self.stats.inc_value("newsflow/blocked", item.code == FailureCode.BLOCKED)
            log.warning("%s failure for %s: %s", item.stage, item.url, item.reason)
        elif isinstance(item, RevisitItem):
            self._revisited(session, item)
        elif isinstance(item, CaptureLinkItem):
            linked = link_last_capture(session, item.article_id, item.url, item.captured_at)
            self.stats.inc_value("newsflow/archive_linked", linked)

    def _revisited(self, session: Session, item: RevisitItem) -> None:
        """A revisit that stored no page: the article is unchanged (304), or removed."""
        seen_at = datetime.now(UTC)
        if item.removed is None:  # a 304 is there again too, unchanged
            revisits.mark_checked(session, item.article_id, seen_at)
            self.stats.inc_value("newsflow/not_modified")
            self._restore(session, item.article_id, item.url, seen_at)
        else:
            tried = item.final_url or item.url
            self._removed(session, item.article_id, item.removed, seen_at, item.url, tried)
        self._settle_refetch(session, item.article_id, item.url)

    def _removed(
        self,
        session: Session,
        article_id: int,
        reason: str,
        seen_at: datetime,
        url: str,
        tried: str,
    ) -> None:
        if revisits.mark_removed(session, article_id, reason, seen_at):
            self.stats.inc_value("newsflow/removed")
            log.info("article %s removed from its site: %s", article_id, reason)
        self.removed_pages.append((article_id, url, tried))

    def _settle_refetch(self, session: Session, article_id: int, url: str) -> None:
        # A lastmod trigger queued the article's canonical URL again: settled by its outcome.
        article = session.get(models.Article, article_id)
        urls = [url, article.url if article else url]
        store.settle_discoveries(session, self.spider.source.id, urls)

    def _article(
        self, session: Session, item: PageItem, article: Article | None, problem: str | None
    ) -> dict[str, Any] | DropItem:
        page = item.page
        source_id = self.spider.source.id
        outside = self._outside_window(article, page.url)
        if outside:
            # Neither stored nor settled (a stored page would make the URL known): the run
            # whose window or schedule covers the article fetches it again and stores it.
            self.stats.inc_value("newsflow/outside_window")
            return DropItem(f"{page.url}: {outside}", "INFO")
        page_id = store.save_page(session, self.spider.run_id, source_id, page)
        self.stats.inc_value("newsflow/pages_fetched")
        self._note_charset(session, page)
        if article is None:
            self._reject(session, page, problem or "not an article")
            self._revisit_rejected(session, item)
        else:
            self._found_again(session, item)
            outcome = store.save_article(session, article, page_id, page.fetched_at)
        # In the same transaction: a listed URL leaves the queue only once its outcome is
        # stored, under each address it was listed at (asked, redirected to, canonical).
        urls = (page.url, page.final_url, article.url if article else None)
        store.settle_discoveries(session, source_id, [u for u in urls if u])
        if article is None:  # raised once the batch committed: the page and reason are stored
            return DropItem(f"{page.url}: {problem}", "INFO")
        self.stats.inc_value(f"newsflow/articles_{outcome}")
        self.stats.inc_value("newsflow/versions_new", outcome == store.Outcome.UPDATED)
        return {**article.to_dict(), "outcome": str(outcome), "fetched_url": page.url}

    def _outside_window(self, article: Article | None, url: str) -> str | None:
        """Why a backfill keeps this new article out: published outside its window (or None).

        Undated discoveries (listings without days, a sitemap's lastmod) bring pages from
        either side of the window; a backfill stores what its window asked for, exactly. A
        stored article fetched again for an edit is stored whatever its date.
        """
        spider = self.spider
        if article is None or article.published_at is None or not spider.backfill:
            return None
        if spider.refetched(url):
            return None
        day = article.published_at.astimezone(spider.source.tz).date()
        if (spider.since and day < spider.since) or (spider.until and day > spider.until):
            return f"published {day}, outside the backfill window"
        return None

    def _found_again(self, session: Session, item: PageItem) -> None:
        """A refetched article that was marked removed is there again: clear the removal."""
        if item.revisit_of is None:
            return
        revisits.mark_checked(session, item.revisit_of, item.page.fetched_at)
        self._restore(session, item.revisit_of, item.page.url, item.page.fetched_at)

    def _restore(self, session: Session, article_id: int, url: str, seen_at: datetime) -> None:
        if revisits.restore(session, article_id, seen_at):
            self.stats.inc_value("newsflow/restored")
            log.info("article %s found again at %s", article_id, url)

    def _revisit_rejected(self, session: Session, item: PageItem) -> None:
        """A refetched article whose page now says "not found" (a soft 404) is removed."""
        if item.revisit_of is None:
            return
        page = item.page
        revisits.mark_checked(session, item.revisit_of, page.fetched_at)
        removed = page_removal(page.text, page.final_url)
        if removed is not None:
            seen_at, url, final = page.fetched_at, page.url, page.final_url
            self._removed(session, item.revisit_of, str(removed), seen_at, url, final)

    def _look_up_captures(self) -> None:
        """The stored removals' last captures, asked of the source's web archive, if any."""
        archive = getattr(self.spider, "archive", None)
        found, self.removed_pages = self.removed_pages, []
        if archive is None:
            return
        for article_id, url, final in found:
            request = archive.removed(article_id, url, final)
            if request is None:
                continue
            try:
                self.crawler.engine.crawl(request)
            except RuntimeError:  # the crawl is closing: the link waits for the next removal
                log.info("no web archive lookup for article %s: the crawl is closing", article_id)

    def _note_charset(self, session: Session, page: FetchedPage) -> None:
        """A body that contradicts its declared charset: read by the evidence, and recorded.

        Stage ``fetch``, the response's own fault: the page is stored and extracted as usual,
        and the URL's ``extract`` row stays free for the verdict on its content.
        """
        fault = charset_fault(page.body, page.header("Content-Type"))
        if fault is not None:
            run_id, source_id = self.spider.run_id, self.spider.source.id
            store.record_failure(
                session, run_id, source_id, page.url, "fetch", fault.reason, page.status, fault.code
            )
            log.warning("charset conflict at %s: %s", page.url, fault.reason)

    def _reject(self, session: Session, page: FetchedPage, reason: str) -> None:
        code = rejection_code(reason)
        self.stats.inc_value(f"newsflow/{_REJECTION_COUNTS.get(code, 'not_articles')}")
        store.record_failure(
            session,
            self.spider.run_id,
            self.spider.source.id,
            page.url,
            "extract",
            reason,
            page.status,
            code=code,
        )

    def _store_failed(self, url: str, exc: SQLAlchemyError) -> DropItem:
        """A store error is logged, counted, recorded when possible, never silent."""
        log.error("could not store %s: %s", url, exc)
        self.stats.inc_value("newsflow/store_errors")
        try:
            with session_scope(self.database_url) as session:
                store.record_failure(
                    session,
                    self.spider.run_id,
                    self.spider.source.id,
                    url,
                    "store",
                    f"{type(exc).__name__}: {exc}",
                    code=FailureCode.STORE_ERROR,
                )
                # A database error passes: the URL stays queued for a later run (up to a cap).
                store.settle_discoveries(session, self.spider.source.id, [url], retry=True)
        except SQLAlchemyError:
            log.critical("database unreachable; closing the crawl")
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="database_error"))
        return DropItem(f"not stored: {url}: {type(exc).__name__}", "ERROR")


def _url(item: Any) -> str:
    return str(getattr(item, "url", "?"))


def _ms_since(started: float) -> int:
    return round(1000 * (time.perf_counter() - started))


def _aware(value: str | None) -> datetime | None:
    """The listing's date as an instant; a bare day is too coarse for a publication time."""
    if not value or "T" not in value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else None
