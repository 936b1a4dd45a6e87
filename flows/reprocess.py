"""Re-run extraction over stored raw pages: a better extractor without refetching anything."""

from __future__ import annotations

from collections import Counter

from newsflow.db import dedup, models, store
from newsflow.db.session import session_scope
from newsflow.flows.ingest import deduplicate
from prefect import flow, get_run_logger, task
from sqlalchemy import select

from newsflow.ingestion import article_from_page
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import get_source
from newsflow.runs import RunKind, check_run


@task
def reprocess_batch(page_ids: list[int], source_id: str) -> Counter[str]:
    """Extract and store the articles of these stored pages."""
    outcomes: Counter[str] = Counter()
    source = get_source(source_id)
    urls: list[str] = []
    with session_scope() as session:
        for page in session.execute(
            select(models.Page).where(models.Page.id.in_(page_ids))
        ).scalars():
            fetched = FetchedPage(
                url=page.url,
                final_url=page.final_url,
                status=page.status,
                kind=PageKind.ARTICLE,
                fetched_at=page.fetched_at,
                body=store.load_page_body(page),
                headers=page.headers,
            )
            article = article_from_page(fetched, source)
            if article is None:
                outcomes["not_article"] += 1
                continue
            outcomes[store.save_article(session, article, page.id, page.fetched_at)] += 1
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
    totals: Counter[str] = Counter()
    for start in range(0, len(page_ids), batch_size):
        totals.update(reprocess_batch(page_ids[start : start + batch_size], source))
    totals.update(deduplicate(source))
    get_run_logger().info("reprocess %s: %s", source, dict(totals))
    return {str(k): v for k, v in totals.items()}


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
