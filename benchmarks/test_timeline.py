"""Counts and timelines of a search (issue 21) with 1,000,000 articles stored, on PostgreSQL.

"How much, per day, per agency": ``newsflow.query.timeline`` (what ``newsflow search --by``
runs) for words in 1 %, 10 % and a third of the articles, and ``query.count``. The goal is
under a second for a common word. Run with ``make bench-parts`` or
``.venv/bin/pytest benchmarks/test_timeline.py --benchmark-only``; without PostgreSQL it
skips. ``NEWSFLOW_BENCH_TIMELINE_ARTICLES=100000`` makes a smaller store;
``NEWSFLOW_BENCH_TIMELINE_URL`` times a store filled before (``fill``) instead of a new one.

The store is filled by SQL in minutes, not by the pipeline: ``INSERT … SELECT`` over
``generate_series``, each article's title and body put together from a pool of seeded
pseudo-word sentences (Zipf-distributed, ~2,200 characters a body, as agency articles run),
real words planted at known rates, every 20th article an exact copy of the one before, 1,000
days, seven articles at a time from each of the registry's sources in turn. The search index
(``articles_stems``, migration 0014) gets each article's stems as the store would write them,
joined from the sentences' stems computed once by ``newsflow.db.stems``
(``test_the_bulk_index_is_the_stores`` checks a sample against the store's own); for the load,
the row trigger that stems SQL writes and 0008's ``search_vector`` expression (which search no
longer reads) are switched off.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from newsflow.db import stems
from newsflow.db.session import dispose_engines, get_engine, session_scope
from sqlalchemy import text

from benchmarks.conftest import _postgres_database
from newsflow import query
from newsflow.registry import load_registry

STORED = int(os.environ.get("NEWSFLOW_BENCH_TIMELINE_ARTICLES", "1000000"))
START = datetime(2022, 1, 1, tzinfo=UTC)
SPACING_SECONDS = 86_400 * 1_000 / STORED  # 1,000 days whatever the size: 1,000 a day at 1M
SENTENCES = 4_096
PER_BODY = 10  # sentences of 30 words: ~2,200 characters
# Planted word → (sentence, every how many articles carry it, from which): the articles whose
# text's number m has m % every == offset, in Python (expected) and in SQL (fill) alike.
PLANTED: dict[str, tuple[str, int, int]] = {
    "Kremlin": ("The Kremlin said.", 100, 1),  # 1 %
    "ministers": ("Ministers met.", 10, 0),  # 10 %
    "airstrikes": ("Airstrikes hit.", 3, 0),  # a third
}
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "word in 1%, per day and agency": ("Kremlin", {"by": "day", "per": "agency"}),
    "word in 10%, per day and agency": ("ministers", {"by": "day", "per": "agency"}),
    "word in 10%, per day and source": ("ministers", {"by": "day", "per": "source"}),
    "word in 10%, per day": ("ministers", {"by": "day"}),
    "word in 10%, per month and agency": ("ministers", {"by": "month", "per": "agency"}),
    "word in 1/3, per day and agency": ("airstrikes", {"by": "day", "per": "agency"}),
    "word in 10%, one source, 90 days": (
        "ministers",
        {"by": "day", "source": "sana-en", "since": date(2023, 1, 1), "until": date(2023, 3, 31)},
    ),
}


def text_of(n: int) -> int:
    """The article whose title and body article ``n`` carries: the one before for a copy."""
    return n - 1 if n % 20 == 19 else n


def expected(
    word: str, source: str | None = None, since: date | None = None, until: date | None = None
) -> int:
    """How many of the STORED articles carry a planted word (of a source, in a window)."""
    _, every, offset = PLANTED[word]
    ids = sorted(load_registry())  # as the fill hands them out: seven at a time, in turn
    first = 0 if since is None else _first_article(since)
    last = STORED if until is None else _first_article(until + timedelta(days=1))
    return sum(
        1
        for n in range(first, min(last, STORED))
        if text_of(n) % every == offset and (source is None or ids[n // 7 % len(ids)] == source)
    )


def _first_article(day: date) -> int:
    """The first article published on or after a day's start."""
    seconds = (datetime.combine(day, datetime.min.time(), UTC) - START).total_seconds()
    return max(0, math.ceil(seconds / SPACING_SECONDS))


