"""A scheduled run's queries read through indexes, never the whole store (EXPLAIN).

Each test runs the library function itself, captures the statements it sends, and asks the
database for their plans: on PostgreSQL (analysed, as autovacuum keeps it) with sequential
scans priced out, since the tables are small here and the planner would rightly prefer them,
no Seq Scan may remain; on SQLite, which keeps no statistics, no full SCAN of a store table.
(PostgreSQL may still hash a subplan when that costs less than one index lookup per row.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsflow.db import models, queries, store
from newsflow.db.coverage import refresh_coverage, touched_days
from newsflow.db.session import get_engine, session_scope
from sqlalchemy import event, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from newsflow.article import Article
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import load_registry

SOURCE = "sana-en"
DAY = date(2024, 3, 1)
STORE_TABLES = ("articles", "pages", "failures", "discoveries", "crawl_runs")


def _fill(url: str) -> int:
    """A source with stored, failed and still-missing discoveries; returns the run id."""
    moment = datetime(2024, 3, 1, 12, tzinfo=UTC)
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        run_id = store.start_run(session, SOURCE, "backfill", (DAY, DAY))
        listed = [f"https://sana.sy/en/?p={n}" for n in range(30)]
        store.record_discoveries(session, run_id, SOURCE, [(u, DAY, "sitemap") for u in listed])
        for n, address in enumerate(listed[:20]):
            page = FetchedPage(address, address, 200, PageKind.ARTICLE, moment, b"<p>x</p>", {})
            page_id = store.save_page(session, run_id, SOURCE, page)
            article = Article(
                url=address,
                title=f"Story {n}",
                body="Text.",
                source=SOURCE,
                published_at=moment + timedelta(minutes=n) if n % 5 else None,
            )
            store.save_article(session, article, page_id, moment)
        for address in listed[20:25]:
            store.record_failure(session, run_id, SOURCE, address, "fetch", "HTTP 503", 503)
        # Rejected pages of other URLs: the failures a long-lived source piles up.
        session.execute(
            insert(models.Failure),
            [
                {
                    "run_id": run_id,
                    "source_id": SOURCE,
                    "url": f"https://sana.sy/en/x{n}",
                    "stage": "extract",
                    "code": "not_article",
                    "reason": "listing",
                    "occurred_at": moment,
                }
                for n in range(3000)
            ],
        )
    _analyse(url)
    return run_id


def _analyse(url: str) -> None:
    """Statistics, as PostgreSQL's autovacuum keeps them (SQLite keeps none unless asked)."""
    engine = get_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


@contextmanager
def _captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements sent on ``engine`` while the block runs, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _plans(url: str, work: Callable[[Session], object], *settings: str) -> list[str]:
    """The plan of every SELECT ``work`` sends, one string each (PostgreSQL ``settings``)."""
    engine = get_engine(url)
    with _captured(engine) as sent, session_scope(url) as session:
        work(session)
    plans = []
    with engine.connect() as connection:
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            for setting in ("enable_seqscan = off", *settings):
                connection.exec_driver_sql(f"SET {setting}")
        for statement, parameters in sent:
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            plans.append("\n".join(str(row[-1]) for row in rows))
    return plans


def _assert_indexed(plans: list[str], *indexes: str) -> None:
    assert plans
    text = "\n".join(plans)
    for plan in plans:
        assert "Seq Scan" not in plan, plan
        for table in STORE_TABLES:
            assert f"SCAN {table}" not in plan.replace("SCAN CONSTANT", ""), plan
    for index in indexes:
        assert index in text, text


def test_coverage_checks_each_listed_url_through_indexes(database_url: str) -> None:
    _fill(database_url)
    tz = ZoneInfo("Asia/Damascus")
    with session_scope(database_url) as session:
        assert refresh_coverage(session, SOURCE, DAY, DAY, tz) == 1
        row = queries_coverage(session)
    assert (row.discovered, row.missing, row.failed) == (30, 10, 5)
    plans = _plans(database_url, lambda s: refresh_coverage(s, SOURCE, DAY, DAY, tz))
    _assert_indexed(
        plans, "ix_discoveries_source_listed", "ix_failures_source_url", "ix_pages_final_url"
    )


def queries_coverage(session: Session) -> models.Coverage:
    """The coverage row of DAY."""
    return session.get(models.Coverage, (SOURCE, DAY))  # type: ignore[return-value]


