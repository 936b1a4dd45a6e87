"""Scaling: the politeness phase's 30 ingests on one Prefect process worker, then on two; and a
partitioned one-year backfill of one agency on one worker, then on two.

Every flow run is a process of its own, started by its worker as in production (README
"Scaling out"), against the bench's Prefect server and one PostgreSQL store per measurement.
Each worker runs at most ``limit`` flow runs at once (``prefect worker start --limit``): one
worker cannot take all 30 sources at once, two take twice as many, so while the hosts' pace
bounds the crawl two workers should take half the time. The sources are submitted each host's
first edition first (politeness.PacedSite.sources), so the runs at once ask different hosts.
The year's backfill runs its twelve months one after another, each a flow run on whichever
worker is free; one source is crawled by one run at a time and its host's pace bounds each
month, so a second worker is expected to change little.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, cast

import psutil

from benchmarks.databases import bench_store
from benchmarks.memory import TreeSampler
from benchmarks.politeness import (
    ANSWER_S,
    PREFECT_RETRIES,
    YEAR_AGENCY,
    PacedSite,
    crawl_env,
    many_hosts,
    one_year,
    paced,
    stored,
    write_agencies,
)
from benchmarks.prefect_server import PrefectServer
from benchmarks.schedule import makespan
from newsflow.replay import ReplayServer

POOL = "newsflow-bench"
INGEST, BACKFILL = "bench-ingest", "bench-backfill"
LIMIT = 4  # flow runs a worker runs at once
# A worker asks for runs every 10 s by default; a freed place would wait that long for its next.
QUERY_SECONDS = "2"
WORKER_START_S, RUN_TIMEOUT_S = 120, 3600
YEAR = date(2025, 1, 1), date(2025, 12, 31)
KEPT = ("wall_s", "crawl_s", "requests", "articles_stored", "requests_per_s", "articles_per_s")

# A flow run's cost besides its requests, for the bound with overheads (schedule.py): one
# worker's 30 runs took 338 to 350 s against the 350 s simulated with these.
RUN_START_S, RUN_CLOSE_S = 3.0, 2.0

Submit = Callable[[str], list[Any]]  # the replay's address: the flow run ids to wait for


def scaling_phase(
    kinds: list[str],
    work: Path,
    server: PrefectServer,
    seconds: float,
    limit: int = LIMIT,
    parts: tuple[str, ...] = ("ingest", "backfill"),
) -> dict[str, Any]:
    """The comparisons asked for (``parts``), each on one worker and on two, and their
    speed-ups; nothing (with a note) without PostgreSQL, which workers share."""
    if "postgresql" not in kinds:
        print("note: no PostgreSQL: the scaling phase is left out", file=sys.stderr)
        return {}
    hosts, year = many_hosts(seconds), one_year()
    registry = write_agencies(year, write_agencies(hosts, work / "scaling-registry"))
    with _api(server):
        _deploy()
        ingests, backfills = {}, {}
        for count in (1, 2) if "ingest" in parts else ():
            run = _on_workers(count, hosts, _ingests(hosts), registry, work, server, limit)
            ingests[f"{count}_workers"] = run
        for count in (1, 2) if "backfill" in parts else ():
            run = _on_workers(count, year, _backfill, registry, work, server, limit)
            backfills[f"{count}_workers"] = run
    scaling: dict[str, Any] = {"limit_per_worker": limit}
    results: dict[str, Any] = {"scaling": scaling}
    if ingests:
        speedup = ingests["1_workers"]["wall_s"] / ingests["2_workers"]["wall_s"]
        scaling["ingest"] = {
            "sources": len(hosts.hosts),
            "hosts": len(set(hosts.hosts.values())),
            "seconds_per_host": seconds,
            **ingests,
            "speedup": speedup,
            "schedule_bound": _schedule_bound(hosts, limit),
        }
        results["worker_scaling_2x"] = speedup
    if backfills:
        scaling["backfill"] = {
            "source": f"{YEAR_AGENCY}-en",
            "window": [str(day) for day in YEAR],
            "delay_s": year.delay,
            **backfills,
            "speedup": backfills["1_workers"]["wall_s"] / backfills["2_workers"]["wall_s"],
        }
    return results


def _schedule_bound(site: PacedSite, limit: int) -> dict[str, Any]:
    """The speed-up the crawls' own lengths allow, list-scheduled on one and two workers'
    places in the order they are submitted: with no other cost, and with a flow run's."""
    crawls = [(site.hosts[source], site.requests(source)) for source in site.sources]
    bounds = {}
    for name, costs in (
        ("no_overhead", (0.0, 0.0)),
        ("start_3s_close_2s", (RUN_START_S, RUN_CLOSE_S)),
    ):
        one, two = (makespan(crawls, places, site.delay, *costs) for places in (limit, 2 * limit))
        bounds[name] = {"1_workers_s": one, "2_workers_s": two, "speedup": one / two}
    return bounds


