"""The query contract: views on both databases, their documentation, indexes, read-only access."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from newsflow.db import migrate, models, search, store
from newsflow.db.schema_doc import SCHEMA_DOC, render_schema_doc
from newsflow.db.session import get_engine, session_scope
from newsflow.db.views import QUERIES, TYPES, VIEWS, table
from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import Engine

from newsflow.registry import load_registry
from tests.databases import empty_database

SEED = "https://sana.sy/en/?p=92385"
COPY = "https://tass.com/world/copy-of-sana-92385"


def _rows(view: str, *where: Any) -> list[dict[str, Any]]:
    with session_scope() as session:
        found = session.execute(select(table(view)).where(*where)).mappings()
        return [dict(row) for row in found]


def test_view_columns_are_the_described_ones(database_url: str) -> None:
    with get_engine(database_url).connect() as connection:
        for view in VIEWS:
            columns = connection.execute(text(f"SELECT * FROM {view.name} LIMIT 0")).keys()
            assert list(columns) == view.names, f"db/views.py does not describe {view.name}"


def test_every_column_is_typed_and_documented() -> None:
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    for view in VIEWS:
        for column in view.columns:
            assert column.type in TYPES and column.meaning, (view.name, column.name)
            assert f"| `{column.name}` | {column.type} |" in doc, (view.name, column.name)


def test_schema_doc_is_current() -> None:
    assert SCHEMA_DOC.read_text(encoding="utf-8") == render_schema_doc(), (
        "docs/schema.md is stale: run `python -m db.views`"
    )


def test_article_view_returns_the_seed_with_its_fields(seeded: dict[str, int]) -> None:
    view = table("article_view")
    [row] = _rows("article_view", view.c.id == seeded[SEED])
    assert row["title"] == (
        "Russia: Kremlin waiting for US and European response to Belgian airstrikes in Aleppo"
    )
    assert row["body"].startswith("Moscow, SANA – Kremlin spokesman Dmitry Peskov said that")
    assert (row["source"], row["agency"], row["url"]) == ("sana-en", "sana", SEED)
    assert (row["language"], row["detected_language"], row["declared_language"]) == (
        "en",
        "en",
        "en",
    )
    assert row["authors"] == ["Hazem Sabbagh"]
    assert row["published_at"] == datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    assert (row["published_offset_minutes"], row["published_day"]) == (180, date(2016, 10, 19))
    assert (row["dateline"], row["section"]) == ("Moscow", "Politics")
    assert row["tags"] == ["Aleppo", "Belgium", "Peskov", "Zakharova"]
    assert (row["duplicate_of"], row["original_id"], row["story_id"]) == (None, row["id"], None)
    assert (row["version"], row["removed"], row["removed_at"]) == (1, False, None)
    # Most mentioned first; "Belgian" is a nationality, not a country of the article.
    assert row["countries"][:2] == ["SY", "RU"] and "BE" not in row["countries"]
    assert row["people"][0] == "Dmitry Peskov" and "Sergey Lavrov" in row["people"]
    assert "Kremlin" in row["organisations"]
    assert "Aleppo" in row["places"] and row["keywords"]
    assert row["provenance"]["published_at"].startswith("rule:date")


def test_a_copy_points_to_its_original_and_reads_its_enrichments(seeded: dict[str, int]) -> None:
    view = table("article_view")
    [copy] = _rows("article_view", view.c.id == seeded[COPY])
    [seed] = _rows("article_view", view.c.id == seeded[SEED])
    assert (copy["source"], copy["duplicate_of"], copy["original_id"]) == (
        "tass-en",
        seeded[SEED],
        seeded[SEED],
    )
    assert (copy["duplicate_method"], copy["duplicate_similarity"]) == ("exact", 1.0)
    assert copy["countries"] == seed["countries"] and copy["language"] == "en"


def test_story_id_and_removal_show_through(seeded: dict[str, int]) -> None:
    with session_scope() as session:
        story = models.Story(language="en", size=1)
        session.add(story)
        session.flush()
        session.add(
            models.StoryMember(story_id=story.id, article_id=seeded[SEED], score=0.5, method="text")
        )
        gone = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
        session.execute(
            update(models.Article)
            .where(models.Article.id == seeded[SEED])
            .values(removed_at=gone, removed_reason="http_404")
        )
        story_id = story.id
    view = table("article_view")
    rows = _rows("article_view", view.c.original_id == seeded[SEED])
    assert {(r["id"], r["story_id"]) for r in rows} == {
        (seeded[SEED], story_id),
        (seeded[COPY], story_id),  # a copy belongs to its original's story
    }
    [seed] = [r for r in rows if r["id"] == seeded[SEED]]
    assert (seed["removed"], seed["removed_at"], seed["removed_reason"]) == (
        True,
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "http_404",
    )
    members = table("story_articles")
    assert [(r["article_id"], r["method"], r["story_size"]) for r in _rows("story_articles")] == [
        (seeded[SEED], "text", 1)
    ]
    assert _rows("story_articles", members.c.story_id == story_id + 1) == []


def test_daily_counts_per_source_language_and_local_day(seeded: dict[str, int]) -> None:
    counts = table("daily_counts")
    october = _rows("daily_counts", counts.c.day == date(2016, 10, 19))
    found = {
        (r["source"], r["language"]): (r["articles"], r["originals"], r["duplicates"])
        for r in october
    }
    assert found == {
        ("sana-en", "en"): (1, 1, 0),
        ("sana-ar", "ar"): (1, 1, 0),
        ("tass-en", "en"): (1, 0, 1),  # the planted copy
        ("ria-ru", "ru"): (1, 1, 0),
        ("xinhua-en", "en"): (1, 1, 0),
    }
    total = sum(r["articles"] for r in _rows("daily_counts"))
    assert total == len(seeded)


def test_local_day_follows_the_pages_offset(database_url: str) -> None:
    from newsflow.article import Article

    late = datetime(2016, 10, 19, 23, 30, tzinfo=UTC).astimezone(timezone_of(180))
    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
        store.save_article(
            session,
            Article(
                url="https://sana.sy/en/?p=7",
                title="t",
                body="b",
                published_at=late,
                source="sana-en",
            ),
            None,
        )
    [row] = _rows("daily_counts")
    assert row["day"] == date(2016, 10, 20)  # 02:30 in Damascus


def timezone_of(minutes: int) -> Any:
    from datetime import timezone

    return timezone(timedelta(minutes=minutes))


def test_source_health(database_url: str) -> None:
    now = datetime.now(UTC)
    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
        run_id = store.start_run(session, "sana-en", "scheduled")
        store.finish_run(session, run_id, {"articles_new": 0}, "completed")
        failing = store.start_run(session, "sana-en", "manual")
        store.finish_run(session, failing, {}, "failed", "boom")
        store.record_failure(session, failing, "sana-en", "https://sana.sy/en/?p=1", "fetch", "x")
        store.record_failure(session, run_id, "sana-en", "https://sana.sy/en/?p=2", "fetch", "y")
        session.execute(
            update(models.Failure)
            .where(models.Failure.run_id == run_id)
            .values(occurred_at=now - timedelta(days=3))
        )
        for url, kind, error in (
            ("f1", "feed", None),
            ("f2", "feed", "HTTP 500"),
            ("f3", "feed", None),
            ("s1", "sitemap", None),
        ):
            store.update_feed(session, url, "sana-en", kind, 200, error=error)
        session.execute(
            update(models.Feed)
            .where(models.Feed.url.in_(["f3", "s1"]))
            .values(last_success_at=now - timedelta(days=3))
        )
    health = table("source_health")
    [row] = _rows("source_health", health.c.source == "sana-en")
    assert (row["last_run_id"], row["last_run_status"], row["last_run_kind"]) == (
        failing,
        "failed",
        "manual",
    )
    assert row["last_completed_at"] is not None and row["last_completed_at"] <= now + timedelta(1)
    assert (row["failures_24h"], row["failures_7d"]) == (1, 2)
    assert (row["feeds"], row["stale_feeds"]) == (4, 2)  # the failing feed and the silent one
    assert row["oldest_feed_success_at"] < now - timedelta(days=2)
    assert row["last_new_article_at"] is None
    assert len(_rows("source_health")) == len(load_registry())


# PostgreSQL only: the documented queries use their indexes (the read-only role: test_grants).


@pytest.fixture(scope="module")
def filled_url(postgres_server_url: str) -> Iterator[str]:
    """A database of its own holding 20,000 articles, stories, runs and failures, analysed."""
    with empty_database(postgres_server_url, "newsflow_explain") as url:
        migrate.upgrade(url)
        _fill(url, 20_000)
        yield url


SOURCES = ["sana-en", "tass-en", "xinhua-en", "irna-en", "anadolu-en"]


def _fill(url: str, count: int) -> None:
    """Articles over several sources and days, stories for some, runs and failures, statistics."""
    start = datetime(2016, 10, 1, tzinfo=UTC)
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
    engine = get_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(models.Article), [_article(n, start) for n in range(count)])
        connection.execute(
            text(
                "INSERT INTO stories (id, language, size, created_at, updated_at) "
                "SELECT g, 'en', 3, now(), now() FROM generate_series(1, :n) g"
            ),
            {"n": count // 10},
        )
        connection.execute(
            text(
                "INSERT INTO story_members (story_id, article_id, score, method, added_at) "
                "SELECT (id % :n) + 1, id, 0.5, 'text', now() FROM articles WHERE id <= :m"
            ),
            {"n": count // 10, "m": count * 3 // 10},
        )
        connection.execute(text("UPDATE articles SET duplicate_of_id = 1 WHERE id BETWEEN 2 AND 4"))
        _runs(connection, start)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def _article(n: int, start: datetime) -> dict[str, Any]:
    return {
        "source_id": SOURCES[n % len(SOURCES)],
        "url": f"https://example.org/{n}",
        "title": f"Story {n}",
        "body": f"Ministers met in city{n % 997} on day {n}.",
        "authors": [],
        "tags": [],
        "provenance": {},
        "language": "en",
        "content_hash": f"{n:064d}",
        "published_at": start + timedelta(hours=n),
        "published_offset_minutes": 180,
    }


def _runs(connection: Any, start: datetime) -> None:
    runs, failures = [], []
    for n in range(200):
        source = SOURCES[n % len(SOURCES)]
        status = "completed" if n % 3 else "failed"
        finished = start + timedelta(hours=n)
        runs.append(
            {
                "source_id": source,
                "kind": "scheduled",
                "status": status,
                "counts": {},
                "started_at": finished,
                "finished_at": finished,
            }
        )
        failures.append(
            {
                "source_id": source,
                "url": f"https://x/{n}",
                "stage": "fetch",
                "code": "timeout",
                "reason": "timeout",
                "occurred_at": finished,
            }
        )
    connection.execute(insert(models.CrawlRun), runs)
    connection.execute(insert(models.Failure), failures)


def _plan(engine: Engine, sql: str, params: dict[str, Any] | None = None) -> str:
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        rows = connection.execute(text("EXPLAIN " + sql), params or {}).scalars()
        return "\n".join(rows)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.index)
def test_documented_queries_use_their_index(filled_url: str, query: Any) -> None:
    plan = _plan(get_engine(filled_url), query.sql, query.params)
    assert query.index in plan, plan


def test_search_uses_the_gin_index(filled_url: str) -> None:
    engine = get_engine(filled_url)
    with session_scope(filled_url) as session:
        statement = search.ranked_statement(session, "city42", sources=["sana-en"])
        hits = search.search(session, "city42", sources=["sana-en"], limit=100)
    # Values stay parameters (a tsquery's colons are data); IN lists expand to one each.
    compiled = statement.compile(engine, compile_kwargs={"render_postcompile": True})
    with engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars()
        plan = "\n".join(rows)
    assert "ix_articles_search" in plan
    assert hits and all("[city42]" in h.snippet and h.source == "sana-en" for h in hits)


def test_source_health_reads_by_index(filled_url: str) -> None:
    plan = _plan(get_engine(filled_url), "SELECT * FROM source_health")
    for index in (
        "ix_articles_source_first_seen",
        "ix_failures_source_occurred",
        "ix_crawl_runs_source_run",
        "ix_crawl_runs_source_completed",
    ):
        assert index in plan, plan
