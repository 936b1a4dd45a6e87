"""Flow tests run real Prefect flow runs against a temporary Prefect database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def fast_crawl(monkeypatch: pytest.MonkeyPatch) -> None:
    """The replay is local: no politeness delay (the setting users set for mirrors)."""
    monkeypatch.setenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", "0")


# Deployments on a process worker (issue 11): one worker for the test session, on the session's
# Prefect server (the harness above: a real server on 127.0.0.1). Each flow run gets its test's
# database and settings through the run's job variables, so one worker serves every test.
WORK_POOL = "newsflow-test-process"
WORKER_LOG_TAIL = 4000


@pytest.fixture(scope="session")
def prefect_api_url(prefect_harness: None) -> str:
    """The session Prefect server's API, for clients in other processes."""
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())


def quiet_env(prefect_api_url: str, home: Path) -> dict[str, str]:
    """A child's environment: no NEWSFLOW_*/PREFECT_* of the test run, the session's API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_"))}
    env.update(
        PREFECT_API_URL=prefect_api_url,
        PREFECT_HOME=str(home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    return env


@pytest.fixture(scope="session")
def process_worker(
    prefect_api_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, int]]:
    """`prefect worker start --pool newsflow-test-process` as a child: yields its log file and
    its pid.

    Its own defaults point at a throwaway store and a closed port, so nothing a run forgets
    to set reaches the real database or the network.
    """
    home = tmp_path_factory.mktemp("prefect-worker")
    env = quiet_env(prefect_api_url, home)
    env.update(
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="0",
        NEWSFLOW_DATABASE_URL=f"sqlite:///{home / 'unused.sqlite3'}",
        NEWSFLOW_BASE_URL="http://127.0.0.1:9",
    )
    log = home / "worker.log"
    prefect = Path(sys.executable).with_name("prefect")
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [str(prefect), "worker", "start", "--pool", WORK_POOL, "--type", "newsflow-process"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    yield log, worker.pid
    _stop_group(worker)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to a child started in a session of its own; SIGKILL if it lingers."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class Deployed:
    """The deployments registered by `newsflow deploy`, driven through the Prefect API."""

    worker_log: Path
    worker_pid: int

    def run(self, name: str, parameters: dict[str, Any], env: dict[str, str]) -> UUID:
        """Start a flow run of deployment ``name`` (flow/deployment) for the worker to take."""
        from prefect.deployments import run_deployment

        flow_run = run_deployment(
            name, parameters=parameters, job_variables={"env": env}, timeout=0, as_subflow=False
        )
        return cast(Any, flow_run).id

    def state(self, flow_run_id: UUID) -> Any:
        """The flow run as the API has it now."""
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            return client.read_flow_run(flow_run_id)

    def wait(self, flow_run_id: UUID, budget: float = 180) -> Any:
        """The flow run once final; fails with the worker's log after ``budget`` seconds."""
        deadline = time.monotonic() + budget
        while time.monotonic() < deadline:
            flow_run = self.state(flow_run_id)
            if flow_run.state and flow_run.state.is_final():
                return flow_run
            time.sleep(0.5)
        pytest.fail(f"flow run {flow_run_id} not final after {budget}s:\n{self.log_tail()}")

    def cancel(self, flow_run_id: UUID) -> None:
        """What `prefect flow-run cancel` does."""
        from prefect.client.orchestration import get_client
        from prefect.states import Cancelling

        with get_client(sync_client=True) as client:
            client.set_flow_run_state(flow_run_id, Cancelling(), force=True)

    def log_tail(self) -> str:
        return self.worker_log.read_text(errors="replace")[-WORKER_LOG_TAIL:]


@pytest.fixture(scope="session")
def deployed(process_worker: tuple[Path, int]) -> Deployed:
    """sana-en's deployments registered by `newsflow deploy`, schedules paused for the tests."""
    from click.testing import CliRunner
    from prefect.client.orchestration import get_client

    from newsflow.cli import main

    result = CliRunner().invoke(main, ["deploy", "--source", "sana-en", "--pool", WORK_POOL])
    assert result.exit_code == 0, result.output
    with get_client(sync_client=True) as client:  # a cron firing mid-test would race the tests
        client.pause_deployment(client.read_deployment_by_name("ingest/ingest-sana-en").id)
    return Deployed(*process_worker)


def _crawl_processes(database_url: str) -> list[int]:
    """Pids of crawl children (``python -m crawlers.run``) writing into ``database_url``.

    A crawl started by a process that set the database in its environment shows it in /proc.
    One forked from a worker's warm forkserver shows the worker's environment there instead
    (the run's is set after the fork): it is known by its ``--parent-pid``, the flow run
    holding the database's lease.
    """
    holders = _lease_holders(database_url)
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile, or not ours
            continue
        # A forked crawl's command line is one string (crawlers/forking.py)
        words = b" ".join(command).decode(errors="replace").split()
        if "newsflow.crawlers.run" not in words:
            continue
        parent = words[words.index("--parent-pid") + 1] if "--parent-pid" in words else None
        if f"NEWSFLOW_DATABASE_URL={database_url}".encode() in environ or parent in holders:
            found.append(int(proc.name))
    return found


def _lease_holders(database_url: str) -> set[str]:
    """The pids of this machine's processes holding a source's lease in the database."""
    from newsflow.db import models
    from newsflow.db.leases import HOST
    from newsflow.db.session import session_scope
    from sqlalchemy import select

    with session_scope(database_url) as session:
        holders = session.execute(select(models.SourceLease.holder)).scalars().all()
    return {h.split(":")[1] for h in holders if h.startswith(f"{HOST}:")}


def _wait_until(condition: Callable[[], Any], budget: float, what: str) -> Any:
    """Poll ``condition`` until it is truthy; fail naming ``what`` after ``budget`` seconds."""
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {budget}s")


@pytest.fixture
def crawl_children() -> Callable[[str], list[int]]:
    """Pids of the crawl children writing into a database (read from /proc)."""
    return _crawl_processes


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    """``wait_until(condition, budget, what)``: poll until truthy, else fail naming ``what``."""
    return _wait_until


@pytest.fixture
def child_env(prefect_api_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a `newsflow` child: the session's Prefect API, no NEWSFLOW_*."""
    home = tmp_path / "prefect-child"
    home.mkdir()
    return quiet_env(prefect_api_url, home)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite store of this test's own, for a child process to share."""
    from newsflow.db import migrate
    from newsflow.db.session import dispose_engines

    url = f"sqlite:///{tmp_path / 'child.sqlite3'}"
    migrate.upgrade(url)
    yield url
    dispose_engines()


@pytest.fixture
def stop_group() -> Callable[[subprocess.Popen[bytes]], None]:
    """``stop_group(process)``: SIGTERM to a child in a session of its own, SIGKILL if it
    lingers."""
    return _stop_group
