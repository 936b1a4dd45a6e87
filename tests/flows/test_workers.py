"""Many workers on one Prefect server and one PostgreSQL (issue 22), with one killed mid-run.

Worker A (one flow run at a time) takes a partitioned backfill of sana-en; worker B takes its
months and the ingests of four sources (sana-en and sana-ar share sana.sy; sana-en's is
submitted once a month holds the source). B is killed, whole process tree, while it crawls a
month. Worker C comes up as its replacement; the ingests run
again as their next schedule would. Then: every article is stored once and the backfill's
window is complete, no source was crawled by two runs at once, requests to each host kept its
pace, and the killed month was marked crashed and re-ran on another worker.
"""

from __future__ import annotations

import contextlib
import itertools
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest
from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import func, select

from newsflow.settings import get_settings
from tests.flows.conftest import _wait_until, quiet_env

pytestmark = [  # many workers share one PostgreSQL
    # make soak: 2 to 7 minutes. A run killed while Pending (the workers are warm, so B's month
    # crawls and B dies a few seconds after B took its runs, some not started) sends no beat; it
    # is crashed START_GRACE seconds after B took it (flows/crashes.py), which gives its
    # deployment's slot back, and the next ingest of its source waits that long. Prefect's own
    # grace for starting infrastructure (300 s) would not: only the repossessor service revokes
    # a lapsed lease, and this test's server (prefect_test_harness: ephemeral) does not run it.
    pytest.mark.soak_only,
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]
POOL = "newsflow-workers-test"
SOURCES = ["sana-en", "sana-ar", "tass-en", "xinhua-en"]
DELAY = 0.2  # between two requests to one host
SINCE, UNTIL = date(2016, 10, 1), date(2016, 11, 30)  # two months
LEASE_SECONDS = "6"
# A host's pace, measured over RUN gaps in a row, to this much: a loaded machine sends one
# request 0.13 s late and the next ones on time. Two unshared crawls at 0.2 s would make
# 4 gaps in 0.4 s; shared, 0.8 s.
RUN, JITTER = 4, 0.2
# A killed Pending run's slot: crashed after its start grace (and Prefect's proactive
# evaluation, 5 s), then the next try of a run AwaitingConcurrencySlot (30 s), then that run.
CRASHED_AFTER = "45"  # seconds without a heartbeat (30 s apart): the shortest Prefect allows
START_GRACE = 60  # seconds a taken run may take to start: a warm one here takes 1 to 7
SLOT_BACK = START_GRACE + 120


@pytest.fixture
def workers(
    database_url: str, replay, prefect_api_url: str, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    """Start workers by name on the test pool, each with this test's database and mirror."""
    started: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, limit: int | None = None) -> subprocess.Popen[bytes]:
        home = tmp_path / name
        home.mkdir()
        env = quiet_env(prefect_api_url, home)
        env.update(
            PREFECT_WORKER_QUERY_SECONDS="1",
            PREFECT_WORKER_PREFETCH_SECONDS="0",
            NEWSFLOW_DATABASE_URL=database_url,
            NEWSFLOW_BASE_URL=replay.base_url,
            NEWSFLOW_CRAWL__DELAY_OVERRIDE=str(DELAY),
            NEWSFLOW_RUNS__LEASE_SECONDS=LEASE_SECONDS,
            NEWSFLOW_RUNS__HEARTBEAT_SECONDS="2",
            NEWSFLOW_RUNS__STOP_GRACE_SECONDS="3",
        )
        command = [str(Path(sys.executable).with_name("prefect")), "worker", "start"]
        command += ["--pool", POOL, "--type", "newsflow-process", "--name", name]
        command += ["--limit", str(limit)] if limit else []
        with (home / "worker.log").open("wb") as out:
            worker = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        started[name] = worker
        return worker

    yield {"start": start, "started": started, "logs": tmp_path}
    for worker in started.values():
        for process in [*_tree(worker.pid)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        worker.wait(timeout=30)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _deploy() -> None:
    """The ingest of each source and the backfill, on the test pool (names of their own)."""
    from newsflow.flows.backfill import backfill
    from newsflow.flows.crashes import TAG, ensure_crash_detection, heartbeat_env
    from newsflow.flows.deployments import ensure_work_pool
    from newsflow.flows.ingest import ingest
    from prefect.types.entrypoint import EntrypointType

    ensure_work_pool(POOL)
    # Another test's automations (the default 90 s and 120 s) are replaced by this test's.
    ensure_crash_detection()  # with this test's CRASHED_AFTER and START_GRACE
    # As `newsflow deploy` does: no code to pull, runs that beat and are watched.
    shared = {
        "entrypoint_type": EntrypointType.MODULE_PATH,
        "tags": [TAG],
        "job_variables": {"env": heartbeat_env()},
    }
    for source in SOURCES:
        ingest.to_deployment(
            name=f"workers-{source}", parameters={"source": source}, concurrency_limit=1, **shared
        ).apply(work_pool_name=POOL)
    backfill.to_deployment(name="workers-backfill", **shared).apply(work_pool_name=POOL)


def _run(name: str, parameters: dict[str, Any] | None = None) -> Any:
    from prefect.deployments import run_deployment

    return run_deployment(name, parameters=parameters or {}, timeout=0, as_subflow=False).id


def _flow_run(flow_run_id: Any) -> Any:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run_id)


