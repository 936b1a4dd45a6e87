"""Growth: what one run's queries cost with 10k, 100k (and 1M) articles already stored.

The store is built in bulk (COPY on PostgreSQL): articles at 1,000 a day over five bundled
sources, each with its article page, its discovery (and one failure in a hundred), its detected
language and 18 random LSH band keys, so every index is as deep as the store. Each operation
then does one run's worth of work, the same at every size: the known-URL check of 200 listed
URLs, dedup of 50 queued articles, coverage of the last two days, ``status``, an export of one
day, the newest articles. Its cost must stay flat (or grow with the index depth,
logarithmically) as the store grows.
"""

from __future__ import annotations

import hashlib
import json
import random
import statistics
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsflow.db import models, store
from newsflow.db.dialect import copy_rows
from newsflow.db.session import get_engine, session_scope
from sqlalchemy import text
from sqlalchemy.orm import Session

from newsflow.registry import load_registry

SOURCES = ("sana-en", "tass-en", "xinhua-en", "irna-en", "anadolu-en")
PER_DAY = 1_000
START = datetime(2020, 1, 1, tzinfo=UTC)
CHUNK = 20_000
QUEUED = 1_000_000_000
BANDS = 18
BODY = zlib.compress(b"<html><body><p>stored page</p></body></html>")
_WORDS = ("minister", "talks", "border", "trade", "grain", "port", "energy", "council", "aid")


def build_store(url: str, articles: int, stored: int = 0) -> None:
    """Grow a store of ``stored`` articles to ``articles`` (pages, discoveries, band keys)."""
    if stored == 0:
        with session_scope(url) as session:
            store.sync_sources(session, load_registry().values())
            session.add(models.CrawlRun(id=1, source_id=SOURCES[0], kind="backfill", counts={}))
    rng = random.Random(stored)
    for first in range(stored, articles, CHUNK):
        numbers = range(first, min(first + CHUNK, articles))
        with session_scope(url) as session:
            for table, rows in _rows(numbers, rng):
                load(session, table, rows)
            session.execute(text(_BANDS_SQL[session.get_bind().dialect.name]), _bounds(numbers))
            session.execute(text(_LANGUAGE_SQL), _bounds(numbers))
    if get_engine(url).dialect.name == "postgresql":
        with session_scope(url) as session:
            for table in ("articles", "pages", "crawl_runs"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                session.execute(text(f"SELECT setval({sequence}, max(id)) FROM {table}"))
    # As autovacuum would have by now: statistics, and (PostgreSQL) the visibility map.
    analyse = "VACUUM ANALYZE" if get_engine(url).dialect.name == "postgresql" else "ANALYZE"
    with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(analyse))


