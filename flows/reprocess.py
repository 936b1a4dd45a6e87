"""Re-run extraction over stored raw pages: a better extractor without refetching anything.

Extraction is most of the cost and needs nothing but the page, so it runs in worker processes,
one per core, each page under the extraction budget (newsflow/budget.py), a batch ahead of the
flow process, which loads the pages and stores what comes back.
"""

# No `from __future__ import annotations` in a flow module: Prefect may pickle a flow by
# value into its run's process, keeping only the globals its code uses, and then validates
# the parameters against the signature; annotations must be objects, not names to look up.

from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future

from newsflow.crawlers.extraction import Extracted, is_over_budget, page_budget, submit_page
from newsflow.db import dedup, models, store
from newsflow.db.session import session_scope
from newsflow.flows.ingest import deduplicate
from newsflow.flows.runs import cap_memory
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from newsflow.budget import BoundedPool, shared_pool
from newsflow.failures import FailureCode
from newsflow.ingestion import warm_up
from newsflow.machine import usable_cores
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import Source, get_source
from newsflow.runs import RunKind, check_run
from newsflow.settings import get_settings

# A batch's pages as (page id, URL, what their extraction gave).
Batch = list[tuple[int, str, Extracted]]


def load_pages(page_ids: Sequence[int]) -> list[tuple[int, FetchedPage]]:
    """The stored pages, as the crawler fetched them."""
    with session_scope() as session:
        pages = session.execute(select(models.Page).where(models.Page.id.in_(page_ids)))
        return [
            (
                page.id,
                FetchedPage(
                    url=page.url,
                    final_url=page.final_url,
                    status=page.status,
                    kind=PageKind.ARTICLE,
                    fetched_at=page.fetched_at,
                    body=store.load_page_body(page),
                    headers=page.headers,
                ),
            )
            for page in pages.scalars()
        ]


@task(cache_policy=NO_CACHE)
def store_batch(extracted: Batch, source_id: str) -> Counter[str]:
    """Store the re-extracted articles of one batch and queue them for dedup again; a page
    over its extraction budget is recorded as a failure (code ``budget_exceeded``)."""
    outcomes: Counter[str] = Counter()
    urls: list[str] = []
    with session_scope() as session:
        ids = [page_id for page_id, _, _ in extracted]
        fetched_at = {
            page_id: at
            for page_id, at in session.execute(
                select(models.Page.id, models.Page.fetched_at).where(models.Page.id.in_(ids))
            )
        }
        for page_id, url, done in extracted:
            article = done.article
            if article is None and is_over_budget(done):
                outcomes["over_budget"] += 1
                reason, code = done.problem or "", FailureCode.BUDGET_EXCEEDED
                store.record_failure(session, None, source_id, url, "extract", reason, code=code)
            elif article is None:
                outcomes["not_article"] += 1
            else:
                outcomes[store.save_article(session, article, page_id, fetched_at[page_id])] += 1
                urls.append(article.url)
        # A re-extracted text is checked for duplicates and stories again.
        dedup.requeue_urls(session, source_id, urls)
    return outcomes


@flow(name="reprocess")
def reprocess(source: str, batch_size: int = 200) -> dict[str, int]:
    """Re-extract the newest stored page of every article URL of a source, then deduplicate."""
    cap_memory()
    check_run(source, RunKind.REPROCESS, None, None)  # an unknown source fails at once, named
    with session_scope() as session:
        page_ids = latest_article_pages(session, source)
    batches = [page_ids[i : i + batch_size] for i in range(0, len(page_ids), batch_size)]
    totals: Counter[str] = Counter()
    for extracted in _extracted_ahead(batches, get_source(source)):
        totals.update(store_batch(extracted, source))
    totals.update(deduplicate(source))
    get_run_logger().info("reprocess %s: %s", source, dict(totals))
    return {str(k): v for k, v in totals.items()}


def extraction_pool() -> BoundedPool:
    """This process's extraction workers, one per core, under the page budget."""
    budget = page_budget(get_settings().extract)
    workers = usable_cores()
    return shared_pool("extract", workers, budget, warm_up)


def _extracted_ahead(batches: list[list[int]], source: Source) -> Iterator[Batch]:
    """Each batch's extraction, the next batch already with the workers while one is stored."""
    pool = extraction_pool()
    ahead: deque[list[tuple[int, str, Future[Extracted]]]] = deque()
    for batch in batches:
        pages = load_pages(batch)
        ahead.append([(i, page.url, submit_page(pool, page, source)) for i, page in pages])
        if len(ahead) > 1:
            yield _collected(ahead.popleft())
    for submitted in ahead:
        yield _collected(submitted)


def _collected(submitted: list[tuple[int, str, Future[Extracted]]]) -> Batch:
    return [(page_id, url, done.result()) for page_id, url, done in submitted]


def latest_article_pages(session: store.Session, source_id: str) -> list[int]:
    """Ids of the newest successful article page per URL of a source."""
    rows = session.execute(
        select(models.Page.id, models.Page.url)
        .where(
            models.Page.source_id == source_id,
            models.Page.kind == "article",
            models.Page.status == 200,
        )
        .order_by(models.Page.url, models.Page.fetched_at.desc(), models.Page.id.desc())
    ).all()
    newest: dict[str, int] = {}
    for page_id, url in rows:
        newest.setdefault(url, page_id)
    return list(newest.values())
