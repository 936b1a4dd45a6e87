"""Backfill: exactly the window's articles, and a run killed mid-way resumes to the same end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from sqlalchemy import func, select

REFERENCE = Path(__file__).parents[1] / "fixtures/sites/sana/reference/backfill_2016-10.json"
OCTOBER = json.loads(REFERENCE.read_text(encoding="utf-8"))
OCTOBER_IDS = set(OCTOBER["post_ids"])
WINDOW = (OCTOBER["since"], OCTOBER["until"])


def _state(url: str) -> dict[str, object]:
    """What a backfill leaves behind, minus run bookkeeping (ids, times, request order)."""
    with session_scope(url) as session:
        articles = session.execute(
            select(models.Article.url, models.Article.content_hash, models.Article.published_at)
        ).all()
        # The raw content kept. The same bytes are served under a legacy and an archive URL, and
        # which of the two a crawl asks for first is timing, like ids and fetch times.
        pages = set(session.execute(select(models.Page.body_sha256)).scalars())
        found = session.execute(select(models.Discovery.url, models.Discovery.listed_on)).all()
        coverage = session.execute(
            select(models.Coverage.day, models.Coverage.discovered, models.Coverage.stored)
        ).all()
    return {
        "articles": sorted(articles),
        "pages": sorted(pages),
        "discoveries": sorted(found),
        "coverage": sorted(coverage),
    }


def _ids(url: str) -> set[int]:
    with session_scope(url) as session:
        urls = session.execute(select(models.Article.url)).scalars().all()
    return {int(u.rsplit("=", 1)[1]) for u in urls}


def test_backfill_stores_exactly_the_window(database_url: str, replay, fast_crawl) -> None:
    summary = ingest(
        "sana-en", kind="backfill", since=WINDOW[0], until=WINDOW[1], base_url=replay.base_url
    )
    assert summary["status"] == "completed" and summary["kind"] == "backfill"
    assert _ids(database_url) == OCTOBER_IDS
    assert not replay.hits_for(OCTOBER["never_requested"])
    with session_scope(database_url) as session:
        run = session.get(models.CrawlRun, summary["run_id"])
        assert (str(run.window_start), str(run.window_end)) == WINDOW
        days = session.execute(select(func.count()).select_from(models.Coverage)).scalar_one()
    assert days == 31


def _backfill_command(url: str, replay, tmp_path: Path, delay: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEWSFLOW_DATABASE_URL": url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": delay,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)  # its own temporary Prefect server, like a user's shell
    command = [
        sys.executable,
        "-m",
        "newsflow.cli",
        "backfill",
        "sana-en",
        "--since",
        WINDOW[0],
        "--until",
        WINDOW[1],
        "--base-url",
        replay.base_url,
    ]
    return subprocess.Popen(
        command, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _wait_for_articles(url: str, count: int, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        with session_scope(url) as session:
            stored = session.execute(select(func.count()).select_from(models.Article)).scalar_one()
        if stored >= count:
            return stored
        time.sleep(0.2)
    pytest.fail(f"backfill ended or stalled before storing {count} articles")


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_killed_backfill_resumes_to_the_same_end_state(
    database_url: str, replay, tmp_path: Path, fast_crawl, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1 s between requests: articles arrive one a second even when the extraction workers
    # warm up late on a loaded machine (at 0.25 s all 14 were fetched, then stored at once).
    first = _backfill_command(database_url, replay, tmp_path, delay="1.0")
    stored_before_kill = _wait_for_articles(database_url, 4, first)
    os.killpg(first.pid, signal.SIGKILL)  # the whole process group: flow and crawler child
    first.wait(timeout=30)
    assert 4 <= stored_before_kill < len(OCTOBER_IDS)
    hits_before = {u: len(replay.hits_for(u)) for u in _article_urls(database_url)}

    second = _backfill_command(database_url, replay, tmp_path, delay="0")
    output = second.communicate(timeout=240)[0].decode()
    assert second.returncode == 0, output
    assert _ids(database_url) == OCTOBER_IDS
    refetched = [u for u, n in hits_before.items() if len(replay.hits_for(u)) > n]
    with session_scope(database_url) as session:
        statuses = session.execute(select(models.CrawlRun.status).order_by(models.CrawlRun.id))
        assert list(statuses.scalars()) == ["interrupted", "completed"]
    assert refetched == [], "stored pages were fetched again after the resume"

    resumed, expected = _state(database_url), _uninterrupted_state(replay, tmp_path, monkeypatch)
    for key in expected:
        assert sorted(set(resumed[key]) ^ set(expected[key])) == [], key
    assert resumed == expected


def _uninterrupted_state(replay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    from newsflow.db import migrate

    from newsflow.settings import get_settings

    url = f"sqlite:///{tmp_path / 'uninterrupted.sqlite3'}"
    migrate.upgrade(url)
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    ingest("sana-en", kind="backfill", since=WINDOW[0], until=WINDOW[1], base_url=replay.base_url)
    return _state(url)


def _article_urls(url: str) -> list[str]:
    with session_scope(url) as session:
        query = select(models.Page.final_url).where(models.Page.kind == "article")
        return list(session.execute(query).scalars())
