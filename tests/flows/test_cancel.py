"""Cancel and time out cleanly: no crawl process left, the run closed with its counts so far.

SIGTERM to the CLI and a crawl past its timeout each stop the crawl child's whole process
group within seconds (SIGTERM, then SIGKILL after the grace setting, 3 s here) and release the
source. A cancelled deployment run is tested with the concurrent runs (test_leases.py), on the
same worker flow run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from newsflow.crawlers.processes import group_alive
from newsflow.crawlers.run import crawl_timeout
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from sqlalchemy import select

from newsflow.registry import AGENCIES_DIR
from newsflow.runs import RunKind
from newsflow.settings import get_settings

OCTOBER = {"since": "2016-10-01", "until": "2016-10-31"}
GRACE = "3"


def _run(url: str) -> models.CrawlRun:
    with session_scope(url) as session:
        return session.execute(select(models.CrawlRun)).scalar_one()


def _lease(url: str) -> models.SourceLease | None:
    with session_scope(url) as session:
        return session.get(models.SourceLease, "sana-en")


def _crawling(url: str, crawl_children: Any) -> list[int] | None:
    """The crawl children's process groups, once a page of the run is stored."""
    with session_scope(url) as session:
        fetched = session.execute(select(models.Page.id).where(models.Page.run_id.is_not(None)))
        if fetched.first() is None:
            return None
    groups = []
    for pid in crawl_children(url):
        try:
            groups.append(os.getpgid(pid))
        except ProcessLookupError:
            continue
    return groups or None


def _assert_stopped(url: str, groups: list[int], status: str) -> models.CrawlRun:
    assert not [g for g in groups if group_alive(g)], "a crawl process outlived its run"
    run = _run(url)
    assert (run.status, run.finished_at is not None) == (status, True), run.error
    assert run.counts["pages_fetched"] >= 1  # its counts so far
    assert _lease(url) is None  # the source is free again
    return run


def _sigterm_to_the_cli(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)


def _ctrl_c(pid: int) -> None:
    """What a terminal's Ctrl-C does: SIGINT to every process of the foreground group."""
    os.killpg(pid, signal.SIGINT)


@pytest.mark.parametrize(
    ("stop", "temporary_server"),
    [
        (_sigterm_to_the_cli, False),
        # Against the session's server; make test keeps the user's case, a temporary server.
        pytest.param(_ctrl_c, False, marks=pytest.mark.soak_only),
        (_ctrl_c, True),
    ],
    ids=["sigterm", "ctrl-c", "ctrl-c-temporary-server"],
)
def test_a_stopped_cli_stops_its_crawl_and_closes_the_run(
    sqlite_url: str,
    replay,
    child_env,
    crawl_children,
    wait_until,
    monkeypatch,
    tmp_path: Path,
    stop: Any,
    temporary_server: bool,
) -> None:
    database_url = sqlite_url
    monkeypatch.setattr(replay, "delay", 1.0)
    env = {
        **child_env,
        "NEWSFLOW_DATABASE_URL": database_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "NEWSFLOW_RUNS__STOP_GRACE_SECONDS": GRACE,
    }
    if temporary_server:  # as a user runs it: no Prefect API, the CLI starts its own server
        del env["PREFECT_API_URL"]
    window = ["--since", OCTOBER["since"], "--until", OCTOBER["until"]]
    newsflow = Path(sys.executable).with_name("newsflow")
    log = tmp_path / "cli.log"
    with log.open("wb") as out:
        cli = subprocess.Popen(
            [str(newsflow), "backfill", "sana-en", *window, "--base-url", replay.base_url],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # like a terminal's job: the CLI alone gets the signal
        )
    try:
        groups = wait_until(lambda: _crawling(database_url, crawl_children), 150, "a crawl")
        stop(cli.pid)
        stopped = time.monotonic()
        cli.wait(timeout=30)  # the crawl's grace (3 s), then closing the run
        took = time.monotonic() - stopped
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
    printed = log.read_text(errors="replace")
    assert cli.returncode != 0, printed[-3000:]
    assert cli.pid not in groups  # the crawl ran in a group of its own
    _assert_stopped(database_url, groups, "cancelled")
    if stop is _ctrl_c:  # one line, exit 130: no retries against a server the SIGINT stopped
        assert cli.returncode == 130, printed[-3000:]
        errors = [line for line in printed.splitlines() if "error" in line.lower()]
        assert errors == [
            "newsflow: error: interrupted; any run in progress was closed as cancelled"
        ], printed[-3000:]
        assert "Traceback" not in printed
    # The crawl's grace, closing the run, Prefect flushing its logs to the temporary server and
    # stopping it (up to 5 s): 10-16 s here, never the 70 s of retries against a server the
    # SIGINT had stopped.
    assert took < float(GRACE) + 25, f"stopped after {took:.1f} s"


@pytest.mark.postgres_in_soak
def test_a_crawl_past_its_timeout_is_stopped_and_closed_timed_out(
    database_url: str, replay, fast_crawl, crawl_children, monkeypatch
) -> None:
    monkeypatch.setattr(replay, "delay", 1.0)  # the October crawl needs far longer than 6 s
    monkeypatch.setenv("NEWSFLOW_RUNS__CRAWL_TIMEOUT_MINUTES", "0.1")
    monkeypatch.setenv("NEWSFLOW_RUNS__STOP_GRACE_SECONDS", GRACE)
    get_settings.cache_clear()
    window = {k: date.fromisoformat(v) for k, v in OCTOBER.items()}
    state = ingest(
        "sana-en", kind=RunKind.BACKFILL, base_url=replay.base_url, return_state=True, **window
    )
    assert state.is_failed()
    assert crawl_children(database_url) == []
    run = _run(database_url)
    assert run.status == "timed_out"
    assert (run.error or "").startswith("crawl of sana-en timed out after 6s")
    assert _lease(database_url) is None
    assert _crawl_attempts(state) == 1  # a timeout is not retried


def _crawl_attempts(state: Any) -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        flow_run_id = state.state_details.flow_run_id
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return sum(t.run_count for t in tasks if t.name.startswith("crawl-"))


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Environment changes that settings see; forgotten again after the test."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_the_crawl_timeout_is_the_editions_else_the_agencys_else_the_setting(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    monkeypatch = settings_env
    text = (AGENCIES_DIR / "sana.toml").read_text(encoding="utf-8")
    text = text.replace(
        'schedule = "*/30 * * * *"', 'schedule = "*/30 * * * *"\ncrawl_timeout_minutes = 45'
    )
    text = text.replace(
        'name = "SANA English"', 'name = "SANA English"\ncrawl_timeout_minutes = 20'
    )
    (tmp_path / "sana.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_REGISTRY_PATH", str(tmp_path))
    monkeypatch.setenv("NEWSFLOW_RUNS__CRAWL_TIMEOUT_MINUTES", "90")
    assert (crawl_timeout("sana-en"), crawl_timeout("sana-ar"), crawl_timeout("tass-en")) == (
        1200,
        2700,
        5400,
    )