class Pool:
    """Seeded sentences of pseudo-words and the stems the index holds for each."""

    def __init__(self, seed: int = 21) -> None:
        rng = random.Random(seed)
        planted = {stems.stem_word(word, "en") for word in PLANTED}
        words: list[str] = []
        while len(words) < 20_000:
            word = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9)))
            if stems.stem_word(word, "en") not in planted:
                words.append(word)
        weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
        self.sentences = [
            " ".join(rng.choices(words, cum_weights=weights, k=30)).capitalize() + "."
            for _ in range(SENTENCES)
        ]
        self.titles = [
            " ".join(rng.choices(words, cum_weights=weights, k=6)).capitalize()
            for _ in range(SENTENCES)
        ]

    def rows(self) -> list[dict[str, Any]]:
        """One row per pool entry: sentence and its body stems, title and its title stems."""
        return [
            {
                "i": i,
                "s": sentence,
                "sv": _vector([], stems.stems(sentence, "en")),
                "t": title,
                "tv": _vector(stems.stems(title, "en"), []),
            }
            for i, (sentence, title) in enumerate(zip(self.sentences, self.titles, strict=True))
        ]


def _vector(title: list[str], body: list[str]) -> str:
    return stems.tsvector({"title": title, "body": body, "authors": []})


def _sentence(k: int) -> str:
    """SQL for the pool index of the k-th sentence of the body of article ``x.m``."""
    return f"(x.m * {7919 + 2 * k}::bigint + {131 * k}) % {SENTENCES}"


