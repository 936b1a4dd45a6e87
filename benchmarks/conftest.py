"""Benchmarks run with `make bench` (pytest-benchmark); they never run in `make test`."""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from newsflow.db import migrate, models, store
from newsflow.db.session import dispose_engines, get_engine, session_scope
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from newsflow.registry import load_registry

# The query-contract store (issue 10): 200,000 articles over 200 days, 1,000 a day, so a
# 10-day window holds 10,000. Every 20th article copies the one before it on another source;
# originals come in stories of ten; each article has a country and a person enrichment.
STORED = 200_000
PER_DAY = 1_000
START = datetime(2024, 1, 1, tzinfo=UTC)
SOURCES = ("sana-en", "tass-en", "xinhua-en", "irna-en", "anadolu-en")
# Planted words and how many articles carry them, for searches of known selectivity.
PLANTED = {"Hassadjek": 20, "airstrikes": 1_000, "Kremlin": 2_000, "ministers": 12_000}
# Three in ten originals are in a story, in tens of neighbouring ids.
IN_STORY = "duplicate_of_id IS NULL AND id % 100 < 30"
STAMP = "'2024-01-01 00:00:00.000000'"
POSTGRES_URL = os.environ.get(
    "NEWSFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


class QueryCorpus:
    """Seeded synthetic articles: Zipf-distributed pseudo-words plus planted real ones."""

    def __init__(self, seed: int = 10) -> None:
        self.rng = random.Random(seed)
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.words = [
            "".join(self.rng.choices(letters, k=self.rng.randint(3, 9))) for _ in range(20_000)
        ]
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(20_000)))
        self.planted: dict[int, list[str]] = {}
        for word, count in PLANTED.items():
            for n in self.rng.sample(range(STORED), count):
                self.planted.setdefault(n, []).append(word)
        self._last_body = ""

    def text(self, words: int) -> list[str]:
        """``words`` pseudo-words, frequent ones far more often than rare ones."""
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=words)

    def row(self, n: int) -> dict[str, Any]:
        """Article ``n`` (id n + 1 in a fresh store) as an articles row."""
        copy = n % 20 == 19
        body = self._last_body if copy else self._body(n)
        self._last_body = body
        return {
            "source_id": SOURCES[(n + copy) % len(SOURCES)],
            "url": f"https://bench.example/{n}",
            "title": " ".join(self.text(8)).capitalize(),
            "body": body,
            "authors": ["Desk"],
            "tags": [],
            "provenance": {},
            "language": "en",
            "content_hash": f"{n:064x}",
            "published_at": START + timedelta(days=n // PER_DAY, seconds=n % PER_DAY * 80),
            "published_offset_minutes": 180,
            "duplicate_of_id": n if copy else None,  # the previous article's id
            "duplicate_method": "exact" if copy else None,
            "version": 1,
            "first_seen_at": START,
            "last_seen_at": START,
        }

    def _body(self, n: int) -> str:
        words = self.text(60)
        for word in self.planted.get(n, []):
            words[self.rng.randrange(60)] = word
        return "\n\n".join(" ".join(words[i : i + 20]) for i in (0, 20, 40))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def query_store(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    """A migrated store of STORED articles with copies, stories and enrichments, analysed."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('query') / 'bench.sqlite3'}", None
    else:
        url, drop = _postgres_database()
    try:  # a fill that fails half-way drops its database too
        migrate.upgrade(url)
        with session_scope(url) as session:
            store.sync_sources(session, load_registry().values())
        _fill(url, QueryCorpus())
        yield url
    finally:
        dispose_engines()
        if drop:
            drop()


def _fill(url: str, corpus: QueryCorpus) -> None:
    engine = get_engine(url)
    postgres = engine.dialect.name == "postgresql"
    # PostgreSQL builds a GIN index much faster whole than row by row: drop it, load, rebuild.
    search_index = _drop_search_index(engine) if postgres else None
    for first in range(0, STORED, 10_000):
        rows = [corpus.row(n) for n in range(first, first + 10_000)]
        found = [
            {
                "article_id": first + i + 1,
                "enricher": enricher,
                "version": 1,
                "kind": kind,
                "value": value,
                "label": label,
                "evidence": "bench",
            }
            for i, row in enumerate(rows)
            if row["duplicate_of_id"] is None
            for enricher, kind, value, label in (
                ("places", "country", "Syria", "SY"),
                ("entities", "person", "Dmitry Peskov", None),
            )
        ]
        _load(engine, "articles", rows)
        _load(engine, "enrichments", found)
    stamp = "TIMESTAMPTZ '2024-01-01 00:00:00+00'" if postgres else STAMP
    with engine.begin() as connection:
        if search_index:
            connection.execute(text(search_index))
        connection.execute(
            text(
                "INSERT INTO stories (id, language, size, created_at, updated_at) "
                f"SELECT DISTINCT id / 10 + 1, 'en', 10, {stamp}, {stamp} FROM articles "
                f"WHERE {IN_STORY}"
            )
        )
        connection.execute(
            text(
                "INSERT INTO story_members (story_id, article_id, score, method, added_at) "
                f"SELECT id / 10 + 1, id, 0.5, 'text', {stamp} FROM articles WHERE {IN_STORY}"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def _drop_search_index(engine: Any) -> str:
    with engine.begin() as connection:
        definition = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_articles_search'")
        ).scalar_one()
        connection.execute(text("DROP INDEX ix_articles_search"))
    return str(definition)


def _load(engine: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows in one transaction: COPY on PostgreSQL, executemany on SQLite."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            connection.execute(insert(models.Base.metadata.tables[table]), rows)
        return
    columns = list(rows[0])
    connection = engine.raw_connection()
    try:
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [json.dumps(v) if isinstance(v, list | dict) else v for v in row.values()]
                )
        connection.commit()
    finally:
        connection.close()


def _postgres_database() -> tuple[str, Any]:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except Exception as exc:  # no server: the SQLite half still runs
        admin.dispose()
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}: {type(exc).__name__}")
    name = f"newsflow_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), drop
