"""Every table heals: the days a killed run touched are counted by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from newsflow.db import models
from newsflow.db.coverage import aware, day_spans, refresh_coverage
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from sqlalchemy import func, select

from newsflow.registry import get_source

SOURCE = "sana-en"


def _coverage() -> set[tuple[Any, ...]]:
    with session_scope() as session:
        rows = session.execute(
            select(
                models.Coverage.day,
                models.Coverage.discovered,
                models.Coverage.stored,
                models.Coverage.failed,
                models.Coverage.missing,
            ).where(models.Coverage.source_id == SOURCE)
        ).all()
    return {tuple(row) for row in rows}


def _articles() -> int:
    with session_scope() as session:
        return session.execute(select(func.count()).select_from(models.Article)).scalar_one()


def _kill_a_crawl_midway(replay: Any, log: Path) -> None:
    """A crawl of its own, killed with its whole process group halfway through its requests."""
    env = {
        **os.environ,
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
    }
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "newsflow.crawlers.run", "--source", SOURCE],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    asked, deadline = len(replay.hits), time.monotonic() + 120
    while len(replay.hits) < asked + 15 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    with session_scope() as session:
        listed = session.execute(select(func.count()).select_from(models.Discovery)).scalar_one()
    assert listed > 0 and _articles() < 19, log.read_text(errors="replace")[-2000:]


def test_the_next_run_counts_the_days_a_killed_run_touched(
    database_url: str, replay, fast_crawl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(replay, "delay", 0.1)  # a crawl slow enough to be killed midway
    _kill_a_crawl_midway(replay, tmp_path / "killed.log")
    assert _coverage() == set()  # the killed run counted nothing
    monkeypatch.setattr(replay, "delay", 0.0)

    summary = ingest(SOURCE, base_url=replay.base_url)

    healed = _coverage()
    days = {row[0] for row in healed}
    assert summary["counts"]["coverage_days"] == len(healed) > 0
    with session_scope() as session:
        listed = set(session.execute(select(models.Discovery.listed_on)).scalars())
        published = session.execute(select(models.Article.published_at)).scalars()
        tz = get_source(SOURCE).tz
        stored = {aware(moment).astimezone(tz).date() for moment in published if moment}
        assert (listed - {None}) | stored <= days  # every day the killed run touched counted
        # ... and counted right: a recount of the same days from scratch says the same.
        session.execute(models.Coverage.__table__.delete())
        for first, last in day_spans(days):
            refresh_coverage(session, SOURCE, first, last, tz)
        statuses = session.execute(select(models.CrawlRun.status).order_by(models.CrawlRun.id))
        assert list(statuses.scalars()) == ["interrupted", "completed"]
    assert _coverage() == healed
