"""The change log and sync cursors: what each sync emits, and that no change is ever skipped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from newsflow.db import cursors, migrate, revisits, store
from newsflow.db import enrichment as enrichment_store
from newsflow.db.changes import (
    ARTICLE_CHANGES,
    CHANGE_VIEW,
    change_records,
    change_select,
    window_since,
)
from newsflow.db.export import stream
from newsflow.db.models import Article as Row
from newsflow.db.session import get_engine, session_scope
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsflow.article import Article
from newsflow.enrichment import Annotation, Result
from newsflow.registry import load_registry

PUBLISHED = datetime(2016, 10, 19, 12, 0, tzinfo=UTC)


@pytest.fixture
def database_url(emptied_database: str) -> str:
    """The module's own database, emptied for each test (tests/conftest.py)."""
    return emptied_database


def _article(n: int, title: str | None = None, body: str = "Text.", **extra: Any) -> Article:
    return Article(
        url=f"https://sana.sy/en/?p={n}",
        title=title or f"Story {n}",
        body=body,
        source=extra.pop("source", "sana-en"),
        published_at=PUBLISHED,
        **extra,
    )


def _store(url: str, *articles: Article) -> dict[str, int]:
    """Store articles (sources synced first); their ids by URL."""
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        for article in articles:
            store.save_article(session, article, None)
    with session_scope(url) as session:
        return dict(session.execute(select(Row.url, Row.id)).all())


class Collect:
    """A sync's writer that keeps what it was given; ``fail_after``: raise after so many."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.records: list[dict[str, Any]] = []
        self.fail_after = fail_after

    def __call__(self, records: Iterator[dict[str, Any]]) -> int:
        for record in records:
            if self.fail_after is not None and len(self.records) >= self.fail_after:
                raise OSError(28, "No space left on device")
            self.records.append(record)
        return len(self.records)


def _sync(url: str, name: str = "duck", **filters: Any) -> list[dict[str, Any]]:
    writer = Collect()
    synced = cursors.sync(name, filters, writer, url=url)
    assert synced.count == len(writer.records)
    return writer.records


def _position(url: str, name: str = "duck") -> tuple[bool, int]:
    with session_scope(url) as session:
        cursor = cursors.read_cursor(session, name)
    return cursor.stored, cursor.position


def _brief(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["change"], r["url"], r["changes"]) for r in records]


def _enrich(url: str, article_id: int, keywords: list[str], version: int = 1) -> None:
    """Store a keywords enricher's results for an article, as the enrichment flow does."""
    annotations = tuple(Annotation("keyword", word, score=1.0) for word in keywords)
    with session_scope(url) as session:
        (stored,) = enrichment_store.load(session, [article_id])
        enrichment_store.save_batch(session, [(stored, [Result("keywords", version, annotations)])])


def test_a_first_sync_emits_every_article_as_new_then_nothing(database_url: str) -> None:
    before = datetime.now(UTC)
    _store(database_url, _article(1), _article(2, authors=("Hazem Sabbagh",)))
    assert _position(database_url) == (False, 0)

    first = _sync(database_url)
    assert _brief(first) == [
        ("new", "https://sana.sy/en/?p=1", ["new"]),
        ("new", "https://sana.sy/en/?p=2", ["new"]),
    ]
    record = first[1]
    assert list(record) == CHANGE_VIEW.names
    assert record["title"] == "Story 2" and record["authors"] == ["Hazem Sabbagh"]
    assert record["published_at"] == PUBLISHED and record["version"] == 1
    assert before <= first[0]["changed_at"] <= record["changed_at"] <= datetime.now(UTC)
    stored, position = _position(database_url)
    assert stored and position > 0

    assert _sync(database_url) == []
    assert _position(database_url) >= (True, position)  # moved on or stayed: nothing skipped


