"""The ``newsflow-process`` worker forks its flow runs, and their crawls, from one warm process.

The session's worker (`prefect worker start --type newsflow-process`, tests/flows/conftest.py)
takes a backfill of sana-en through the API; while it crawls, the worker's process tree shows
who forked whom.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.deployments import ensure_work_pool
from newsflow.flows.worker import (
    WORKER_TYPE,
    WarmJobConfiguration,
    engine_command,
    is_engine,
)
from sqlalchemy import func, select

WINDOW = {"since": "2016-10-18", "until": "2016-10-19"}
SEEN_S = 60  # a flow run's engine and its crawl, seen in the worker's tree
EXIT_S = 30  # the engine's process ends once its run is final


def test_a_job_without_a_command_runs_the_engine_directly() -> None:
    """Not Prefect 3.9's workspace supervisor, a Python of its own that execs the engine."""
    configuration = WarmJobConfiguration()
    assert configuration.command is None
    configuration.prepare_for_flow_run(_flow_run())
    assert configuration.command == engine_command()
    assert is_engine(shlex.split(engine_command()))


def test_only_this_interpreter_s_engine_is_forked() -> None:
    assert is_engine([sys.executable, "-m", "prefect.engine"])
    assert not is_engine(["/usr/bin/python3", "-m", "prefect.engine"])
    assert not is_engine([sys.executable, "-m", "prefect.runner._workspace_supervisor", "x"])
    assert not is_engine([sys.executable, "-m", "prefect.engine", "--extra"])


def test_a_job_s_own_command_is_kept() -> None:
    configuration = WarmJobConfiguration(command="python -m mine")
    configuration.prepare_for_flow_run(_flow_run())
    assert configuration.command == "python -m mine"


def test_newsflow_deploy_creates_the_pool_of_the_worker_s_type(prefect_api_url: str) -> None:
    from prefect.client.orchestration import get_client

    assert ensure_work_pool("newsflow-test-typed")
    assert not ensure_work_pool("newsflow-test-typed")  # there already
    with get_client(sync_client=True) as client:
        pool = client.read_work_pool("newsflow-test-typed")
    assert pool.type == WORKER_TYPE
    assert pool.base_job_template["variables"]["properties"]["working_dir"]


def test_a_pool_of_prefect_s_process_type_is_kept_with_a_warning(prefect_api_url: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="newsflow-test-cold", type="process"))
    with pytest.warns(UserWarning, match="--type newsflow-process"):
        assert not ensure_work_pool("newsflow-test-cold")


def test_flow_runs_and_their_crawls_fork_from_the_worker_s_warm_process(
    sqlite_url: str, replay, deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay, "delay", 0.3)  # the crawl lasts long enough to be seen
    env = {"NEWSFLOW_DATABASE_URL": sqlite_url, "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0"}
    parameters = {"source": "sana-en", **WINDOW, "base_url": replay.base_url}
    flow_run_id = deployed.run("backfill/backfill", parameters, env)
    engine, crawl = _engine_and_crawl(deployed.worker_pid)
    flow_run = deployed.wait(flow_run_id)
    assert flow_run.state.is_completed(), deployed.log_tail()

    assert _ended(engine["pid"]), "the flow run's process outlived its run"  # its slot back

    warm = psutil.Process(engine["ppid"])
    assert warm.ppid() == deployed.worker_pid  # the worker's forkserver, not the worker
    assert crawl["ppid"] == warm.pid  # the run's crawl forked from that same process
    assert "Flow runs fork from a warm process" in deployed.worker_log.read_text()
    with session_scope(sqlite_url) as session:
        stored = session.execute(select(func.count(models.Article.id))).scalar_one()
        run = session.execute(select(models.CrawlRun)).scalar_one()
    assert (run.status, run.flow_run_id) == ("completed", str(flow_run_id))
    assert stored == run.counts["articles_new"] >= 4


def _engine_and_crawl(worker_pid: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first flow run engine and crawl seen among the worker's descendants."""
    seen: dict[str, dict[str, Any]] = {}
    commands: set[str] = set()
    deadline = time.monotonic() + SEEN_S
    while time.monotonic() < deadline and len(seen) < 2:
        for process in _descendants(worker_pid):
            command = " ".join(process["cmdline"] or [])
            commands.add(f"{process['pid']}<{process['ppid']}: {command[:100]}")
            if "_workspace_supervisor" in command:
                pytest.fail(f"a flow run started through Prefect's supervisor: {command}")
            for name, marker in (("engine", "-m prefect.engine"), ("crawl", "crawlers.run")):
                if marker in command:
                    seen.setdefault(name, process)
        time.sleep(0.05)
    if len(seen) < 2:
        missing = {"engine", "crawl"} - set(seen)
        listed = "\n".join(sorted(commands))
        pytest.fail(f"not seen within {SEEN_S} s in the worker's tree: {missing}; seen:\n{listed}")
    return seen["engine"], seen["crawl"]


def _ended(pid: int) -> bool:
    try:
        _, alive = psutil.wait_procs([psutil.Process(pid)], timeout=EXIT_S)
    except psutil.NoSuchProcess:
        return True
    return not alive


def _descendants(pid: int) -> Iterator[dict[str, Any]]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for child in children:
        try:
            yield child.as_dict(["pid", "ppid", "cmdline"])
        except psutil.NoSuchProcess:
            continue


def _flow_run() -> Any:
    from uuid import uuid4

    from prefect.client.schemas.objects import FlowRun

    return FlowRun(id=uuid4(), flow_id=uuid4(), name="a-run")
