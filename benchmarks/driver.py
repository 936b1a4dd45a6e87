"""The pipeline side of the bench, run as a child process so its memory can be measured alone.

``python -m benchmarks.driver PHASE --sources a,b --out result.json [...]`` where PHASE is
``backfill`` (the ingest flow over the window, source after source), ``reprocess`` (the
reprocess flow from stored pages) or ``poll`` (scheduled runs: one to take the feeds'
validators, then timed ones that find nothing new, in this process and then each in a process
of its own as ``newsflow serve`` starts them: spawned, Prefect's way, and forked, newsflow's).
Prefect starts once, before any timing, with a trivial flow; the start-up it cost is reported
apart.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow


@flow(name="bench-warm-up")
def warm_up() -> None:
    """Nothing: calling it starts Prefect (its temporary server, or the API client)."""


def main(argv: list[str] | None = None) -> int:
    """Run one phase and write its measurements as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.driver")
    parser.add_argument("phase", choices=("backfill", "reprocess", "poll"))
    parser.add_argument("--sources", required=True)
    parser.add_argument("--since", type=date.fromisoformat)
    parser.add_argument("--until", type=date.fromisoformat)
    parser.add_argument("--base-url")
    parser.add_argument("--polls", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    warm_up()
    result: dict[str, Any] = {"prefect_start_s": time.perf_counter() - started}
    sources = args.sources.split(",")
    phases: dict[str, Callable[..., dict[str, Any]]] = {
        "backfill": backfill,
        "reprocess": reprocess,
        "poll": poll,
    }
    result.update(phases[args.phase](sources, args))
    args.out.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


def backfill(sources: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Each source's whole window through the ingest flow; wall, counts, time per task, in all
    and by source (with the CPU time of this process and its crawl child)."""
    from newsflow.flows.ingest import ingest

    counts: Counter[str] = Counter()
    tasks: Counter[str] = Counter()
    by_source: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    for source in sources:
        began, cpu = time.perf_counter(), _cpu_s()
        state = ingest(
            source,
            kind="backfill",
            since=args.since,
            until=args.until,
            base_url=args.base_url,
            return_state=True,
        )
        summary = state.result()
        own = Counter({k: v for k, v in summary["counts"].items() if isinstance(v, int)})
        own_tasks = task_seconds(state.state_details.flow_run_id)
        counts.update(own)
        tasks.update(own_tasks)
        by_source[source] = {
            "wall_s": time.perf_counter() - began,
            "cpu_s": _cpu_s() - cpu,
            "counts": own,
            "tasks_s": own_tasks,
        }
    wall = time.perf_counter() - started
    return {"wall_s": wall, "counts": counts, "tasks_s": tasks, "by_source": by_source}


def reprocess(sources: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Every source re-extracted from its stored pages, then deduplicated again."""
    from newsflow.flows.reprocess import reprocess as reprocess_flow

    totals: Counter[str] = Counter()
    by_source: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    for source in sources:
        began = time.perf_counter()
        own = reprocess_flow(source)
        totals.update(own)
        by_source[source] = {"wall_s": time.perf_counter() - began, "counts": own}
    return {"wall_s": time.perf_counter() - started, "counts": totals, "by_source": by_source}


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (the crawl child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def poll(sources: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Scheduled runs with nothing new: one to prime the feeds, then ``--polls`` timed ones.

    Each timed poll is every source once, as a worker would run them; its epoch start and end
    let the harness count the HTTP requests the site received in between.
    """
    from newsflow.db.migrate import require_current
    from newsflow.flows.ingest import ingest
    from newsflow.flows.warm_start import start_runs_by_fork

    def run_all() -> tuple[float, float, Counter[str]]:
        begun, tasks = time.time(), Counter[str]()
        for source in sources:
            state = ingest(source, kind="scheduled", base_url=args.base_url, return_state=True)
            state.result()
            tasks.update(task_seconds(state.state_details.flow_run_id))
        return begun, time.time(), tasks

    run_all()
    polls = [run_all() for _ in range(args.polls)]
    spawned = _served(sources, args.base_url)
    start_runs_by_fork()
    forked = _served(sources, args.base_url)
    started = time.perf_counter()
    require_current()
    check = time.perf_counter() - started
    return {
        "polls": [{"start": s, "end": e, "tasks_s": t} for s, e, t in polls],
        "migration_check_s": check,
        "crawl_child_start_s": _import_time(
            "newsflow.crawlers.run, newsflow.crawlers.spiders.agency, scrapy.crawler"
        ),
        "flow_process_start_s": _import_time("newsflow.flows.ingest"),
        "served_spawned_s": spawned,
        "served_forked_s": forked,
    }


def _served(sources: list[str], base_url: str | None) -> list[float]:
    """Each source's idle run as ``newsflow serve``'s runner starts it (the function Prefect's
    runner calls, in a process of its own): wall seconds from start to the process's exit."""
    from newsflow.flows.ingest import ingest
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow_in_subprocess

    walls = []
    with get_client(sync_client=True) as client:
        for source in sources:
            parameters = {"source": source, "kind": "scheduled", "base_url": base_url}
            flow_run = client.create_flow_run(ingest, parameters=parameters)
            started = time.perf_counter()
            process = run_flow_in_subprocess(ingest, flow_run=flow_run)
            process.join()
            walls.append(time.perf_counter() - started)
            state = client.read_flow_run(flow_run.id).state
            if process.exitcode != 0 or state is None or not state.is_completed():
                raise RuntimeError(f"served idle run of {source}: {state}, exit {process.exitcode}")
    return walls


def task_seconds(flow_run_id: Any) -> Counter[str]:
    """Seconds each task of a flow run took, by task name (retries included)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    seconds: Counter[str] = Counter()
    for run in runs:
        if run.start_time and run.end_time:
            name = run.name.rsplit("-", 1)[0]
            seconds[name] += (run.end_time - run.start_time).total_seconds()
    return seconds


def _import_time(modules: str) -> float:
    """Wall seconds of a fresh interpreter importing ``modules`` (a child's fixed start)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {modules}"], check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