def test_an_edit_a_removal_a_restore_and_new_articles(database_url: str) -> None:
    ids = _store(database_url, _article(1), _article(2))
    _sync(database_url)

    edited_at = datetime.now(UTC)
    _store(database_url, _article(1, title="Story 1, corrected", body="Text, corrected."))
    edits = _sync(database_url)
    assert _brief(edits) == [("edited", "https://sana.sy/en/?p=1", ["edited"])]
    assert edits[0]["title"] == "Story 1, corrected" and edits[0]["version"] == 2
    assert edits[0]["changed_at"] >= edited_at

    gone = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    with session_scope(database_url) as session:
        assert revisits.mark_removed(session, ids["https://sana.sy/en/?p=2"], "http_404", gone)
    removals = _sync(database_url)
    assert _brief(removals) == [("removed", "https://sana.sy/en/?p=2", ["removed"])]
    assert removals[0]["removed"] is True and removals[0]["removed_at"] == gone
    assert removals[0]["removed_reason"] == "http_404"

    with session_scope(database_url) as session:
        revisits.restore(session, ids["https://sana.sy/en/?p=2"], gone + timedelta(hours=1))
    _store(database_url, _article(3))
    assert _brief(_sync(database_url)) == [
        ("restored", "https://sana.sy/en/?p=2", ["restored"]),
        ("new", "https://sana.sy/en/?p=3", ["new"]),
    ]
    assert _sync(database_url) == []


def test_a_refetch_that_changes_nothing_is_no_change(database_url: str) -> None:
    _store(database_url, _article(1))
    _sync(database_url)
    _store(database_url, _article(1, body="Text.  "))  # whitespace only: no new version
    assert _sync(database_url) == []


def test_re_enrichment_emits_the_article_and_its_copies(database_url: str) -> None:
    ids = _store(database_url, _article(1), _article(2, source="tass-en"))
    original, copy = ids["https://sana.sy/en/?p=1"], ids["https://sana.sy/en/?p=2"]
    _enrich(database_url, original, ["Aleppo", "ceasefire"])
    first = {r["id"]: r for r in _sync(database_url)}
    assert first[original]["change"] == "new"
    assert first[original]["changes"] == ["new", "enriched"]
    assert first[original]["keywords"] == ["Aleppo", "ceasefire"]

    # dedup finds the copy: it shows its original's enrichments from now on
    with session_scope(database_url) as session:
        link = {"duplicate_of_id": original, "duplicate_method": "exact"}
        session.execute(update(Row).where(Row.id == copy).values(**link))
    linked = _sync(database_url)
    assert _brief(linked) == [("enriched", "https://sana.sy/en/?p=2", ["enriched"])]
    assert linked[0]["duplicate_of"] == original
    assert linked[0]["keywords"] == ["Aleppo", "ceasefire"]

    _enrich(database_url, original, ["Aleppo", "truce"], version=2)
    again = _sync(database_url)
    assert [(r["id"], r["change"], r["keywords"]) for r in again] == [
        (original, "enriched", ["Aleppo", "truce"]),
        (copy, "enriched", ["Aleppo", "truce"]),
    ]
    assert _sync(database_url) == []


def test_a_failed_write_leaves_the_cursor_and_the_next_sync_emits_it_all(
    database_url: str,
) -> None:
    _store(database_url, _article(1))
    _sync(database_url)
    before = _position(database_url)
    _store(database_url, _article(2), _article(3))

    failing = Collect(fail_after=1)
    with pytest.raises(OSError, match="No space left"):
        cursors.sync("duck", {}, failing, url=database_url)
    assert len(failing.records) == 1
    assert _position(database_url) == before

    again = _sync(database_url)
    assert [r["url"] for r in again] == ["https://sana.sy/en/?p=2", "https://sana.sy/en/?p=3"]
    assert _position(database_url) > before


def test_a_new_cursor_that_fails_is_not_made(database_url: str) -> None:
    _store(database_url, _article(1))
    with pytest.raises(OSError):
        cursors.sync("fresh", {}, Collect(fail_after=0), url=database_url)
    assert _position(database_url, "fresh") == (False, 0)
    assert [r["url"] for r in _sync(database_url, "fresh")] == ["https://sana.sy/en/?p=1"]


def test_cursors_are_independent_and_keep_their_filters(database_url: str) -> None:
    _store(database_url, _article(1), _article(2, source="tass-en"))
    assert [r["source"] for r in _sync(database_url, "sana", sources=["sana-en"])] == ["sana-en"]
    assert [r["source"] for r in _sync(database_url, "all")] == ["sana-en", "tass-en"]
    _store(database_url, _article(3))
    assert [r["url"] for r in _sync(database_url, "sana", sources=["sana-en"])] == [
        "https://sana.sy/en/?p=3"
    ]
    with pytest.raises(cursors.CursorError, match="made with filters sources"):
        _sync(database_url, "sana", sources=["tass-en"])
    with pytest.raises(cursors.CursorError, match="is not"):
        cursors.check_name("no spaces please")