def load(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert rows: COPY on PostgreSQL (JSON columns as text), executemany on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        rows = [
            {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
            for row in rows
        ]
    copy_rows(session, models.Base.metadata.tables[table], rows)


# Band keys are drawn in the database: 18 rows an article is most of the store's rows.
_BANDS_SQL = {
    "sqlite": "INSERT INTO article_bands (article_id, band, key) "
    "SELECT a.id, b.value, abs(random()) % 4611686018427387904 FROM articles a, "
    f"json_each('{list(range(BANDS))}') b WHERE a.id BETWEEN :low AND :high",
    "postgresql": "INSERT INTO article_bands (article_id, band, key) "
    "SELECT a.id, b, (random() * 4.6e18)::bigint FROM articles a "
    f"CROSS JOIN generate_series(0, {BANDS - 1}) b WHERE a.id BETWEEN :low AND :high",
}

# Every article has its detected language, as the language enricher leaves it.
_LANGUAGE_SQL = (
    "INSERT INTO enrichments (article_id, enricher, version, kind, value, label, evidence) "
    "SELECT id, 'language', 1, 'language', 'en', 'en', 'bench' FROM articles "
    "WHERE id BETWEEN :low AND :high"
)


def _bounds(numbers: range) -> dict[str, int]:
    return {"low": numbers.start + 1, "high": numbers.stop}


def _rows(numbers: range, rng: random.Random) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    pages, articles, found, failed = [], [], [], []
    for n in numbers:
        source, url, published = _identity(n)
        pages.append(_page(n + 1, source, url, published))
        articles.append(_article(n + 1, source, url, published, rng))
        if n % 100 == 99:
            failed.append(_failure(source, url, published))
        found.append(
            {
                "source_id": source,
                "url": url,
                "listed_on": published.date(),
                "via": "sitemap",
                "run_id": 1,
                "discovered_at": published,
                "done_at": published,
                "attempts": 0,
            }
        )
    yield from (("pages", pages), ("articles", articles), ("discoveries", found))
    yield ("failures", failed)


def _identity(n: int) -> tuple[str, str, datetime]:
    source = SOURCES[n % len(SOURCES)]
    published = START + timedelta(seconds=n * 86_400 // PER_DAY)
    return source, f"https://{source}.bench/{published:%Y/%m/%d}/{n}", published


def _page(n: int, source: str, url: str, published: datetime) -> dict[str, Any]:
    return {
        "id": n,
        "run_id": 1,
        "source_id": source,
        "kind": "article",
        "url": url,
        "final_url": url,
        "status": 200,
        "headers": {},
        "fetched_at": published,
        "body": BODY,
        "body_sha256": hashlib.sha256(url.encode()).hexdigest(),
    }


def _article(
    n: int, source: str, url: str, published: datetime, rng: random.Random
) -> dict[str, Any]:
    body = " ".join(rng.choices(_WORDS, k=60))
    return {
        "id": n,
        "source_id": source,
        "url": url,
        "title": f"Story {n}",
        "body": body,
        "authors": [],
        "tags": [],
        "provenance": {"title": "h1"},
        "language": "en",
        "content_hash": hashlib.sha256(body.encode()).hexdigest(),
        "version": 1,
        "published_at": published,
        "page_id": n,
        "first_seen_at": published,
        "last_seen_at": published,
        "dedup_hash": hashlib.sha256(body.encode()).hexdigest(),
        "enriched_hash": hashlib.sha256(body.encode()).hexdigest(),
    }


def _failure(source: str, url: str, published: datetime) -> dict[str, Any]:
    return {
        "run_id": 1,
        "source_id": source,
        "url": url + "/gone",
        "stage": "fetch",
        "code": "not_found",
        "reason": "HTTP 404",
        "http_status": 404,
        "occurred_at": published,
    }


def per_run_costs(url: str, articles: int, repeat: int = 5) -> dict[str, float]:
    """Milliseconds (median of ``repeat``) of each per-run operation on this store."""
    last = _identity(articles - 1)[2]
    source = "tass-en"
    listed = [_identity(n)[1] for n in range(articles - 1000, articles)][:200]
    operations: dict[str, Callable[[Session], object]] = {
        "known-URL check": lambda s: store.known_article_urls(s, source, listed),
        "coverage (2 days)": lambda s: _coverage(s, source, last),
        "status": _status,
        "export (1 day)": lambda s: _export(s, source, last),
        "newest articles": lambda s: _newest(s),
    }
    costs = {name: _median_ms(url, op, repeat) for name, op in operations.items()}
    costs["dedup (50 queued)"] = _dedup_ms(url, articles, repeat)
    return costs


def _median_ms(url: str, operation: Callable[[Session], object], repeat: int) -> float:
    times = []
    for _ in range(repeat + 1):  # the first round warms caches and is dropped
        with session_scope(url) as session:
            started = time.perf_counter()
            operation(session)
            times.append(1000 * (time.perf_counter() - started))
            session.rollback()
    return statistics.median(times[1:])


def _coverage(session: Session, source: str, last: datetime) -> None:
    from newsflow.db.coverage import refresh_coverage

    refresh_coverage(session, source, last.date() - timedelta(days=1), last.date(), ZoneInfo("UTC"))


def _status(session: Session) -> None:
    from newsflow.db import queries
    from newsflow.db.enrichment import language_disagreements

    rows = queries.source_status(session)
    language_disagreements(session, [row["source"].id for row in rows])


def _export(session: Session, source: str, last: datetime) -> None:
    from newsflow.db.export import article_select, stream

    for _ in stream(session, article_select([source], since=last.date(), until=last.date())):
        pass


def _newest(session: Session) -> None:
    from newsflow.db import queries

    queries.newest_articles(session, list(SOURCES))


def _dedup_ms(url: str, articles: int, repeat: int) -> float:
    """Queue 50 new articles on one source and deduplicate them; median of ``repeat``."""
    from newsflow.flows.dedup import deduplicate_source

    rng, times = random.Random(7), []
    for round_ in range(repeat + 1):
        rows = []
        for i in range(50):
            _, page_url, published = _identity(articles - 1 - i)  # new, like the newest stored
            row = _article(QUEUED + articles + round_ * 50 + i, "xinhua-en", "", published, rng)
            row.update(url=f"{page_url}/queued-{round_}", page_id=None, dedup_hash=None)
            rows.append(row)
        with session_scope(url) as session:
            load(session, "articles", rows)
        started = time.perf_counter()
        deduplicate_source("xinhua-en", url)
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times[1:])
