"""`newsflow serve` forks its flow runs from a warm forkserver: real runs, real processes.

The serve process runs in a child against the session's Prefect server; flow runs of its
ria-ru deployment are started through the API, as a schedule or the UI would start them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import psutil
import pytest
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.warm_start import start_runs_by_fork
from sqlalchemy import select

from newsflow.budget import close_shared_pools

SOURCE = "ria-ru"
DEPLOYMENT = f"ingest/ingest-{SOURCE}"


@pytest.fixture
def serving(
    sqlite_url: str, replay, child_env, wait_until, stop_group, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`newsflow serve --source ria-ru` as a child; its schedule paused (a cron firing
    mid-test would race the test's own runs)."""
    from prefect.client.orchestration import get_client

    env = {
        **child_env,
        "NEWSFLOW_DATABASE_URL": sqlite_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    log = tmp_path / "serve.log"
    newsflow = Path(sys.executable).with_name("newsflow")
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [str(newsflow), "serve", "--source", SOURCE],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with get_client(sync_client=True) as client:
            deployment = wait_until(lambda: _deployment(client), 120, "the served deployment")
            client.pause_deployment(deployment.id)
        yield serve, log
    finally:
        stop_group(serve)


def _deployment(client: Any) -> Any:
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_deployment_by_name(DEPLOYMENT)
    except ObjectNotFound:
        return None


def _run_and_wait(base_url: str, wait_until: Any) -> Any:
    """A scheduled-kind run of the served deployment, once final."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    parameters = {"kind": "scheduled", "base_url": base_url}
    flow_run: Any = run_deployment(DEPLOYMENT, parameters=parameters, timeout=0, as_subflow=False)
    with get_client(sync_client=True) as client:
        return wait_until(
            lambda: (run := client.read_flow_run(flow_run.id)).state.is_final() and run,
            180,
            "the served flow run to finish",
        )


def _runs(url: str) -> list[models.CrawlRun]:
    with session_scope(url) as session:
        rows = session.scalars(select(models.CrawlRun).order_by(models.CrawlRun.id)).all()
        session.expunge_all()
        return list(rows)


def test_served_runs_fork_from_a_warm_forkserver_and_an_idle_poll_skips_the_crawl(
    serving: tuple[subprocess.Popen[bytes], Path], sqlite_url: str, replay, wait_until
) -> None:
    serve, log = serving
    first = _run_and_wait(replay.base_url, wait_until)
    second = _run_and_wait(replay.base_url, wait_until)
    output = log.read_text(errors="replace")
    assert first.state.is_completed(), output[-3000:]
    assert second.state.is_completed(), output[-3000:]
    assert "flow runs fork from a warm process" in output
    children = [" ".join(p.cmdline()) for p in psutil.Process(serve.pid).children()]
    assert any("forkserver" in command for command in children), children
    primed, idle = _runs(sqlite_url)
    assert (primed.kind, primed.status, idle.kind, idle.status) == (
        "scheduled",
        "completed",
        "scheduled",
        "completed",
    )
    assert primed.counts["articles_new"] > 0
    assert (idle.counts["probe_skipped"], idle.counts["articles_new"]) == (1, 0)


def test_the_forkserver_has_the_flows_imported_before_a_run_starts(monkeypatch) -> None:
    import prefect.flow_engine as engine

    monkeypatch.setattr(engine, "multiprocessing", engine.multiprocessing)  # put back after
    # A process has one forkserver: a crawl or enrichment test on this worker may have started
    # it, with the warm preload (newsflow/warm.py); serve's process starts it itself, as here.
    # It lives while a child of it does: the shared enrichment workers go first.
    close_shared_pools()
    forkserver._forkserver._stop()
    context = start_runs_by_fork()
    assert engine.multiprocessing.get_context("spawn") is context
    # Built-ins only: they unpickle in the forked child without importing this test module.
    loaded = "__import__('sys').modules.__contains__('newsflow.flows.ingest')"
    with context.Pool(1) as pool:
        parent = pool.apply(os.getppid)
        preloaded = pool.apply(eval, (loaded,))
    assert preloaded
    assert parent != os.getpid()  # forked by the forkserver, not by this process
    assert "forkserver" in " ".join(psutil.Process(parent).cmdline())
