"""Re-extraction from stored raw pages: a better extractor, no refetching."""

from __future__ import annotations

import pytest
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from newsflow.flows.reprocess import reprocess
from sqlalchemy import select, update

SEED = "https://sana.sy/en/?p=92385"
TITLE = "Russia: Kremlin waiting for US and European response to Belgian airstrikes in Aleppo"


# One batch is extracted in the flow process; several in a pool of one process per core.
@pytest.mark.parametrize("batch_size", [200, 3], ids=["in-process", "process-pool"])
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
