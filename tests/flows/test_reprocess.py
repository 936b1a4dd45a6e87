"""Re-extraction from stored raw pages: a better extractor, no refetching."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from newsflow.db import models, store
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from newsflow.flows.reprocess import reprocess
from sqlalchemy import select, update

from newsflow.page import FetchedPage, PageKind
from newsflow.settings import get_settings

SEED = "https://sana.sy/en/?p=92385"
HUGE = "https://sana.sy/en/?p=999999"
TITLE = "Russia: Kremlin waiting for US and European response to Belgian airstrikes in Aleppo"


# One batch, or many with the next one extracting while the last is stored.
@pytest.mark.parametrize("batch_size", [200, 3], ids=["one-batch", "pipelined"])
@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_reprocess_rebuilds_articles_from_stored_pages(
    database_url: str, replay, fast_crawl, batch_size: int
) -> None:
    ingest("sana-ar", base_url=replay.base_url)
    ingest("sana-en", base_url=replay.base_url)
    with session_scope(database_url) as session:  # as an older extractor would have left it
        session.execute(
            update(models.Article)
            .where(models.Article.url == SEED)
            .values(title=TITLE + " - Syrian Arab News Agency", content_hash="stale")
        )
    hits_before = len(replay.hits)

    totals = reprocess("sana-en", batch_size=batch_size)

    assert totals["updated"] == 1 and totals["unchanged"] >= 19
    assert len(replay.hits) == hits_before  # nothing fetched
    with session_scope(database_url) as session:
        seed = session.execute(
            select(models.Article).where(models.Article.url == SEED)
        ).scalar_one()
        old = session.execute(select(models.ArticleVersion.title)).scalars().all()
        arabic = session.execute(
            select(models.Article.source_id).where(
                models.Article.url == "https://sana.sy/?p=462137"
            )
        ).scalar_one()
    assert (seed.title, seed.version) == (TITLE, 2)
    assert old == [TITLE + " - Syrian Arab News Agency"]
    assert arabic == "sana-ar"  # another source's pages are left alone


def test_a_page_over_its_extraction_budget_is_recorded_and_the_rest_reprocessed(
    database_url: str, replay, fast_crawl, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest("sana-en", base_url=replay.base_url)
    # A 9 MB single paragraph (libxml2 drops a text node over 10 MB): some 6 s of extraction
    # or more (0.65 s a MB at best), four times a 1.5 s budget that the recorded pages (50 ms
    # each) fit thirty times over.
    words = "The talks in Geneva went on, the envoy said. " * 200_000
    html = f"<html><body><article><h1>Long</h1><p>{words}</p></article></body></html>"
    page = FetchedPage(
        url=HUGE,
        final_url=HUGE,
        status=200,
        kind=PageKind.ARTICLE,
        fetched_at=datetime.now(UTC),
        body=html.encode(),
        headers={"Content-Type": "text/html; charset=UTF-8"},
    )
    with session_scope(database_url) as session:
        store.save_page(session, None, "sana-en", page)
    monkeypatch.setenv("NEWSFLOW_EXTRACT__PAGE_TIMEOUT_SECONDS", "1.5")
    get_settings.cache_clear()

    totals = reprocess("sana-en")

    get_settings.cache_clear()
    assert totals.get("over_budget") == 1 and totals["unchanged"] >= 19, totals
    with session_scope(database_url) as session:
        failure = session.execute(
            select(models.Failure).where(models.Failure.url == HUGE)
        ).scalar_one()
    assert (failure.stage, failure.code) == ("extract", "budget_exceeded")
    assert failure.reason == "extraction over budget: took over 1.5 s; worker stopped"