def test_newest_articles_read_each_source_newest_first_from_its_index(database_url: str) -> None:
    _fill(database_url)
    with session_scope(database_url) as session:
        newest = queries.newest_articles(session, [SOURCE, "tass-en"], limit=18)
        titles = [a.title for a in newest]
    # Dated articles newest first, then the undated (every fifth) newest first.
    assert titles[:3] == ["Story 19", "Story 18", "Story 17"]
    assert titles[-2:] == ["Story 15", "Story 10"] and len(titles) == 18
    # With sorting priced out too: the index gives the order, whatever the table's size.
    newest = lambda s: queries.newest_articles(s, [SOURCE, "tass-en"])  # noqa: E731
    plans = _plans(database_url, newest, "enable_sort = off")
    _assert_indexed(plans, "ix_articles_source_published")
    ordered = "\n".join(plans[:2])  # the dated articles of each source
    # (An incremental sort only orders the ties of one timestamp by id.)
    assert "->  Sort " not in ordered and "USE TEMP B-TREE FOR ORDER BY" not in ordered, ordered


def test_known_url_check_and_the_days_a_run_touched_use_indexes(database_url: str) -> None:
    run_id = _fill(database_url)
    listed = [f"https://sana.sy/en/?p={n}" for n in range(18, 23)]
    touched = lambda s: touched_days(s, SOURCE, [run_id], ZoneInfo("UTC"))  # noqa: E731
    with session_scope(database_url) as session:
        known = store.known_article_urls(session, SOURCE, listed)
        assert DAY in touched(session)
    assert known == set(listed[:2])
    plans = _plans(database_url, lambda s: store.known_article_urls(s, SOURCE, listed))
    _assert_indexed(plans, "ix_pages_final_url")
    plans = _plans(database_url, touched)
    _assert_indexed(plans, "ix_discoveries_run_id")
    # Every page here is the one run's, so PostgreSQL rightly reads pages by any index; SQLite,
    # which keeps no statistics, shows the shape chosen when runs are many.
    if database_url.startswith("sqlite"):
        _assert_indexed(plans, "ix_pages_run_id")


def test_status_reads_recent_provenance_from_the_first_seen_index(database_url: str) -> None:
    _fill(database_url)
    plans = _plans(database_url, lambda s: queries.recent_provenance(s, SOURCE))
    _assert_indexed(plans, "ix_articles_source_first_seen")


def test_status_checks_languages_of_the_newest_articles_only(database_url: str) -> None:
    from newsflow.db.enrichment import language_disagreements

    _fill(database_url)
    plans = _plans(database_url, lambda s: language_disagreements(s, [SOURCE, "sana-ar"]))
    assert len(plans) == 4  # two bounded queries per source: newest articles, their languages
    _assert_indexed(plans, "ix_articles_source_first_seen", "ix_enrichments_article_enricher")


def test_the_backfill_progress_line_reads_ranges_not_the_source(database_url: str) -> None:
    from newsflow.cli.progress import ProgressWatcher

    _fill(database_url)
    with ProgressWatcher(SOURCE, DAY, DAY, every=3600) as watcher:
        line = watcher._line()
        plans = _plans(database_url, lambda s: watcher._line())
    assert "0 URLs found" in line and "0/30 URLs" in line  # none settled in the window yet
    _assert_indexed(plans, "ix_discoveries_source_listed", "ix_failures_source_occurred")
    found_since = plans[2]  # the third count: URLs found while the watcher runs
    assert "pk_discoveries" in found_since or "PRIMARY KEY (rowid>?)" in found_since, found_since


def test_the_queues_are_read_in_id_order_from_their_partial_indexes(database_url: str) -> None:
    from newsflow.db import dedup, enrichment

    _fill(database_url)
    moment = datetime(2024, 3, 1, 12, tzinfo=UTC)
    with session_scope(database_url) as session:  # most articles done, as in a long-lived store
        session.execute(
            insert(models.Article),
            [
                {
                    "source_id": SOURCE,
                    "url": f"https://sana.sy/en/?p=old{n}",
                    "title": "Old",
                    "body": "Old.",
                    "content_hash": f"h{n}",
                    "version": 1,
                    "first_seen_at": moment,
                    "last_seen_at": moment,
                }
                for n in range(2000)
            ],
        )
        done = models.Article.id % 100 != 0
        session.execute(
            update(models.Article)
            .where(done)
            .values(
                dedup_hash=models.Article.content_hash, enriched_hash=models.Article.content_hash
            )
        )
    _analyse(database_url)
    plans = _plans(
        database_url,
        lambda s: (dedup.pending_ids(s, SOURCE, 10), enrichment.pending_ids(s, SOURCE, 10)),
    )
    assert len(plans) == 2
    _assert_indexed(plans, "ix_articles_dedup_pending", "ix_articles_enrich_pending")
    # Not the primary key in id order, filtering every article already done on the way.
    assert not [plan for plan in plans if "pk_articles" in plan or "INTEGER PRIMARY" in plan]
