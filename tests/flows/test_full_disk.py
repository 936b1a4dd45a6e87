"""A full disk: the command says so in one line, the run is closed, and the next run, once
there is room, ends as an uninterrupted run would (every article, the coverage table too).

The disk is a real one: a small tmpfs mounted for the test, holding the SQLite store, filled
with a file until the crawl cannot write. Mounting needs root (as CI runs); elsewhere the test
skips, saying so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsflow.db import migrate, models
from newsflow.db.session import dispose_engines, session_scope
from sqlalchemy import func, select

SOURCE = "sana-en"
ROOM = 320 * 1024  # what the filler leaves free: the run starts, its pages do not all fit


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"a full disk is a small tmpfs the test mounts, and mount refused "
            f"({mounted.stderr.strip() or mounted.returncode}): run the tests as root to enable it"
        )
    try:
        yield where
    finally:
        dispose_engines()
        subprocess.run(["umount", "--lazy", str(where)], check=False)


def _ingest(env: dict[str, str], base_url: str) -> subprocess.CompletedProcess[str]:
    newsflow = Path(sys.executable).with_name("newsflow")
    command = [str(newsflow), "ingest", SOURCE, "--base-url", base_url]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _state(url: str) -> tuple[list[str], int, int, bool]:
    with session_scope(url) as session:
        statuses = session.execute(select(models.CrawlRun.status).order_by(models.CrawlRun.id))
        articles = session.execute(select(func.count()).select_from(models.Article)).scalar_one()
        days = session.execute(select(func.count()).select_from(models.Coverage)).scalar_one()
        leased = session.get(models.SourceLease, SOURCE) is not None
        return list(statuses.scalars()), articles, days, leased


# Three minutes (the failed crawl's retries wait 10 and 60 s for room): make soak runs it.
@pytest.mark.soak_only
def test_a_full_disk_is_one_line_and_the_next_run_heals(
    small_disk: Path, replay: Any, child_env: dict[str, str], tmp_path: Path
) -> None:
    url = f"sqlite:///{small_disk / 'newsflow.sqlite3'}"
    migrate.upgrade(url)
    dispose_engines()
    env = {**child_env, "NEWSFLOW_DATABASE_URL": url, "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0"}
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - ROOM))

    full = _ingest(env, replay.base_url)

    printed = full.stdout + full.stderr
    assert full.returncode == 1, printed[-3000:]
    # One line for the failure (the summary table, on stdout, says 'failed' too), and the
    # run that could not be closed on a full disk, left for the next run to close.
    said = full.stderr.splitlines()
    assert len(said) <= 2, printed[-3000:]
    assert said[-1].startswith(f"! {SOURCE}: ") and "disk is full" in said[-1], printed[-3000:]
    assert all("could not be closed" in line for line in said[:-1]), printed[-3000:]

    filler.unlink()
    room = _ingest(env, replay.base_url)

    assert room.returncode == 0, (room.stdout + room.stderr)[-3000:]
    statuses, articles, days, leased = _state(url)
    assert statuses[-1] == "completed" and "running" not in statuses and not leased
    # As an uninterrupted run on a disk with room ends.
    clean = f"sqlite:///{tmp_path / 'clean.sqlite3'}"
    migrate.upgrade(clean)
    assert _ingest({**env, "NEWSFLOW_DATABASE_URL": clean}, replay.base_url).returncode == 0
    _, clean_articles, clean_days, _ = _state(clean)
    assert (articles, days) == (clean_articles, clean_days)
