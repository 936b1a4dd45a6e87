"""Kill anywhere: a crawl SIGKILLed at any point, then run again, ends as if it never stopped.

Each crawl is ``python -m crawlers.run`` in its own process group against the replay (answering
a little late, so a crawl has moments between its steps). Its whole process group is killed, as
an OOM kill or a reboot would, at a seeded point inside the crawl: once the replay received its
n-th request or once its n-th article was stored, plus a seeded fraction of a response time. A
series kills several crawls in a row on one store, then lets one finish; the end state must be
an uninterrupted crawl's. ``make soak`` (NEWSFLOW_SOAK=1) runs many more series.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from newsflow.db import models
from newsflow.db.session import get_engine, session_scope
from sqlalchemy import func, inspect, select

from newsflow.replay import ReplayServer

SOURCE = "sana-en"
SOAK = os.environ.get("NEWSFLOW_SOAK") == "1"
# make test: one series of five kills (the first the feed-validator kill); make soak: 60.
SERIES, KILLS_PER_SERIES = (12, 5) if SOAK else (1, 5)
DELAY = 0.02  # seconds before each replay answer
RESUMED = 12  # requests a crawl after a kill makes at least (robots, feeds, sitemap, listings)
TIMEOUT = 120.0
Kill = tuple[str, int, int, str]  # kill point, articles stored, URLs queued, the run's status
# The scenario that lost articles: the feed's ETag is stored, the crawl dies before the article
# only that feed lists is fetched, and every later crawl is answered 304.
ETAG_FEED = "https://sana.sy/en/feed/"
ONLY_IN_THAT_FEED = "https://sana.sy/en/local/2290417/"


@dataclass(frozen=True)
class Snapshot:
    """What a crawl leaves behind, minus bookkeeping that differs by timing (ids, times)."""

    articles: dict[str, tuple[str, Any]]  # url -> (content hash, published_at)
    article_rows: int
    hashes: Counter[str]
    discovered: frozenset[str]
    pending: int
    coverage: frozenset[tuple[Any, ...]]  # (day, discovered, stored, failed, missing) rows
    statuses: list[str] = field(compare=False)


@dataclass(frozen=True)
class KillPoint:
    """Kill once the crawl made ``requests`` requests and stored ``articles`` articles."""

    requests: int
    articles: int
    after: float  # seconds more

    @property
    def label(self) -> str:
        return f"article {self.articles}" if self.articles else f"request {self.requests}"


def _snapshot(url: str) -> Snapshot:
    with session_scope(url) as session:
        rows = session.execute(
            select(models.Article.url, models.Article.content_hash, models.Article.published_at)
        ).all()
        found = session.execute(select(models.Discovery.url, models.Discovery.done_at)).all()
        statuses = session.execute(select(models.CrawlRun.status).order_by(models.CrawlRun.id))
        coverage = session.execute(
            select(
                models.Coverage.day,
                models.Coverage.discovered,
                models.Coverage.stored,
                models.Coverage.failed,
                models.Coverage.missing,
            )
        ).all()
        return Snapshot(
            articles={u: (h, p) for u, h, p in rows},
            article_rows=len(rows),
            hashes=Counter(h for _, h, _ in rows),
            discovered=frozenset(u for u, _ in found),
            pending=sum(done is None for _, done in found),
            coverage=frozenset(tuple(row) for row in coverage),
            statuses=list(statuses.scalars()),
        )


def _stored(url: str) -> int:
    with session_scope(url) as session:
        return session.execute(select(func.count()).select_from(models.Article)).scalar_one()


def _empty(url: str) -> None:
    """Delete every row, keeping the schema and its migration stamp: a fresh store, fast."""
    existing = set(inspect(get_engine(url)).get_table_names())
    with session_scope(url) as session:
        for table in reversed(models.Base.metadata.sorted_tables):
            if table.name in existing:
                session.execute(table.delete())


def _start(replay: ReplayServer, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "NEWSFLOW_DATABASE_URL": url,
    }
    with log.open("wb") as out:  # the child keeps its own handle
        return subprocess.Popen(
            [sys.executable, "-m", "newsflow.crawlers.run", "--source", SOURCE],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )


def _complete(replay: ReplayServer, url: str, log: Path) -> None:
    code = _start(replay, url, log).wait(timeout=TIMEOUT)
    assert code == 0, log.read_text(errors="replace")[-3000:]


def _kill(child: subprocess.Popen[bytes]) -> None:
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(timeout=30)


def _kill_at(replay: ReplayServer, url: str, log: Path, point: KillPoint) -> bool:
    """Run a crawl and kill its process group at ``point``; False when it finished first."""
    requests, articles = len(replay.hits) + point.requests, _stored(url) + point.articles
    child = _start(replay, url, log)
    deadline = time.monotonic() + TIMEOUT
    while len(replay.hits) < requests or (point.articles and _stored(url) < articles):
        if child.poll() is not None:
            return False
        assert time.monotonic() < deadline, f"the crawl stalled: {log}"
        time.sleep(0.01 if point.articles else 0.002)  # a store query costs more than a len()
    time.sleep(point.after)
    if child.poll() is not None:
        return False
    _kill(child)
    return True


def _reference(replay: ReplayServer, url: str, log: Path) -> tuple[Snapshot, int]:
    """An uninterrupted crawl's end state and request count; the store is emptied after."""
    before = len(replay.hits)
    _complete(replay, url, log)
    reference = _snapshot(url), len(replay.hits) - before
    _empty(url)
    return reference


