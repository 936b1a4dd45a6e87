"""Extensions: crawl counts written to the run row, robots.txt Crawl-delay applied per host."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from newsflow.crawlers.pace import HostPaceMiddleware
from newsflow.db import models
from newsflow.db.session import session_scope
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from newsflow.runs import CRAWL_COUNTS as COUNTS

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

log = logging.getLogger(__name__)


def run_counts(stats: StatsCollector) -> dict[str, int]:
    """The run report from the crawl's ``newsflow/*`` stats (zero when nothing happened)."""
    return {key: int(stats.get_value(f"newsflow/{key}", 0)) for key in COUNTS}


class RunCounts:
    """At spider close, merge the crawl counts into ``crawl_runs.counts`` of the run."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url: str | None = crawler.settings.get("NEWSFLOW_DATABASE_URL")
        self.before: dict[str, Any] = {}  # a revisit's run counts as the run's crawl left them

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Switched off with NEWSFLOW_RUN_COUNTS = False."""
        if not crawler.settings.getbool("NEWSFLOW_RUN_COUNTS", True):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        """A revisit inside an ingest run adds to that run's counts: remember them."""
        run_id = getattr(spider, "run_id", None)
        if spider.mode != "revisit" or run_id is None:
            return
        try:
            with session_scope(self.database_url) as session:
                run = session.get(models.CrawlRun, run_id)
                self.before = dict(run.counts or {}) if run is not None else {}
        except SQLAlchemyError as exc:
            log.error("could not read the counts of run %s: %s", run_id, exc)

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Merge counts (keeping what other stages wrote) and log the run report."""
        counts = run_counts(self.crawler.stats)
        self.crawler.stats.set_value("newsflow/finish_reason", reason)
        log.info("crawl %s (%s) finished (%s): %s", spider.source.id, spider.mode, reason, counts)
        run_id = getattr(spider, "run_id", None)
        if run_id is None:
            return
        try:
            with session_scope(self.database_url) as session:
                run = session.get(models.CrawlRun, run_id)
                if run is not None:
                    run.counts = _merged(run.counts or {}, counts, self.before)
        except SQLAlchemyError as exc:
            log.error("could not write the counts of run %s: %s", run_id, exc)
            self.crawler.stats.inc_value("newsflow/store_errors")


def _merged(
    stored: dict[str, Any], counts: dict[str, int], before: dict[str, Any]
) -> dict[str, Any]:
    """A crawl's counts over what the run has, added to the counts it had ``before`` it."""
    counts = {key: int(before.get(key, 0)) + value for key, value in counts.items()}
    return {**stored, **counts}


class RobotsCrawlDelay:
    """Raise a host's delay to its robots.txt ``Crawl-delay`` when that is longer: in the
    shared pace (crawlers/pace.py) when it is on, else in Scrapy's download slot."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.user_agent: str = crawler.settings.get("USER_AGENT", "")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Off when robots.txt is not obeyed or a delay override (local mirror) is set."""
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        if settings.get("NEWSFLOW_DELAY_OVERRIDE") is not None:
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.robots_parsed, signal=signals.robots_parsed)
        return extension

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Apply the Crawl-delay to the host's pace, or to its download slot without one."""
        delay = robotparser.crawl_delay(self.user_agent)
        if delay is None:
            return
        pace = self.crawler.get_downloader_middleware(HostPaceMiddleware)
        if pace is not None:
            if pace.slow_down(request.url, float(delay)):
                log.info("robots.txt asks %.1fs between requests to %s", delay, request.url)
            return
        downloader = self.crawler.engine.downloader
        # The robots.txt request went through this host's slot, so the slot exists now.
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None or delay <= slot.delay:
            return
        log.info("robots.txt asks %.1fs between requests to %s", delay, request.url)
        slot.delay = float(delay)