def fill(url: str, pool: Pool) -> None:
    """STORED articles and their stems, loaded by INSERT … SELECT, then indexed and analysed."""
    engine = get_engine(url)
    planted_body = " || ".join(
        f"CASE WHEN {_sql_rule(word)} THEN '{sentence} ' ELSE '' END"
        for word, (sentence, *_) in PLANTED.items()
    )
    planted_vector = " || ".join(
        f"CASE WHEN {_sql_rule(word)} THEN CAST(:v_{word} AS tsvector) "
        "ELSE CAST('' AS tsvector) END"
        for word in PLANTED
    )
    sentences = " ".join(
        f"JOIN bench_pool s{k} ON s{k}.i = {_sentence(k)}" for k in range(PER_BODY)
    )
    body = " || ' ' || ".join(f"s{k}.s" for k in range(PER_BODY))
    vector = " || ".join(f"s{k}.sv" for k in range(PER_BODY))
    numbered = (
        "SELECT n, CASE WHEN n % 20 = 19 THEN n - 1 ELSE n END AS m "
        "FROM generate_series(0, :last) AS n"
    )
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        connection.execute(text("ALTER TABLE articles ALTER COLUMN search_vector DROP EXPRESSION"))
        connection.execute(text("DROP INDEX ix_articles_search"))
        connection.execute(text("ALTER TABLE articles DISABLE TRIGGER articles_stems_raw"))
        connection.execute(text("DROP INDEX ix_articles_search_stems"))
        connection.execute(
            text(
                "CREATE TEMPORARY TABLE bench_pool (i integer PRIMARY KEY, s text, sv tsvector, "
                "t text, tv tsvector) ON COMMIT DROP"
            )
        )
        connection.execute(
            text(
                "INSERT INTO bench_pool VALUES "
                "(:i, :s, CAST(:sv AS tsvector), :t, CAST(:tv AS tsvector))"
            ),
            pool.rows(),
        )
        connection.execute(text("ANALYZE bench_pool"))
        connection.execute(
            text(
                "INSERT INTO articles (id, source_id, url, title, body, authors, tags, "
                "provenance, language, content_hash, published_at, published_offset_minutes, "
                "duplicate_of_id, duplicate_similarity, duplicate_method, version, "
                "first_seen_at, last_seen_at) "
                "SELECT x.n + 1, src.ids[1 + x.n / 7 % array_length(src.ids, 1)], "
                "'https://bench.example/' || x.n, t.t, "
                f"{planted_body} || {body}, "
                "'[]', '[]', '{}', 'en', md5(x.m::text), "
                f"TIMESTAMPTZ '{START.isoformat()}' + x.n * interval '{SPACING_SECONDS} seconds', "
                "180, CASE WHEN x.n <> x.m THEN x.m + 1 END, "
                "CASE WHEN x.n <> x.m THEN 1.0 END, CASE WHEN x.n <> x.m THEN 'exact' END, 1, "
                "TIMESTAMPTZ '2025-01-01 00:00:00+00', TIMESTAMPTZ '2025-01-01 00:00:00+00' "
                f"FROM ({numbered}) AS x "
                "CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM sources) AS src "
                f"JOIN bench_pool t ON t.i = x.m % {SENTENCES} "
                f"{sentences}"
            ),
            {"last": STORED - 1},
        )
        connection.execute(
            text(
                "INSERT INTO articles_stems (article_id, vector) "
                f"SELECT x.n + 1, t.tv || {planted_vector} || {vector} "
                f"FROM ({numbered}) AS x JOIN bench_pool t ON t.i = x.m % {SENTENCES} "
                f"{sentences}"
            ),
            {
                "last": STORED - 1,
                **{
                    f"v_{word}": _vector([], stems.stems(sentence, "en"))
                    for word, (sentence, *_) in PLANTED.items()
                },
            },
        )
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('articles', 'id'), :last)"),
            {"last": STORED},
        )
        connection.execute(
            text("CREATE INDEX ix_articles_search_stems ON articles_stems USING gin (vector)")
        )
        connection.execute(text("ALTER TABLE articles ENABLE TRIGGER articles_stems_raw"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE articles"))
        connection.execute(text("VACUUM ANALYZE articles_stems"))
        connection.execute(text("ANALYZE sources"))


def _sql_rule(word: str) -> str:
    _, every, offset = PLANTED[word]
    return f"x.m % {every} = {offset}"


@pytest.fixture(scope="module")
def million() -> Iterator[str]:
    """A PostgreSQL store of STORED articles with their search index, dropped afterwards."""
    from newsflow.db import migrate, store

    if prebuilt := os.environ.get("NEWSFLOW_BENCH_TIMELINE_URL"):
        yield prebuilt  # a store this module filled before (fill), kept
        return
    url, drop = _postgres_database()
    try:
        migrate.upgrade(url)
        with session_scope(url) as session:
            store.sync_sources(session, load_registry().values())
        started = time.perf_counter()
        fill(url, Pool())
        print(f"\nloaded {STORED:,} articles in {time.perf_counter() - started:.0f} s")
        yield url
    finally:
        dispose_engines()
        drop()


def test_the_bulk_index_is_the_stores(million: str) -> None:
    """A sample of the bulk-written index rows holds the stems the store would have written."""
    with session_scope(million) as session:
        rows = session.execute(
            text(
                "SELECT a.id, a.language, a.title, a.body, CAST(strip(s.vector) AS text) "
                "FROM articles a JOIN articles_stems s ON s.article_id = a.id "
                "WHERE a.id % 9973 = 1"
            )
        ).all()
        assert len(rows) >= STORED // 10_000
        for article_id, language, title, body, stored in rows:
            row = stems.stem_row(article_id, language, title, body, ())
            own = session.execute(
                text("SELECT CAST(strip(CAST(:v AS tsvector)) AS text)"),
                {"v": stems.tsvector(row)},
            ).scalar_one()
            assert stored == own, article_id


@pytest.mark.parametrize("label", list(CASES))
def test_timeline_with_a_million_stored(benchmark, million: str, label: str) -> None:
    word, options = CASES[label]

    def run() -> list[query.PeriodCount]:
        return query.timeline(word, database_url=million, **options)  # type: ignore[arg-type]

    points = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    total = sum(point.articles for point in points)
    window = {k: v for k, v in options.items() if k in ("source", "since", "until")}
    assert total == expected(word, **window)
    benchmark.extra_info["stored"] = STORED
    benchmark.extra_info["matches"] = total
    benchmark.extra_info["rows"] = len(points)
    benchmark.extra_info["mean_ms"] = round(benchmark.stats["mean"] * 1000, 1)


@pytest.mark.parametrize("word", ["Kremlin", "ministers", "airstrikes"])
def test_count_with_a_million_stored(benchmark, million: str, word: str) -> None:
    found = benchmark.pedantic(
        lambda: query.count(word, database_url=million), rounds=5, iterations=1, warmup_rounds=1
    )
    assert found == expected(word)
    benchmark.extra_info["stored"] = STORED
    benchmark.extra_info["mean_ms"] = round(benchmark.stats["mean"] * 1000, 1)
