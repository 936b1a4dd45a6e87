"""Re-run extraction over stored raw pages: a better extractor without refetching anything.

Extraction is most of the cost and needs nothing but the page, so with more than one batch
to do it runs in a pool of one process per core, a batch ahead of the flow process, which
loads the pages and stores what comes back.
"""

# No `from __future__ import annotations` in a flow module: Prefect may pickle a flow by
# value into its run's process, keeping only the globals its code uses, and then validates
# the parameters against the signature; annotations must be objects, not names to look up.

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager

from newsflow.db import dedup, models, store
from newsflow.db.session import session_scope
from newsflow.flows.ingest import deduplicate
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from newsflow.article import Article
from newsflow.ingestion import article_from_page
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import get_source
from newsflow.runs import RunKind, check_run

Extracted = list[tuple[int, Article | None]]


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


def extract_pages(pages: list[tuple[int, FetchedPage]], source_id: str) -> Extracted:
    """Each page's article (None: not an article); in a pool worker or in this process."""
    source = get_source(source_id)
    return [(page_id, article_from_page(page, source)) for page_id, page in pages]


@task(cache_policy=NO_CACHE)
def store_batch(extracted: Extracted, source_id: str) -> Counter[str]:
    """Store the re-extracted articles of one batch and queue them for dedup again."""
    outcomes: Counter[str] = Counter()
    urls: list[str] = []
    with session_scope() as session:
        ids = [page_id for page_id, _ in extracted]
        fetched_at = {
            page_id: at
            for page_id, at in session.execute(
                select(models.Page.id, models.Page.fetched_at).where(models.Page.id.in_(ids))
            )
        }
        for page_id, article in extracted:
            if article is None:
                outcomes["not_article"] += 1
                continue
            outcomes[store.save_article(session, article, page_id, fetched_at[page_id])] += 1
            urls.append(article.url)
        # A re-extracted text is checked for duplicates and stories again.
        dedup.requeue_urls(session, source_id, urls)
    return outcomes


@flow(name="reprocess")
def reprocess(source: str, batch_size: int = 200) -> dict[str, int]:
    """Re-extract the newest stored page of every article URL of a source, then deduplicate."""
    check_run(source, RunKind.REPROCESS, None, None)  # an unknown source fails at once, named
    with session_scope() as session:
        page_ids = latest_article_pages(session, source)
    batches = [page_ids[i : i + batch_size] for i in range(0, len(page_ids), batch_size)]
    totals: Counter[str] = Counter()
    with extraction_pool(len(batches)) as submit:
        for extracted in _extracted_ahead(batches, source, submit):
            totals.update(store_batch(extracted, source))
    totals.update(deduplicate(source))
    get_run_logger().info("reprocess %s: %s", source, dict(totals))
    return {str(k): v for k, v in totals.items()}


Submit = Callable[[list[tuple[int, FetchedPage]], str], "Future[Extracted]"]


@contextmanager
def extraction_pool(batches: int) -> Iterator[Submit]:
    """Submits a batch's extraction: to a process per core when there is more than one batch
    (and more than one core), else done here at once."""
    workers = os.cpu_count() or 1
    if batches < 2 or workers < 2:
        yield _done_here
        return
    # Spawned, not forked: the flow process has Prefect's threads running.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield lambda pages, source_id: _submit(pool, pages, source_id)


def _submit(
    pool: Executor, pages: list[tuple[int, FetchedPage]], source_id: str
) -> Future[Extracted]:
    return pool.submit(extract_pages, pages, source_id)


def _done_here(pages: list[tuple[int, FetchedPage]], source_id: str) -> Future[Extracted]:
    done: Future[Extracted] = Future()
    done.set_result(extract_pages(pages, source_id))
    return done


def _extracted_ahead(
    batches: list[list[int]], source_id: str, submit: Submit
) -> Iterator[Extracted]:
    """Each batch's extraction, with the next ones already submitted (a core's worth ahead)."""
    ahead = os.cpu_count() or 1
    pending: list[Future[Extracted]] = []
    for batch in batches:
        pending.append(submit(load_pages(batch), source_id))
        if len(pending) > ahead:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


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
