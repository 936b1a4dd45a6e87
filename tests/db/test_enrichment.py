"""Enrichment through the store, on SQLite and PostgreSQL: done-when values, queue, re-enrich."""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from newsflow.db import enrichment as enrichment_store
from newsflow.db import models, store
from newsflow.db.enrichment import Stored
from newsflow.db.session import session_scope
from newsflow.flows.enrich import (
    enrich_batch,
    enrich_source,
    reenrich_batch,
    reenrich_stale,
)
from sqlalchemy import event, select, text, update

from newsflow import extract_article
from newsflow.article import Article
from newsflow.enrichment import (
    Annotation,
    Context,
    Enricher,
    Result,
    default_enrichers,
    enrich_article,
    select_enrichers,
)
from newsflow.enrichment.bounded import enrichment_pool
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import load_registry
from newsflow.replay import load_routes
from newsflow.settings import get_settings

SITES = Path(__file__).parents[1] / "fixtures" / "sites"
SEED_URL = "https://sana.sy/en/?p=92385"
ARABIC_URL = "https://sana.sy/?p=462137"


def _fixture_pages() -> Iterator[tuple[str, str, bytes]]:
    routes = load_routes(SITES)
    for path in sorted(SITES.glob("*/expected/*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        if not expected.get("blocked"):
            yield expected["url"], expected["source"], routes[expected["url"]].body


@pytest.fixture
def stored(database_url: str) -> dict[str, int]:
    """Every registry fixture article stored with its page; article id by URL."""
    ids = {}
    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
        for url, source, body in _fixture_pages():
            article = extract_article(body.decode("utf-8"), url, source)
            assert article is not None
            page = FetchedPage(url, url, 200, PageKind.ARTICLE, datetime.now(UTC), body)
            store.save_article(session, article, store.save_page(session, None, source, page))
            ids[url] = session.execute(
                select(models.Article.id).where(models.Article.url == url)
            ).scalar_one()
    return ids


def _enrich_all() -> None:
    for source in sorted(load_registry()):
        enrich_source(source)


def _values(article_id: int, kind: str) -> dict[str, str | None]:
    with session_scope() as session:
        rows = enrichment_store.annotations_of(session, article_id)
    return {r.value: r.label for r in rows if r.kind == kind}


def test_done_when_values_through_the_store(stored: dict[str, int]) -> None:
    _enrich_all()
    seed = stored[SEED_URL]
    assert _values(seed, "language") == {"en": "en"}
    assert _values(seed, "page_language") == {"en": "en"}
    assert _values(seed, "dateline") == {"Moscow": "RU"}
    assert _values(seed, "agency") == {"SANA": "SANA"}
    places = {"Aleppo": "SY", "Moscow": "RU", "Damascus": "SY", "Washington": "US"}
    assert places.items() <= _values(seed, "place").items()
    people = {"Dmitry Peskov", "Maria Zakharova", "Sergey Ryabkov", "Sergey Lavrov", "John Kerry"}
    assert people <= set(_values(seed, "person"))
    assert {"Kremlin", "United Nations", "Jabhat al-Nusra"} <= set(_values(seed, "organisation"))
    assert _values(seed, "keyword")


def test_arabic_article_through_the_store(stored: dict[str, int]) -> None:
    _enrich_all()
    arabic = stored[ARABIC_URL]
    assert _values(arabic, "language") == {"ar": "ar"}
    assert _values(arabic, "dateline") == {"Moscow": "RU"}
    places = {"Moscow": "RU", "Aleppo": "SY", "Washington": "US", "Syria": "SY"}
    assert places.items() <= _values(arabic, "place").items()


def test_every_fixture_article_has_a_language_and_its_dateline_country(
    stored: dict[str, int],
) -> None:
    _enrich_all()
    for url, article_id in stored.items():
        assert _values(article_id, "language"), url
        dateline_country = set(_values(article_id, "dateline").values())
        assert dateline_country and None not in dateline_country, url
        assert dateline_country <= set(_values(article_id, "country").values()), url


def test_queue_runs_and_requeue_on_edit(stored: dict[str, int]) -> None:
    counts = enrich_source("sana-en")
    assert counts["enriched"] == 2 and counts["enrich_failures"] == 0
    assert enrich_source("sana-en") == {}  # nothing left queued
    seed = stored[SEED_URL]
    with session_scope() as session:
        runs = session.execute(
            select(models.EnrichmentRun.enricher, models.EnrichmentRun.version).where(
                models.EnrichmentRun.article_id == seed
            )
        ).all()
        assert sorted(runs) == sorted((e.name, e.version) for e in default_enrichers())
        session.execute(
            update(models.Article).where(models.Article.id == seed).values(content_hash="edited")
        )
    assert enrich_source("sana-en")["enriched"] == 1


def test_beside_dedup_only_what_dedup_has_seen_is_enriched(stored: dict[str, int]) -> None:
    seed = stored[SEED_URL]
    assert enrich_source("sana-en", deduplicated=True) == {}  # dedup has seen nothing yet
    with session_scope() as session:  # dedup has seen the seed's current text
        session.execute(
            update(models.Article)
            .where(models.Article.id == seed)
            .values(dedup_hash=models.Article.content_hash)
        )
    assert enrich_source("sana-en", deduplicated=True)["enriched"] == 1
    with session_scope() as session:
        enriched = session.execute(
            select(models.Article.id).where(models.Article.enrich_pending.is_(False))
        ).scalars()
        assert list(enriched) == [seed]
    assert enrich_source("sana-en")["enriched"] == 1  # after the crawl: the rest, seen or not


def test_a_runs_record_exists_when_an_enricher_found_nothing(stored: dict[str, int]) -> None:
    enrich_source("sana-en")
    local = stored["https://sana.sy/en/local/2290417/"]
    assert _values(local, "person") == {}
    with session_scope() as session:
        run = session.get(models.EnrichmentRun, (local, "entities"))
        assert run is not None and run.error is None


def test_a_duplicate_reads_its_originals_results(stored: dict[str, int]) -> None:
    original, duplicate = stored[SEED_URL], stored[ARABIC_URL]
    with session_scope() as session:
        session.execute(
            update(models.Article)
            .where(models.Article.id == duplicate)
            .values(duplicate_of_id=original)
        )
    counts = enrich_source("sana-en") + enrich_source("sana-ar")
    assert counts["enrich_duplicates_skipped"] == 1
    with session_scope() as session:
        own = session.execute(
            select(models.Enrichment.id).where(models.Enrichment.article_id == duplicate)
        ).all()
        assert own == []
        viewed = (
            session.execute(
                text(
                    "SELECT value FROM article_enrichments"
                    " WHERE article_id = :a AND kind = 'language'"
                ),
                {"a": duplicate},
            )
            .scalars()
            .all()
        )
    assert viewed == ["en"]
    assert _values(duplicate, "language") == {"en": "en"}


class Broken:
    name = "entities"
    version = 1

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        raise RuntimeError("no cues file")


def test_a_failing_enricher_records_a_failure_and_the_others_store(
    stored: dict[str, int],
) -> None:
    seed = stored[SEED_URL]
    enrichers = (*select_enrichers(["language", "places"]), Broken())
    counts = enrich_batch([seed], enrichers, run_id=None)
    assert counts["enrich_failures"] == 1
    assert _values(seed, "language") == {"en": "en"}
    assert "Aleppo" in _values(seed, "place")
    with session_scope() as session:
        failure = session.execute(
            select(models.Failure).where(models.Failure.stage == "enrich")
        ).scalar_one()
        assert failure.url == SEED_URL and "entities v1: RuntimeError" in failure.reason
        assert failure.code == "enrich_error"
        run = session.get(models.EnrichmentRun, (seed, "entities"))
        assert run is not None and run.error == "RuntimeError: no cues file"


def _rows_by_enricher(article_ids: list[int]) -> dict[str, set[tuple[int, int]]]:
    with session_scope() as session:
        rows = session.execute(
            select(
                models.Enrichment.enricher, models.Enrichment.id, models.Enrichment.version
            ).where(models.Enrichment.article_id.in_(article_ids))
        ).all()
    found: dict[str, set[tuple[int, int]]] = {}
    for enricher, row_id, version in rows:
        found.setdefault(enricher, set()).add((row_id, version))
    return found


def test_reenrich_after_a_version_bump_touches_only_that_enricher(
    stored: dict[str, int], bump_version: Callable[[str, int], None]
) -> None:
    _enrich_all()
    ids = sorted(stored.values())
    before = _rows_by_enricher(ids)
    bump_version("places", 99)
    counts = reenrich_stale(default_enrichers(), batch=5)
    assert counts["reenriched"] == len(ids) == counts["reenriched_places"]
    assert set(counts) == {"reenriched", "reenriched_places", "enrich_failures"}
    after = _rows_by_enricher(ids)
    for enricher in ("language", "dateline", "entities", "keywords"):
        assert after[enricher] == before[enricher], enricher
    assert not after["places"] & before["places"]
    assert {version for _, version in after["places"]} == {99}
    assert reenrich_stale(default_enrichers()) == {}  # all current now


def test_reenrich_resumes_where_a_killed_run_stopped(
    stored: dict[str, int], bump_version: Callable[[str, int], None]
) -> None:
    _enrich_all()
    bump_version("places", 99)
    ids = sorted(stored.values())
    reenrich_batch(ids[:3], default_enrichers())  # the first batch committed, then a kill
    counts = reenrich_stale(default_enrichers(), source_id=None, batch=4)
    assert counts["reenriched_places"] == len(ids) - 3


def test_reenrich_filters_by_source_and_date(
    stored: dict[str, int], bump_version: Callable[[str, int], None]
) -> None:
    _enrich_all()
    bump_version("places", 99)
    counts = reenrich_stale(default_enrichers(), source_id="sana-en")
    assert counts["reenriched"] == 2
    since = datetime(2024, 1, 1).date()
    counts = reenrich_stale(default_enrichers(), since=since)
    with session_scope() as session:
        newer = session.execute(
            select(models.Article.id).where(
                models.Article.published_at >= datetime(2024, 1, 1, tzinfo=UTC),
                models.Article.source_id != "sana-en",
            )
        ).all()
    assert counts["reenriched"] == len(newer)
    counts = reenrich_stale(default_enrichers(), until=datetime(2016, 12, 31).date())
    with session_scope() as session:
        older = session.execute(
            select(models.Article.id).where(
                models.Article.published_at < datetime(2017, 1, 1, tzinfo=UTC),
                models.Article.source_id != "sana-en",
            )
        ).all()
    assert counts["reenriched"] == len(older) > 0


def test_language_disagreements_are_counted(stored: dict[str, int]) -> None:
    _enrich_all()
    seed = stored[SEED_URL]
    with session_scope() as session:
        session.execute(
            update(models.Article).where(models.Article.id == seed).values(language="fr")
        )
        found = enrichment_store.language_disagreements(session, ["sana-en", "sana-ar"])
    assert found == {"sana-en": 1}


def _plan(query) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        engine = session.get_bind()
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        if engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL enable_seqscan = off"))  # small tables: force it
            return list(session.execute(text(f"EXPLAIN {sql}")).scalars())
        return [row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]


def test_the_queue_is_read_through_its_partial_index(database_url: str) -> None:
    query = (
        select(models.Article.id)
        .where(models.Article.source_id == "sana-en", enrichment_store.is_pending())
        .order_by(models.Article.id)
        .limit(200)
    )
    plan = _plan(query)
    assert any("ix_articles_enrich_pending" in line for line in plan), plan


def test_results_are_found_by_place_code_through_an_index(database_url: str) -> None:
    query = select(models.Enrichment.article_id).where(
        models.Enrichment.kind == "place", models.Enrichment.label == "SY"
    )
    plan = _plan(query)
    # (kind, label) or, on a table this small, (kind, value): either way no table scan.
    assert any("ix_enrichments_kind_" in line for line in plan), plan


def _results_table() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every stored result and run, ids and times left out."""
    with session_scope() as session:
        rows = session.execute(
            text(
                "SELECT article_id, enricher, version, kind, value, label, start_offset,"
                " end_offset, evidence, score FROM enrichments ORDER BY article_id, id"
            )
        ).all()
        runs = session.execute(
            text(
                "SELECT article_id, enricher, version, content_hash, error FROM enrichment_runs"
                " ORDER BY article_id, enricher"
            )
        ).all()
    return [tuple(r) for r in rows], [tuple(r) for r in runs]


def _enriched(ids: list[int], enrichers: tuple[Enricher, ...]) -> list[tuple[Stored, list[Result]]]:
    with session_scope() as session:
        return [
            (s, enrich_article(s.article, enrichers)) for s in enrichment_store.load(session, ids)
        ]


def test_a_batch_saves_what_its_articles_saved_one_by_one(stored: dict[str, int]) -> None:
    done = _enriched(sorted(stored.values()), (*select_enrichers(["language", "places"]), Broken()))
    with session_scope() as session:
        failed = sum(enrichment_store.save_results(session, s, r) for s, r in done)
    one_by_one = _results_table()
    with session_scope() as session:  # saved again as one batch, replacing the rows
        assert enrichment_store.save_batch(session, done) == failed == len(done)
    assert _results_table() == one_by_one
    assert len(one_by_one[0]) > len(done) and len(one_by_one[1]) == 3 * len(done)


def test_a_batch_is_saved_in_three_statements(stored: dict[str, int]) -> None:
    done = _enriched(sorted(stored.values()), select_enrichers(["language", "places"]))
    statements: list[str] = []

    def count(conn, cursor, statement, *rest) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    with session_scope() as session:
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            enrichment_store.save_batch(session, done)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    # DELETE, INSERT (COPY on PostgreSQL, which bypasses the event), runs' upsert.
    assert 2 <= len(statements) <= 3, statements


def test_mark_enriched_takes_a_batch_off_the_queue(stored: dict[str, int]) -> None:
    ids = sorted(stored.values())
    with session_scope() as session:
        enrichment_store.mark_enriched(session, {i: f"hash-{i}" for i in ids[:3]})
        enrichment_store.mark_enriched(session, {})
        marked = dict(
            session.execute(select(models.Article.id, models.Article.enriched_hash)).all()
        )
    assert {i: marked[i] for i in ids[:3]} == {i: f"hash-{i}" for i in ids[:3]}
    assert all(marked[i] is None for i in ids[3:])


def _frozen() -> tuple[int, int]:
    """In a worker: which one it is, and how many objects it froze."""
    return os.getpid(), gc.get_freeze_count()


def _frozen_by_worker() -> dict[int, int]:
    pool = enrichment_pool()
    return dict(pool.submit(_frozen).result() for _ in range(8))


def test_enrichment_workers_warm_up_once_and_freeze_what_they_built(
    stored: dict[str, int],
) -> None:
    enrich_source("sana-en")
    pool = enrichment_pool()
    before = _frozen_by_worker()
    assert min(before.values()) > 100_000  # the gazetteers, out of every later collection's way
    enrich_source("sana-ar")  # the same workers go on: no second warm-up (or freeze)
    assert enrichment_pool() is pool
    after = _frozen_by_worker()
    assert {pid: after[pid] for pid in after if pid in before} == {
        pid: before[pid] for pid in after if pid in before
    }
    assert after.keys() & before.keys()  # some worker was asked both times


class Stuck:
    """An enricher that never returns."""

    name = "entities"
    version = 1

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        while True:
            time.sleep(0.01)


def test_an_enricher_over_budget_is_recorded_and_the_batch_stored(
    stored: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_ENRICH__ARTICLE_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    seed = stored[SEED_URL]
    counts = enrich_batch([seed], (*select_enrichers(["places"]), Stuck()), run_id=None)
    assert (counts["enriched"], counts["enrich_failures"]) == (1, 1)
    assert "Aleppo" in _values(seed, "place")
    with session_scope() as session:
        failure = session.execute(select(models.Failure)).scalar_one()
        assert (failure.stage, failure.code, failure.url) == ("enrich", "budget_exceeded", SEED_URL)
        assert failure.reason == "entities v1: budget_exceeded: took over 1 s; worker stopped"
        run = session.get(models.EnrichmentRun, (seed, "entities"))
        assert run is not None and run.error == "budget_exceeded: took over 1 s; worker stopped"
        assert session.get(models.Article, seed).enriched_hash is not None  # off the queue
