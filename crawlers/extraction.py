"""Article pages extracted beside the crawl, each in a worker under the page budget.

The crawl's own process keeps fetching while a worker extracts; a page that takes a worker past
its time or memory budget costs that worker (killed and replaced) and becomes a failure row
with code ``budget_exceeded``, never the crawl.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsflow.crawlers.verdicts import EXTRACTION_FAILED, OVER_BUDGET, not_article_reason

from newsflow.article import Article
from newsflow.budget import BoundedPool, Budget, OverBudget
from newsflow.ingestion import article_from_page, warm_up
from newsflow.page import FetchedPage
from newsflow.registry import Source
from newsflow.settings import ExtractSettings
from newsflow.warm import parent_forkserver

__all__ = [
    "Extracted",
    "PageExtractor",
    "extract_page",
    "is_over_budget",
    "page_budget",
    "submit_page",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Extracted:
    """A page's article, or why there is none, and the milliseconds its worker spent: wall
    clock, and CPU (``cpu_ms``: what the page cost, whatever else the machine was running)."""

    article: Article | None
    problem: str | None
    ms: int
    cpu_ms: int = 0


def extract_page(page: FetchedPage, source: Source, listed_at: datetime | None) -> Extracted:
    """In a worker: the page's article, or the reason it has none (an extractor bug included)."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        article = article_from_page(page, source, listed_at)
        problem = None if article else not_article_reason(page.text, page.final_url)
    except Exception as exc:  # an extractor bug must not stop the crawl; it is recorded
        log.exception("extraction failed for %s", page.url)
        article, problem = None, f"{EXTRACTION_FAILED}: {type(exc).__name__}: {exc}"
    spent = round(1000 * (time.process_time() - cpu))
    return Extracted(article, problem, round(1000 * (time.perf_counter() - started)), spent)


def submit_page(
    pool: BoundedPool, page: FetchedPage, source: Source, listed_at: datetime | None = None
) -> Future[Extracted]:
    """The page's extraction in a worker; past the budget, an ``Extracted`` that says so."""
    started = time.perf_counter()
    done: Future[Extracted] = Future()

    def settle(worked: Future[Extracted]) -> None:
        error = worked.exception()
        if isinstance(error, OverBudget):
            log.error("extraction of %s over budget (%s): %s", page.url, pool.budget, error)
            spent = round(1000 * (time.perf_counter() - started))
            done.set_result(Extracted(None, f"{OVER_BUDGET}: {error}", spent))
        elif error is not None:
            done.set_exception(error)
        else:
            done.set_result(worked.result())

    pool.submit(extract_page, page, source, listed_at).add_done_callback(settle)
    return done


def page_budget(settings: ExtractSettings) -> Budget:
    """What one page's extraction may cost, from the settings."""
    return Budget(settings.page_timeout_seconds, settings.page_memory_mb)


def is_over_budget(extracted: Extracted) -> bool:
    """Whether the page had no article because its extraction went over budget."""
    return extracted.problem is not None and extracted.problem.startswith(OVER_BUDGET)


class PageExtractor:
    """The crawl's extraction workers, started with its first article page."""

    def __init__(self, settings: ExtractSettings) -> None:
        self.budget = page_budget(settings)
        self.workers = settings.workers
        self._pool: BoundedPool | None = None

    async def extract(
        self, page: FetchedPage, source: Source, listed_at: datetime | None
    ) -> Extracted:
        """The page's extraction, awaited on the reactor while a worker does it."""
        if self._pool is None:
            # Forked from the warm forkserver when this crawl was (newsflow/warm.py).
            self._pool = BoundedPool(self.workers, self.budget, warm_up, parent_forkserver())
        return await _on_reactor(submit_page(self._pool, page, source, listed_at))

    def close(self) -> None:
        """Stop the workers (the crawl has written its last batch)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _on_reactor(future: Future[Any]) -> Any:
    """A Deferred fired on the reactor's thread when the worker's future is done."""
    # Imported here: a worker imports this module for ``extract_page`` and has no use for
    # Scrapy or Twisted (importing them cost each crawl's worker a tenth of a second).
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    done: Deferred[Any] = Deferred()

    def settle(finished: Future[Any]) -> None:
        error = finished.exception()
        if error is None:
            done.callback(finished.result())
        else:
            done.errback(error)

    future.add_done_callback(lambda f: reactor.callFromThread(settle, f))  # type: ignore[attr-defined]
    return maybe_deferred_to_future(done)
