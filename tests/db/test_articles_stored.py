"""Articles stored per source: a counter the database keeps, right whoever writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from newsflow.db import models, queries, store
from newsflow.db.dialect import copy_rows
from newsflow.db.session import session_scope
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from newsflow.registry import load_registry

SEEN = datetime(2026, 12, 1, tzinfo=UTC)


def _counted(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        rows = session.execute(
            select(models.Article.source_id, func.count()).group_by(models.Article.source_id)
        ).all()
        return {source: count for source, count in rows}


def _kept(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        return {
            source.id: queries.article_count(session, source.id)
            for source in session.execute(select(models.Source)).scalars()
            if source.articles_stored
        }


def test_the_counter_follows_inserts_bulk_loads_and_deletes(
    database_url: str, seeded: dict[str, int]
) -> None:
    assert _kept(database_url) == _counted(database_url)
    assert sum(_counted(database_url).values()) == len(seeded)
    with session_scope(database_url) as session:
        copy_rows(  # COPY on PostgreSQL: statement triggers see it too
            session,
            models.Base.metadata.tables["articles"],
            [_row(f"https://ria.ru/bulk/{n}", session) for n in range(30)],
        )
    with session_scope(database_url) as session:
        session.execute(delete(models.Article).where(models.Article.url.like("%/bulk/1%")))
    counted = _counted(database_url)
    assert _kept(database_url) == counted
    with session_scope(database_url) as session:
        assert queries.article_count(session) == sum(counted.values()) == len(seeded) + 19


def _row(url: str, session: Session) -> dict[str, object]:
    # COPY takes JSON columns as their text; an INSERT takes the values.
    text = session.get_bind().dialect.name == "postgresql"
    return {
        "source_id": "ria-ru",
        "url": url,
        "title": "Bulk",
        "body": "Loaded in bulk.",
        "authors": "[]" if text else [],
        "tags": "[]" if text else [],
        "provenance": "{}" if text else {},
        "content_hash": url,
        "version": 1,
        "first_seen_at": SEEN,
        "last_seen_at": SEEN,
    }


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_truncate_sets_every_counter_to_zero(database_url: str) -> None:
    with session_scope(database_url) as session:
        store.sync_sources(session, load_registry().values())
        copy_rows(
            session,
            models.Base.metadata.tables["articles"],
            [_row(f"https://ria.ru/bulk/{n}", session) for n in range(5)],
        )
    assert _kept(database_url) == {"ria-ru": 5}
    with session_scope(database_url) as session:
        session.execute(text("TRUNCATE articles CASCADE"))
    assert _kept(database_url) == {} == _counted(database_url)