@contextmanager
def _api(server: PrefectServer) -> Iterator[None]:
    """This process's Prefect client talks to the bench's server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


def _deploy() -> None:
    """The ingest and backfill flows on the bench's process pool, as ``newsflow deploy`` does
    (module paths, no code to pull), without schedules: every run here is submitted."""
    from newsflow.flows.backfill import backfill
    from newsflow.flows.deployments import ensure_work_pool
    from newsflow.flows.ingest import ingest
    from prefect.types.entrypoint import EntrypointType

    ensure_work_pool(POOL)
    for flow, name in ((ingest, INGEST), (backfill, BACKFILL)):
        deployment = flow.to_deployment(name=name, entrypoint_type=EntrypointType.MODULE_PATH)
        deployment.apply(work_pool_name=POOL)


def _ingests(site: PacedSite) -> Submit:
    def submit(base_url: str) -> list[Any]:
        return [_run(INGEST, {"source": s, "base_url": base_url}) for s in site.sources]

    return submit


def _backfill(base_url: str) -> list[Any]:
    since, until = YEAR
    parameters = {"source": f"{YEAR_AGENCY}-en", "since": since, "until": until}
    return [_run(BACKFILL, {**parameters, "base_url": base_url})]


def _run(deployment: str, parameters: dict[str, Any]) -> Any:
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    flow = "ingest" if deployment == INGEST else "backfill"
    name = f"{flow}/{deployment}"
    started = run_deployment(name, parameters=parameters, timeout=0, as_subflow=False)
    return cast(FlowRun, started).id  # sync here: run_deployment dispatches on context


def _on_workers(
    count: int,
    site: PacedSite,
    submit: Submit,
    registry: Path,
    work: Path,
    server: PrefectServer,
    limit: int,
) -> dict[str, Any]:
    """Start ``count`` workers, submit, wait until every flow run is final; what it took."""
    label = f"{site.sources[0].split('-')[0]}_{count}"
    with (
        bench_store("postgresql", work, f"scale_{label}") as url,
        ReplayServer(site.routes, delay=ANSWER_S) as replay,
        _workers(count, crawl_env(url, registry, work / label, server), limit) as pids,
    ):
        samplers = [TreeSampler(pid, every=0.5) for pid in pids]
        load = os.getloadavg()[0]
        started = time.time()
        with contextlib.ExitStack() as stack:
            for sampler in samplers:
                stack.enter_context(sampler)
            states = _wait_final(submit(replay.base_url))
        ended = time.time()
        figures = paced(site, list(replay.hits), started, ended, stored(url))
    return {
        "load_average_at_start": load,
        "workers": count,
        "flow_runs": len(states),
        "states": {name: states.count(name) for name in sorted(set(states))},
        **{key: figures[key] for key in KEPT},
        "host_busy_median": figures["host_busy_median"],
        "gaps_too_soon": figures["gaps_too_soon"],
        "peak_rss_mb_by_worker": [s.report()["peak_rss_mb"] for s in samplers],
        **_cpu(samplers, ended - started),
    }


def _cpu(samplers: list[TreeSampler], wall: float) -> dict[str, float]:
    """CPU seconds of the workers' process trees (their flow runs, crawls and pools), and the
    cores they kept busy on average."""
    cpu = sum(sum(s.report()["cpu_s_by_process"].values()) for s in samplers)
    return {"cpu_s": cpu, "cores_busy": cpu / wall}


@contextmanager
def _workers(count: int, env: dict[str, str], limit: int) -> Iterator[list[int]]:
    """``count`` process workers on the pool, each at most ``limit`` runs at once; their pids
    once all are online; stopped, with whatever they still run, after."""
    home = Path(env["PREFECT_HOME"]).parent
    env = {**env, "PREFECT_WORKER_QUERY_SECONDS": QUERY_SECONDS}
    env["PREFECT_CLIENT_MAX_RETRIES"] = str(PREFECT_RETRIES)
    # One enrichment worker per flow run, not one per core: 2 × limit flow runs share 2 cores
    # (docs/scaling.md, "Sizing memory").
    env["NEWSFLOW_ENRICH__WORKERS"] = "1"
    prefect = str(Path(sys.executable).with_name("prefect"))
    names = [f"bench-{n}-of-{count}" for n in range(1, count + 1)]
    started = []
    try:
        for name in names:
            (home / name).mkdir(parents=True, exist_ok=True)
            command = [prefect, "worker", "start", "--pool", POOL, "--type", "newsflow-process"]
            command += ["--name", name, "--limit", str(limit)]
            own = {**env, "PREFECT_HOME": str(home / name)}
            with (home / f"{name}.log").open("wb") as log:
                started.append(
                    subprocess.Popen(command, env=own, stdout=log, stderr=subprocess.STDOUT)
                )
        _wait_online(names)
        yield [worker.pid for worker in started]
    finally:
        for worker in started:
            _stop(worker)


def _wait_online(names: list[str]) -> None:
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + WORKER_START_S
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            online = {
                w.name for w in client.read_workers_for_work_pool(POOL) if w.status == "ONLINE"
            }
            if set(names) <= online:
                return
            time.sleep(1)
    raise RuntimeError(f"workers {names} not online within {WORKER_START_S} s")


def _wait_final(ids: list[Any]) -> list[str]:
    """Wait until every flow run is in a final state; their state names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + RUN_TIMEOUT_S
    only = FlowRunFilter(id=FlowRunFilterId(any_=ids))
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=only)
            if len(runs) == len(ids) and all(r.state and r.state.is_final() for r in runs):
                return [r.state_name or "" for r in runs]
            time.sleep(1)
    raise RuntimeError(f"flow runs not final within {RUN_TIMEOUT_S} s")


def _stop(worker: subprocess.Popen[bytes]) -> None:
    """The worker and anything it still runs (nothing, when every run ended)."""
    try:
        tree = [*psutil.Process(worker.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
