"""Near-duplicate check-and-store throughput with 100,000 articles already stored.

The store is built in bulk: 100,000 synthetic English articles over 100 days (pseudo-words, with
capitalised names drawn from a long-tailed list so story terms collide as real names do) with
their band rows. Story term keys are the real ones. Near-duplicate band keys are real for the
3,000 articles the stream copies and uniformly random for the rest: unrelated texts share a band
only by chance, so random keys give the same index and the same (empty) lookups.

Each round queues 2,000 new articles on one source (5 % exact copies and 10 % near copies, 2 %
of their words replaced, of stored articles on other sources; the rest new) and times
``deduplicate_source`` over them: band keys written, candidates looked up (one query per batch
of 500), verified on recomputed shingles, links and stories written. "near-only" leaves the
story step out. Besides wall time, ``articles_per_cpu_second`` counts this process's CPU time.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from newsflow.db import migrate, models, store
from newsflow.db.session import dispose_engines, get_engine, session_scope
from newsflow.flows.dedup import dateline_rules, deduplicate_source
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from newsflow.article import Article
from newsflow.dedup.fingerprint import fingerprint
from newsflow.dedup.lsh import BANDS
from newsflow.dedup.stories import day_keys, salient_terms
from newsflow.registry import load_registry

STORED, TARGETS, STREAM = 100_000, 3_000, 2_000
EXACT, NEAR = 100, 200
BACKGROUND = ("sana-en", "xinhua-en", "irna-en", "anadolu-en")
START = datetime(2024, 1, 1, tzinfo=UTC)
POSTGRES_URL = os.environ.get(
    "NEWSFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


class Corpus:
    """Seeded synthetic articles: pseudo-words and long-tailed capitalised names."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.words = [self._word() for _ in range(8000)]
        self.names = [self._word().title() for _ in range(3000)]
        self.weights = [1 / (rank + 1) for rank in range(len(self.names))]
        self.targets: list[Article] = []  # stored articles the stream copies

    def article(self, n: int, source: str, published: datetime) -> Article:
        """A new article: an eight-word title with names, four paragraphs of 40–60 words."""
        title = " ".join(self._words(6) + self._names(2))
        body = "\n\n".join(" ".join(self._paragraph()) for _ in range(4))
        return Article(
            url=f"https://{source}.example/{n}",
            title=title,
            body=body,
            published_at=published,
            source=source,
            language="en",
        )

    def near(self, article: Article, url: str, source: str) -> Article:
        """A copy with 2 % of its words replaced."""
        words = article.body.split(" ")
        for i in self.rng.sample(range(len(words)), max(1, len(words) // 50)):
            words[i] = self.rng.choice(self.words)
        return article.evolve(url=url, source=source, body=" ".join(words))

    def _paragraph(self) -> list[str]:
        words = self._words(self.rng.randint(40, 60))
        for i in self.rng.sample(range(len(words)), 4):
            words[i] = self._names(1)[0]
        return words

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(self.words, k=k)

    def _names(self, k: int) -> list[str]:
        return self.rng.choices(self.names, weights=self.weights, k=k)

    def _word(self) -> str:
        return "".join(self.rng.choices("abcdefghijklmnopqrstuvwxyz", k=self.rng.randint(3, 9)))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stored(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[tuple[str, Corpus]]:
    """A migrated store holding STORED articles and their band keys, built in bulk."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dedup') / 'bench.sqlite3'}"
        cleanup: Callable[[], None] | None = None
    else:
        url, cleanup = _postgres_database()
    migrate.upgrade(url)
    corpus = Corpus()
    _fill(url, corpus)
    yield url, corpus
    dispose_engines()
    if cleanup:
        cleanup()


@pytest.mark.parametrize("stories", [True, False], ids=["with-stories", "near-only"])
def test_dedup_check_and_store_with_100k_stored(benchmark, stored, stories, monkeypatch) -> None:
    url, corpus = stored
    if not stories:  # the near-duplicate part alone: links, no story lookups
        monkeypatch.setattr("newsflow.flows.dedup.join_stories", lambda *args: Counter())
    rounds: list[int] = []
    cpu: list[float] = []

    def queue_stream() -> tuple[tuple[str], dict[str, str]]:
        rounds.append(len(rounds))
        _queue(url, corpus, len(rounds) + (0 if stories else 100))
        return (url,), {}

    def check(database: str) -> None:
        start = time.process_time()
        counts = deduplicate_source("tass-en", database)
        cpu.append(time.process_time() - start)
        assert counts["dedup_checked"] == STREAM
        assert counts["duplicates_exact"] >= EXACT and counts["near_duplicates"] >= 0.95 * NEAR

    benchmark.pedantic(check, setup=queue_stream, rounds=3, iterations=1)
    # The machine is shared: this process's CPU time says what the code costs (SQLite works
    # in-process; PostgreSQL's own work is in its server process and counts in wall time only).
    benchmark.extra_info["articles_per_second"] = round(STREAM / benchmark.stats["mean"])
    benchmark.extra_info["articles_per_cpu_second"] = round(STREAM * len(cpu) / sum(cpu))
    benchmark.extra_info["stored"] = STORED


def _fill(url: str, corpus: Corpus) -> None:
    """Insert STORED articles and their band rows, 10,000 at a time; keep the copy targets."""
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
    step = timedelta(days=100) / STORED
    keys = random.Random(2)
    for first in range(0, STORED, 10_000):
        articles = [
            corpus.article(n, BACKGROUND[n % len(BACKGROUND)], START + n * step)
            for n in range(first, first + 10_000)
        ]
        with get_engine(url).begin() as connection:
            connection.execute(insert(models.Article), [_row(a, done=True) for a in articles])
        bands = [_bands(first + n + 1, a, keys) for n, a in enumerate(articles)]
        _insert_bands(url, [row for rows in bands for row in rows])
        if first == 0:
            corpus.targets = articles[:TARGETS]
    # As autovacuum leaves a table in steady state: statistics, and a visibility map so
    # PostgreSQL counts band keys on the index alone.
    with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        is_postgres = connection.dialect.name == "postgresql"
        connection.execute(text("VACUUM ANALYZE" if is_postgres else "ANALYZE"))


def _queue(url: str, corpus: Corpus, round_number: int) -> None:
    """Queue STREAM articles on tass-en: exact and near copies of stored targets, and new ones."""
    targets = corpus.rng.sample(corpus.targets, EXACT + NEAR)
    stream = []
    for i in range(STREAM):
        url_i = f"https://tass.com/bench/{round_number}/{i}"
        if i < EXACT:
            stream.append(targets[i].evolve(url=url_i, source="tass-en"))
        elif i < EXACT + NEAR:
            stream.append(corpus.near(targets[i], url_i, "tass-en"))
        else:
            published = START + timedelta(days=corpus.rng.uniform(0, 100))
            stream.append(corpus.article(i, "tass-en", published).evolve(url=url_i))
    with get_engine(url).begin() as connection:
        connection.execute(insert(models.Article), [_row(a, done=False) for a in stream])


def _row(article: Article, done: bool) -> dict[str, object]:
    return {
        "source_id": article.source,
        "url": article.url,
        "title": article.title,
        "body": article.body,
        "authors": [],
        "tags": [],
        "provenance": {},
        "published_at": article.published_at,
        "language": article.language,
        "content_hash": article.content_hash,
        "dedup_hash": article.content_hash if done else None,
    }


def _bands(article_id: int, article: Article, keys: random.Random) -> list[tuple[int, int, int]]:
    """Real story keys; real near-duplicate keys for copy targets, random ones for the rest."""
    assert article.published_at is not None
    terms = salient_terms(article.title, article.body, dateline_rules())
    found = day_keys(terms, article.language, article.published_at.date())
    if article_id <= TARGETS:
        found += fingerprint(article.title, article.body, (), dateline_rules()).near_keys
    else:
        found += [(band, keys.getrandbits(64) - 2**63) for band in range(BANDS)]
    return [(article_id, band, key) for band, key in found]


def _insert_bands(url: str, rows: list[tuple[int, int, int]]) -> None:
    connection = get_engine(url).raw_connection()
    try:
        cursor = connection.cursor()
        if get_engine(url).dialect.name == "postgresql":
            with cursor.copy("COPY article_bands (article_id, band, key) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany("INSERT INTO article_bands VALUES (?, ?, ?)", rows)
        connection.commit()
    finally:
        connection.close()


def _postgres_database() -> tuple[str, Callable[[], None]]:
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