def _final(flow_run_id: Any) -> Any:
    flow_run = _flow_run(flow_run_id)
    return flow_run if flow_run.state and flow_run.state.is_final() else None


def _running_on(worker: subprocess.Popen[bytes], flow_run_id: Any) -> bool:
    """The run is Running and the worker's tree holds a flow run's engine (forked from the
    worker's warm process, which is always there)."""
    return _flow_run(flow_run_id).state_name == "Running" and any(
        "prefect.engine" in " ".join(_command(p)) for p in _tree(worker.pid)
    )


def _command(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.NoSuchProcess:
        return []


def _month_running(url: str, stored_a_page: bool = True) -> int | None:
    """A month of the backfill that runs (and whose crawl has stored a page)."""
    query = select(models.CrawlRun.id).where(
        models.CrawlRun.parent_run_id.is_not(None), models.CrawlRun.status == "running"
    )
    if stored_a_page:
        query = query.join(models.Page, models.Page.run_id == models.CrawlRun.id)
    with session_scope(url) as session:
        return session.execute(query.limit(1)).scalar_one_or_none()


def test_workers_share_runs_and_a_killed_one_costs_nothing(
    database_url: str,
    replay,
    workers: dict[str, Any],
    prefect_harness: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSFLOW_RUNS__CRASHED_AFTER_SECONDS", CRASHED_AFTER)
    monkeypatch.setenv("NEWSFLOW_RUNS__START_GRACE_SECONDS", str(START_GRACE))
    get_settings.cache_clear()
    _deploy()
    heard = len(replay.hits)  # the session's replay: this test's requests come after
    a = workers["start"]("worker-a", limit=1)
    parent = _run(
        "backfill/workers-backfill", {"source": "sana-en", "since": SINCE, "until": UNTIL}
    )
    _wait_until(lambda: _running_on(a, parent), 120, "the backfill running on worker A")
    b = workers["start"]("worker-b")  # A is full: B takes the months and the ingests
    first_ingests = [_run(f"ingest/workers-{source}") for source in SOURCES[1:]]
    # sana-en's once a month holds the source: had it taken sana-en first, it would have stored
    # the months' articles, and each month would have found nothing left to crawl.
    _wait_until(
        lambda: _month_running(database_url, stored_a_page=False),
        120,
        "a month started on worker B",
    )
    first_ingests.append(_run(f"ingest/workers-{SOURCES[0]}"))

    killed = _wait_until(lambda: _month_running(database_url), 180, "a month crawling on worker B")
    for process in _tree(b.pid):  # the machine is gone: worker, flow runs, crawls
        process.send_signal(signal.SIGKILL)
    b.wait(timeout=30)
    workers["start"]("worker-c")  # its replacement
    again = [_run(f"ingest/workers-{source}") for source in SOURCES]  # the next schedule

    done = _wait_until(lambda: _final(parent), 360, "the backfill to end")
    # The next schedule runs: B's running ingests were crashed by their missed heartbeats
    # (flows/crashes.py) and gave back their slots; those still Pending, by their missed start.
    # Those B had not taken yet completed on C: none of the first is left running for good.
    for flow_run_id in [*again, *first_ingests]:
        _wait_until(lambda run=flow_run_id: _final(run), SLOT_BACK, "the ingests to end")
    assert done.state_name == "Completed", _logs(workers)
    assert {_flow_run(run).state_name for run in again} == {"Completed"}, _logs(workers)
    assert {_flow_run(run).state_name for run in first_ingests} <= {"Completed", "Crashed"}

    with session_scope(database_url) as session:
        runs = session.execute(select(models.CrawlRun).order_by(models.CrawlRun.id)).scalars().all()
        urls = session.execute(select(models.Article.url)).scalars().all()
        by_source = dict(
            session.execute(
                select(models.Article.source_id, func.count()).group_by(models.Article.source_id)
            ).all()
        )
        leases = session.execute(select(func.count()).select_from(models.SourceLease)).scalar_one()
    assert len(urls) == len(set(urls))  # every article once
    assert leases == 0  # every source let go
    assert not [run for run in runs if run.status == "running"]  # every run closed

    # The killed month: closed as interrupted by the run after it, re-run to completion.
    month = next(run for run in runs if run.id == killed)
    assert month.status == "interrupted"
    retried = [
        run
        for run in runs
        if run.parent_run_id == month.parent_run_id and run.window_start == month.window_start
    ]
    assert [run.status for run in retried][-1] == "completed" and len(retried) >= 2
    backfill_run = next(run for run in runs if run.id == month.parent_run_id)
    assert (backfill_run.status, backfill_run.partitions) == ("completed", 2)
    assert backfill_run.counts["partitions_completed"] == 2
    # The window is complete: what an uninterrupted backfill stores (tests/flows/test_backfill).
    from tests.flows.test_backfill import OCTOBER_IDS

    sana = {int(u.rsplit("=", 1)[1]) for u in urls if u.startswith("https://sana.sy/en/?p=")}
    assert sana >= OCTOBER_IDS
    assert set(by_source) >= {"sana-en", "tass-en", "xinhua-en"}

    _assert_one_run_per_source_at_a_time(runs)
    _assert_hosts_kept_their_pace(replay.hits[heard:])


def _assert_one_run_per_source_at_a_time(runs: list[models.CrawlRun]) -> None:
    """Crawl runs of one source never overlap (a backfill's own run crawls nothing)."""
    spans = defaultdict(list)
    for run in runs:
        if run.partitions is None:
            spans[run.source_id].append((run.started_at, run.finished_at, run.id))
    for source, times in spans.items():
        times.sort()
        for (_, end, first), (start, _, second) in itertools.pairwise(times):
            assert end <= start, f"{source}: runs {first} and {second} overlap"


def _assert_hosts_kept_their_pace(hits: list[Any]) -> None:
    """No host (both SANA editions together) asked faster than one request per DELAY.

    Its rate over any five requests in a row, not each gap: a request sent on time can arrive
    some milliseconds late on a loaded machine, and the next one on time after it.
    """
    by_host = defaultdict(list)
    for hit in hits:
        by_host[urlsplit(hit.url).hostname].append(hit.at)
    assert {"sana.sy", "tass.com"} <= set(by_host), set(by_host)
    for host, times in by_host.items():
        times.sort()
        spans = [later - earlier for earlier, later in zip(times, times[RUN:], strict=False)]
        assert min(spans, default=RUN * DELAY) >= RUN * DELAY - JITTER, (
            f"{host}: {RUN + 1} requests within {min(spans):.3f} s"
        )


def _logs(workers: dict[str, Any]) -> str:
    return "\n".join(
        f"--- {path.parent.name}\n{path.read_text(errors='replace')[-3000:]}"
        for path in sorted(Path(workers["logs"]).glob("*/worker.log"))
    )
