"""Idempotent writes on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from newsflow.db import models, store
from newsflow.db.session import session_scope
from sqlalchemy import func, select, text

from newsflow.article import Article
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import load_registry

DAMASCUS = timezone(timedelta(hours=3))
ARTICLE = Article(
    url="https://sana.sy/en/?p=92385",
    title="Russia: Kremlin waiting",
    body="Moscow, SANA – Kremlin spokesman said.\n\nSecond paragraph.",
    language="en",
    published_at=datetime(2016, 10, 19, 15, 42, 10, tzinfo=DAMASCUS),
    authors=("Hazem Sabbagh",),
    dateline="Moscow",
    tags=("Aleppo",),
    source="sana-en",
    provenance={"published_at": "meta[article:published_time]"},
)


def _prepare(url: str) -> int:
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        return store.start_run(session, "sana-en", "manual")


def test_article_roundtrip_keeps_instant_offset_and_provenance(database_url: str) -> None:
    _prepare(database_url)
    with session_scope(database_url) as session:
        assert store.save_article(session, ARTICLE, None) == store.Outcome.NEW
    with session_scope(database_url) as session:
        row = session.execute(select(models.Article)).scalar_one()
    assert row.published_at == datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    assert row.published_offset_minutes == 180
    assert row.authors == ["Hazem Sabbagh"]
    assert row.provenance == {"published_at": "meta[article:published_time]"}


def test_saving_twice_is_unchanged_and_an_edit_keeps_the_old_version(database_url: str) -> None:
    _prepare(database_url)
    edited = ARTICLE.evolve(body=ARTICLE.body + "\n\nCorrection appended.")
    with session_scope(database_url) as session:
        outcomes = [store.save_article(session, a, None) for a in (ARTICLE, ARTICLE, edited)]
    assert outcomes == [store.Outcome.NEW, store.Outcome.UNCHANGED, store.Outcome.UPDATED]
    with session_scope(database_url) as session:
        article = session.execute(select(models.Article)).scalar_one()
        version = session.execute(select(models.ArticleVersion)).scalar_one()
    assert (article.version, article.body) == (2, edited.body)
    assert (version.version, version.body, version.changed_fields) == (1, ARTICLE.body, ["body"])


def test_pages_are_compressed_and_stored_once_per_body(database_url: str) -> None:
    run_id = _prepare(database_url)
    page = FetchedPage(
        url="https://sana.sy/en/?p=1",
        final_url="https://sana.sy/en/?p=1",
        status=200,
        kind=PageKind.ARTICLE,
        fetched_at=datetime.now(UTC),
        body=b"<html>" + b"x" * 5000 + b"</html>",
        headers={"ETag": '"a"'},
    )
    with session_scope(database_url) as session:
        first = store.save_page(session, run_id, "sana-en", page)
        again = store.save_page(session, run_id, "sana-en", page)
        stored = session.get(models.Page, first)
        assert first == again
        assert len(stored.body) < 200
        assert store.load_page_body(stored) == page.body
        assert store.known_article_urls(session, "sana-en", [page.url, "https://x/"]) == {page.url}


def test_failures_and_feed_validators(database_url: str) -> None:
    run_id = _prepare(database_url)
    feed = "https://sana.sy/en/?feed=rss2"
    with session_scope(database_url) as session:
        for _ in range(2):
            store.record_failure(
                session, run_id, "sana-en", "https://sana.sy/x", "fetch", "HTTP 404", 404
            )
        store.update_feed(session, feed, "sana-en", "feed", 200, etag='"e1"', last_modified="Wed")
        store.update_feed(session, feed, "sana-en", "feed", 304)  # a 304 without validators
    with session_scope(database_url) as session:
        assert session.execute(select(func.count()).select_from(models.Failure)).scalar_one() == 1
        assert store.feed_validators(session, feed) == ('"e1"', "Wed")
        assert session.get(models.Feed, feed).last_status == 304


def _queue(url: str, run_id: int, urls: list[str]) -> None:
    with session_scope(url) as session:
        store.record_discoveries(session, run_id, "sana-en", [(u, None, "feed") for u in urls])


def test_the_discovery_queue_is_settled_for_good_or_retried_up_to_a_cap(database_url: str) -> None:
    run_id = _prepare(database_url)
    listed = [f"https://sana.sy/en/?p={n}" for n in range(1, 6)]
    _queue(database_url, run_id, listed)
    with session_scope(database_url) as session:
        assert store.pending_discoveries(session, "sana-en", 3) == listed[:3]  # oldest first
        assert store.pending_discoveries(session, "sana-ar", 10) == []
        assert store.settle_discoveries(session, "sana-en", [*listed[:2], "https://x/"]) == 2
        assert store.settle_discoveries(session, "sana-ar", listed[2:]) == 0  # other source
        retried = [
            store.settle_discoveries(session, "sana-en", listed[2:3], retry=True) for _ in (1, 2)
        ]
    assert retried == [0, 0]  # a passing failure leaves the URL queued
    _queue(database_url, run_id, listed)  # listed again: what is done stays done
    with session_scope(database_url) as session:
        assert store.pending_discoveries(session, "sana-en", 10) == listed[2:]
        closed = [
            store.settle_discoveries(session, "sana-en", listed[2:3], retry=True, max_attempts=4)
            for _ in range(3)
        ]
        row = session.execute(
            select(models.Discovery).where(models.Discovery.url == listed[2])
        ).scalar_one()
    assert closed == [0, 1, 0] and row.attempts == 4 and row.done_at is not None


def test_the_queue_is_read_through_its_partial_index(database_url: str) -> None:
    _prepare(database_url)
    with session_scope(database_url) as session:
        engine = session.get_bind()
        query = (
            select(models.Discovery.url)
            .where(models.Discovery.source_id == "sana-en", models.Discovery.done_at.is_(None))
            .order_by(models.Discovery.id)
            .limit(100)
        )
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        if engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: force it
            plan = session.execute(text(f"EXPLAIN {sql}")).scalars().all()
        else:
            plan = [row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
    assert any("ix_discoveries_pending" in line for line in plan), plan


def test_a_sitemap_index_keeps_no_validators(database_url: str) -> None:
    _prepare(database_url)
    index = "https://sana.sy/en/sitemap.xml"
    with session_scope(database_url) as session:
        store.update_feed(session, index, "sana-en", "sitemap", 200, etag='"e1"', last_modified="W")
        store.update_feed(session, index, "sana-en", "sitemap", 200, etag='"e2"', conditional=False)
        assert store.feed_validators(session, index) == (None, None)


def test_a_run_follows_a_cut_one_after_a_kill_or_within_a_retried_crawl(
    database_url: str,
) -> None:
    first = _prepare(database_url)
    with session_scope(database_url) as session:
        assert not store.follows_cut_run(session, "sana-en", first)  # the first run ever
        second = store.start_run(session, "sana-en", "manual")
        assert store.mark_interrupted(session, "sana-en") == 2
        third = store.start_run(session, "sana-en", "manual")
        assert store.follows_cut_run(session, "sana-en", third)  # after an interrupted run
        store.finish_run(session, third, {}, "completed")
        fourth = store.start_run(session, "sana-en", "scheduled")
        assert not store.follows_cut_run(session, "sana-en", fourth)
        page = FetchedPage(
            url="https://sana.sy/en/?p=1",
            final_url="https://sana.sy/en/?p=1",
            status=200,
            kind=PageKind.ARTICLE,
            fetched_at=datetime.now(UTC),
            body=b"<html></html>",
        )
        store.save_page(session, fourth, "sana-en", page)
        assert store.follows_cut_run(session, "sana-en", fourth)  # its crawl is being retried
    assert second > first


def test_discoveries_are_recorded_in_one_statement_and_keep_the_first_date(
    database_url: str,
) -> None:
    run_id = _prepare(database_url)
    day, later = datetime(2016, 10, 19).date(), datetime(2016, 10, 20).date()
    many = [(f"https://sana.sy/en/?p={n}", day, "sitemap") for n in range(2500)]
    twice = "https://sana.sy/en/?p=1"
    with session_scope(database_url) as session:
        # Named undated by a feed, then dated twice in the same call: one row, the first date.
        found = [(twice, None, "feed"), *many, (twice, later, "listing")]
        assert store.record_discoveries(session, run_id, "sana-en", found) == 2500
    with session_scope(database_url) as session:
        store.record_discoveries(session, run_id, "sana-en", [(twice, later, "listing")])
        rows = session.execute(select(models.Discovery)).scalars().all()
        first = session.execute(
            select(models.Discovery).where(models.Discovery.url == twice)
        ).scalar_one()
    assert len(rows) == 2500 and (first.listed_on, first.via) == (day, "feed")
