"""One crawl per source, whatever starts it: a deployment on a worker, the CLI, a bare crawl.

A second run of a busy source waits (a bounded time) or refuses with a message naming the run
that holds it, and never changes that run's row. Cancelling the deployment's flow run (the
worker sends its process SIGTERM) stops the crawl's whole process group within seconds and
closes the row as cancelled with its counts so far.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from newsflow.crawlers.processes import group_alive
from newsflow.db import leases, models, store
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from sqlalchemy import select

from newsflow.cli import main
from newsflow.registry import load_registry
from newsflow.settings import get_settings

OCTOBER = {"since": "2016-10-01", "until": "2016-10-31"}


def _row(url: str, run_id: int) -> tuple[Any, ...]:
    with session_scope(url) as session:
        run = session.get(models.CrawlRun, run_id)
        assert run is not None
        return (run.kind, run.status, run.finished_at, run.error, run.flow_run_id)


def _runs(url: str) -> list[tuple[int, str, str]]:
    with session_scope(url) as session:
        rows = session.execute(select(models.CrawlRun).order_by(models.CrawlRun.id)).scalars()
        return [(r.id, r.kind, r.status) for r in rows]


def _holding(url: str, source: str) -> int | None:
    """The run holding ``source`` once its crawl has stored a page."""
    with session_scope(url) as session:
        run_id = leases.held_run(session, source)
        page = session.execute(select(models.Page.id).where(models.Page.run_id == run_id)).first()
    return run_id if run_id and page else None


def _hold(url: str, source: str, flow_run_id: str | None = None) -> tuple[leases.Lease, int]:
    """Take ``source`` as another run would: its lease and a running backfill row."""
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
    lease = leases.acquire(source, url=url, wait=0)
    with session_scope(url) as session:
        run_id = store.start_run(session, source, "backfill", flow_run_id=flow_run_id)
        leases.attach_run(session, lease, run_id)
    return lease, run_id


def _busy_wait(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    monkeypatch.setenv("NEWSFLOW_RUNS__BUSY_WAIT_SECONDS", str(seconds))
    get_settings.cache_clear()


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_the_cli_is_refused_while_a_deployment_crawls_and_a_cancel_stops_that_crawl(
    database_url: str, replay, deployed, crawl_children, wait_until, monkeypatch
) -> None:
    """The concurrent-runs test and the Prefect cancel test, on one deployment run (one worker
    flow run costs ~30 s here, so both look at the same one)."""
    monkeypatch.setattr(replay, "delay", 1.0)  # a crawl of October takes far longer than this
    env = {
        "NEWSFLOW_DATABASE_URL": database_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "NEWSFLOW_RUNS__STOP_GRACE_SECONDS": "3",
    }
    parameters = {"source": "sana-en", **OCTOBER, "base_url": replay.base_url}
    flow_run_id = deployed.run("backfill/backfill", parameters, env)
    held = wait_until(lambda: _holding(database_url, "sana-en"), 150, "the deployment crawling")
    groups = _groups(crawl_children(database_url))
    before = _row(database_url, held)

    _busy_wait(monkeypatch, 1)
    result = CliRunner().invoke(main, ["ingest", "sana-en", "--base-url", replay.base_url])
    assert result.exit_code == 1, result.output
    expected = f"sana-en is being crawled by run {held} (backfill, flow run {flow_run_id}) since "
    assert expected in result.output and "try again later" in result.output
    assert _row(database_url, held) == before  # the crawling run's row is untouched
    assert before[1:3] == ("running", None) and groups

    asked = time.monotonic()
    deployed.cancel(flow_run_id)  # what `prefect flow-run cancel` does
    wait_until(lambda: not any(group_alive(g) for g in groups), 60, "the crawl group gone")
    stopped_after = time.monotonic() - asked
    assert deployed.wait(flow_run_id, 60).state.is_cancelled(), deployed.log_tail()
    assert _runs(database_url) == [(held, "backfill", "cancelled")]  # the refused run left none
    with session_scope(database_url) as session:
        run = session.get(models.CrawlRun, held)
        assert run is not None and run.finished_at is not None
        assert run.counts["pages_fetched"] >= 1 and "TerminationSignal" in (run.error or "")
        assert session.get(models.SourceLease, "sana-en") is None  # the source is free again
    assert stopped_after < 30, f"the crawl stopped {stopped_after:.0f}s after the cancel"


def _groups(pids: list[int]) -> list[int]:
    groups = []
    for pid in pids:
        try:
            groups.append(os.getpgid(pid))
        except ProcessLookupError:
            continue
    return groups


def test_a_second_run_waits_for_the_source_then_crawls(
    database_url: str, replay, fast_crawl, monkeypatch: pytest.MonkeyPatch
) -> None:
    lease, first = _hold(database_url, "sana-ar")

    def finish() -> None:
        with session_scope(database_url) as session:
            store.finish_run(session, first, {"articles_new": 0}, "completed")
            leases.release(lease, session)

    threading.Timer(3.0, finish).start()
    _busy_wait(monkeypatch, 60)
    summary = ingest("sana-ar", base_url=replay.base_url)
    assert summary["status"] == "completed" and summary["kind"] == "manual"
    assert _runs(database_url) == [
        (first, "backfill", "completed"),
        (first + 1, "manual", "completed"),
    ]
    with session_scope(database_url) as session:
        earlier, later = (session.get(models.CrawlRun, i) for i in (first, first + 1))
        assert earlier is not None and later is not None and earlier.finished_at is not None
        assert later.started_at >= earlier.finished_at  # it waited for the source


def test_a_bare_crawl_refuses_a_busy_source(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, held = _hold(database_url, "sana-ar", flow_run_id="f0e1-flow")
    env = {"NEWSFLOW_DATABASE_URL": database_url, "NEWSFLOW_RUNS__BUSY_WAIT_SECONDS": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.crawlers.run", "--source", "sana-ar"],
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert (
        f"newsflow crawl: cannot crawl sana-ar: sana-ar is being crawled by run {held} "
        "(backfill, flow run f0e1-flow) since "
    ) in done.stderr
    assert _runs(database_url) == [(held, "backfill", "running")]


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}


def test_a_refused_run_is_one_line_and_its_summary_not_a_traceback(
    sqlite_url: str, replay, child_env: dict[str, str]
) -> None:
    _, held = _hold(sqlite_url, "sana-ar")
    env = {
        **child_env,
        "NEWSFLOW_DATABASE_URL": sqlite_url,
        "NEWSFLOW_RUNS__BUSY_WAIT_SECONDS": "0",
    }
    newsflow = Path(sys.executable).with_name("newsflow")
    done = subprocess.run(
        [str(newsflow), "ingest", "sana-ar", "--base-url", replay.base_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    busy = f"sana-ar is being crawled by run {held} (backfill, no flow run) since "
    assert [line for line in done.stderr.splitlines() if busy in line] != [], done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
