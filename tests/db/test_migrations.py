"""Migrations: one head; upgrade, downgrade and upgrade again with rows present."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.db import migrate, models, store
from newsflow.db.session import get_engine, session_scope
from sqlalchemy import inspect, select

from newsflow.article import Article
from newsflow.registry import load_registry

EXPECTED_TABLES = {
    "sources",
    "crawl_runs",
    "pages",
    "feeds",
    "articles",
    "article_versions",
    "failures",
}


def test_single_head() -> None:
    assert len(migrate.heads()) == 1


def test_upgrade_creates_schema_matching_models(database_url: str) -> None:
    tables = set(inspect(get_engine(database_url)).get_table_names())
    assert tables >= EXPECTED_TABLES
    assert migrate.current(database_url) == migrate.heads()[0]


def test_downgrade_and_upgrade_with_rows(database_url: str) -> None:
    _insert_rows(database_url)
    migrate.downgrade(database_url, "base")
    assert not EXPECTED_TABLES & set(inspect(get_engine(database_url)).get_table_names())
    migrate.upgrade(database_url)
    _insert_rows(database_url)
    with session_scope(database_url) as session:
        titles = session.execute(select(models.Article.title)).scalars().all()
    assert titles == ["Kremlin waits"]


def _insert_rows(url: str) -> None:
    published = datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    article = Article(
        url="https://sana.sy/en/?p=1",
        title="Kremlin waits",
        body="Text.",
        published_at=published,
        source="sana-en",
    )
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        run_id = store.start_run(session, "sana-en", "manual")
        assert store.save_article(session, article, None) == store.Outcome.NEW
        store.finish_run(session, run_id, {"articles_new": 1}, "completed")