def test_two_syncs_of_one_cursor_at_once_cannot_both_move_it(database_url: str) -> None:
    _store(database_url, _article(1))
    _sync(database_url)
    _store(database_url, _article(2))
    with session_scope(database_url) as session:
        stale = cursors.read_cursor(session, "duck")
    _sync(database_url)  # the other sync moves it first
    with session_scope(database_url) as session:
        assert not cursors.advance(session, stale, stale.position + 10**6, 1)


@pytest.mark.parametrize("stored", [True, False], ids=["stored", "new"])
def test_a_sync_overtaken_by_another_of_its_cursor_leaves_that_ones_position(
    database_url: str, stored: bool
) -> None:
    _store(database_url, _article(1))
    if stored:
        _sync(database_url)
        _store(database_url, _article(2))

    def overtaken(records: Iterator[dict[str, Any]]) -> int:
        written = len(list(records))
        _store(database_url, _article(3))
        _sync(database_url)  # the other sync of this cursor ends first
        return written

    with pytest.raises(cursors.CursorMoved, match="moved by another sync"):
        cursors.sync("duck", {}, overtaken, url=database_url)
    after_other = _position(database_url)
    assert after_other[0]
    assert _sync(database_url) == []  # the other one emitted article 3: nothing skipped
    assert _position(database_url) >= after_other


def test_changed_since_a_time(database_url: str) -> None:
    _store(database_url, _article(1), _article(2))
    between = datetime.now(UTC)
    _store(database_url, _article(2, title="Story 2, corrected"))
    with session_scope(database_url) as session:
        records = list(change_records(stream(session, change_select(window_since(between)))))
        earlier = datetime(2000, 1, 1, tzinfo=UTC)
        everything = list(change_records(stream(session, change_select(window_since(earlier)))))
    assert _brief(records) == [("edited", "https://sana.sy/en/?p=2", ["edited"])]
    assert [r["change"] for r in everything] == ["new", "new"]
    assert everything[1]["changes"] == ["new", "edited"]


def test_a_change_committed_late_is_emitted_by_a_later_sync(database_url: str) -> None:
    """A transaction writes first and commits last. A position at the newest log id (or
    time) a sync saw would pass over its change for good; the transaction horizon waits."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite: one writer at a time, so log ids commit in their order")
    _store(database_url)
    # Two sources: articles of one source serialise on its row (its articles_stored count).
    slow = get_engine(database_url).connect()
    slow_tx = slow.begin()
    with Session(bind=slow) as session:
        store.save_article(session, _article(1, title="Written first"), None)
        session.flush()
    with session_scope(database_url) as session:
        fast = _article(2, title="Committed first", source="tass-en")
        store.save_article(session, fast, None)

    # The open transaction holds the horizon: what committed behind it waits with it.
    assert _sync(database_url) == []
    slow_tx.commit()
    slow.close()
    later = _sync(database_url)
    assert sorted(r["title"] for r in later) == ["Committed first", "Written first"]
    with session_scope(database_url) as session:
        ids = dict(
            session.execute(
                select(Row.title, ARTICLE_CHANGES.c.id).join(
                    ARTICLE_CHANGES, ARTICLE_CHANGES.c.article_id == Row.id
                )
            ).all()
        )
    assert ids["Written first"] < ids["Committed first"]  # the trap a log-id cursor falls in
    assert _sync(database_url) == []


def test_the_migration_logs_articles_stored_before_it_as_new(database_url: str) -> None:
    # Stored at the head (today's code writes today's schema), then taken back before 0015.
    _store(database_url, _article(1), _article(2))
    migrate.downgrade(database_url, "0014")
    migrate.upgrade(database_url)
    with session_scope(database_url) as session:
        seen = dict(session.execute(select(Row.url, Row.first_seen_at)).all())
    first = _sync(database_url)
    assert _brief(first) == [
        ("new", "https://sana.sy/en/?p=1", ["new"]),
        ("new", "https://sana.sy/en/?p=2", ["new"]),
    ]
    assert [r["changed_at"] for r in first] == [seen[r["url"]] for r in first]
    _store(database_url, _article(2, title="Story 2, corrected"))  # the triggers are there
    assert _brief(_sync(database_url)) == [("edited", "https://sana.sy/en/?p=2", ["edited"])]