def _draw(rng: random.Random, url: str, reference: tuple[Snapshot, int]) -> KillPoint:
    """About half the kills come at a request, the others after an article is stored."""
    articles, requests = len(reference[0].articles), reference[1]
    stored, after = _stored(url), rng.uniform(0, 2 * DELAY)
    if stored < articles - 1 and rng.random() < 0.5:
        return KillPoint(0, rng.randint(1, articles - stored - 1), after)
    # A fresh crawl may die at any of its requests; a resumed one asks for at least RESUMED.
    return KillPoint(rng.randint(1, requests - 1 if stored == 0 else RESUMED), 0, after)


def _at_kill(url: str) -> tuple[int, int, str]:
    """Articles stored, URLs queued and the killed run's status (running, or already closed)."""
    state = _snapshot(url)
    return len(state.articles), state.pending, state.statuses[-1]


def _kill_after_feed_validators(
    replay: ReplayServer, url: str, log: Path, monkeypatch: pytest.MonkeyPatch
) -> Kill:
    """The kill that used to lose an article for good: right after the feed's ETag is stored."""
    monkeypatch.setattr(replay, "delay", 0.1)  # the article comes well after the feed
    child = _start(replay, url, log)
    deadline = time.monotonic() + TIMEOUT
    while not _has_etag(url):
        assert child.poll() is None and time.monotonic() < deadline, "no ETag stored"
        time.sleep(0.003)
    _kill(child)
    monkeypatch.setattr(replay, "delay", DELAY)
    assert ONLY_IN_THAT_FEED not in _snapshot(url).articles
    return ("feed ETag stored", *_at_kill(url))


def _has_etag(url: str) -> bool:
    with session_scope(url) as session:
        feed = session.get(models.Feed, ETAG_FEED)
        return feed is not None and bool(feed.etag)


def _fresh(url: str, logs: Path) -> Path:
    _empty(url)
    logs.mkdir()
    return logs


def _series(
    replay: ReplayServer,
    url: str,
    logs: Path,
    rng: random.Random,
    reference: tuple[Snapshot, int],
    kills: list[Kill],
) -> list[Kill]:
    """Kill crawls in a row at seeded points, then let one finish: it must end as the reference."""
    for run in range(3 * KILLS_PER_SERIES):
        if len(kills) == KILLS_PER_SERIES:
            break
        point = _draw(rng, url, reference)
        if _kill_at(replay, url, logs / f"run{run}.log", point):
            kills.append((point.label, *_at_kill(url)))
    assert len(kills) == KILLS_PER_SERIES, "too few kills landed inside the crawl"
    _complete(replay, url, logs / "end.log")
    state, expected = _snapshot(url), reference[0]
    assert sorted(set(state.articles) ^ set(expected.articles)) == []  # none missing or extra
    # Same hashes and dates, no article twice, nothing left queued, and every day the killed
    # runs touched counted as an uninterrupted run counts it.
    assert state.coverage == expected.coverage
    assert state == expected
    assert state.article_rows == len(expected.articles) and state.pending == 0
    # A kill that lands as a crawl exits finds its run already closed: not interrupted.
    assert state.statuses.count("interrupted") == [k[-1] for k in kills].count("running")
    assert "running" not in state.statuses and state.statuses[-1] == "completed"
    return kills


@pytest.fixture
def slow_replay(replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> ReplayServer:
    """The session's replay, answering each request a little late."""
    monkeypatch.setattr(replay, "delay", DELAY)
    return replay


@pytest.mark.soak
def test_a_crawl_killed_anywhere_ends_like_an_uninterrupted_one(
    database_url: str, slow_replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, rng = database_url, random.Random(20261201)
    reference = _reference(slow_replay, url, tmp_path / "reference.log")
    assert len(reference[0].articles) >= 19 and ONLY_IN_THAT_FEED in reference[0].articles
    assert len(reference[0].coverage) >= 10  # the uninterrupted crawl counted its days
    # The first series opens with the kill that used to lose an article for good.
    logs = _fresh(url, tmp_path / "series0")
    first = _kill_after_feed_validators(slow_replay, url, logs / "etag.log", monkeypatch)
    asked = len(slow_replay.hits_for(ETAG_FEED))
    landed = [(0, *kill) for kill in _series(slow_replay, url, logs, rng, reference, [first])]
    # That feed answered "not modified" ever after, yet its article is stored (checked above).
    assert {hit.status for hit in slow_replay.hits_for(ETAG_FEED)[asked:]} == {304}
    for series in range(1, SERIES):
        logs = _fresh(url, tmp_path / f"series{series}")
        landed += [(series, *kill) for kill in _series(slow_replay, url, logs, rng, reference, [])]
    print(f"\n{len(landed)} kills (series, point, articles stored, queued, run): {landed}")
    assert len(landed) == SERIES * KILLS_PER_SERIES >= 5
