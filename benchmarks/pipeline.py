"""End to end, re-process and idle poll: the real flows against the bench site.

The flows run in a driver child process (benchmarks/driver.py) with the bench registry, the
store and no crawl delay in its environment; its process tree is sampled for memory and its
CPU time taken from the kernel. The site is served from this process.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.memory import run_measured
from benchmarks.prefect_server import PrefectServer
from benchmarks.site import GENERATED, BenchSite, group
from newsflow.registry import REGISTRY_PATH_ENV
from newsflow.replay import Hit, ReplayServer
from newsflow.settings import REPO_ROOT

# Stages the crawl task holds (fetch, extract, store) are split with the crawl's own timings.
# Dedup and enrichment beside the crawl (the follow task) overlap the fetch, so are not summed.
FLOW_STAGES = {
    "deduplicate": "dedup",
    "enrich": "enrich",
    "follow": "dedup + enrich beside the crawl",
    "update_coverage": "coverage",
}


class TimedReplay(ReplayServer):
    """The replay, with the time each request arrived."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.times: list[tuple[float, Hit]] = []
        self._times_lock = threading.Lock()

    def record(self, hit: Hit) -> None:
        """Keep the hit with its arrival time."""
        with self._times_lock:
            self.times.append((time.time(), hit))

    def between(self, start: float, end: float) -> list[Hit]:
        """Requests received in [start, end]."""
        with self._times_lock:
            return [hit for at, hit in self.times if start <= at <= end]


@dataclass(frozen=True)
class Driver:
    """How a driver phase runs: its environment, and the Prefect server working for it (whose
    CPU and memory count with the phase's)."""

    env: dict[str, str]
    server: PrefectServer


def driver_for(store_url: str, registry: Path, workdir: Path, server: PrefectServer) -> Driver:
    """The flows' environment: bench registry and store, no crawl delay, the bench's Prefect
    server."""
    (workdir / "prefect").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSFLOW_"))}
    env.update(
        {
            "NEWSFLOW_DATABASE_URL": store_url,
            REGISTRY_PATH_ENV: str(registry),
            "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
            "PREFECT_HOME": str(workdir / "prefect"),
            "PREFECT_API_URL": server.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO_ROOT),
        }
    )
    return Driver(env, server)


def run_driver(phase: str, sources: list[str], driver: Driver, *extra: str) -> dict[str, Any]:
    """One driver phase over these sources; its results and resource use."""
    out = Path(driver.env["PREFECT_HOME"]).parent / f"{phase}.json"
    command = [sys.executable, "-m", "benchmarks.driver", phase]
    command += ["--sources", ",".join(sources), "--out", str(out), *extra]
    measured = run_measured(command, driver.env, also=[driver.server.pid])
    return {**json.loads(out.read_text(encoding="utf-8")), **measured}


def backfill(site: BenchSite, replay: ReplayServer, driver: Driver) -> dict[str, Any]:
    """The whole site backfilled through the ingest flow: rate, CPU and time per stage."""
    window = ["--since", str(site.since), "--until", str(site.until)]
    result = run_driver("backfill", site.sources, driver, *window, "--base-url", replay.base_url)
    counts = result["counts"]
    stored = counts.get("articles_new", 0)
    run = {
        "articles": stored,
        "wall_s": result["wall_s"],
        "articles_per_s": stored / result["wall_s"],
        "cpu_ms_per_article": 1000 * result["tree_cpu_s"] / max(stored, 1),
        "stages_s": _stages(counts, result["tasks_s"]),
        "counts": counts,
        **_resources(result),
    }
    return {**run, "by_group": _backfill_groups(result["by_source"])}


def _stages(counts: Mapping[str, int], tasks: Mapping[str, float]) -> dict[str, float]:
    """Seconds per stage: the flow's tasks, the crawl task split by the crawl's own timings."""
    extract = counts.get("extract_ms", 0) / 1000
    store = counts.get("store_ms", 0) / 1000
    return {
        "fetch": max(tasks.get("crawl", 0.0) - extract - store, 0.0),
        "extract": extract,
        "store": store,
        **{name: tasks.get(task, 0.0) for task, name in FLOW_STAGES.items()},
        "run bookkeeping": tasks.get("open_run", 0.0) + tasks.get("close_run", 0.0),
    }


def _backfill_groups(by_source: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The backfill's figures for each group of sources (generated pages, real ones): per
    article, as the groups differ in size. CPU is the flow process's and the crawl child's."""
    groups: dict[str, Any] = {}
    for name, runs in _grouped(by_source).items():
        counts: Counter[str] = sum((Counter(r["counts"]) for r in runs), Counter())
        tasks: Counter[str] = sum((Counter(r["tasks_s"]) for r in runs), Counter())
        stored, wall = counts.get("articles_new", 0), sum(r["wall_s"] for r in runs)
        stages = _stages(counts, tasks)
        groups[name] = {
            "sources": len(runs),
            "articles": stored,
            "wall_s": wall,
            "articles_per_s": stored / wall,
            "cpu_ms_per_article": 1000 * sum(r["cpu_s"] for r in runs) / max(stored, 1),
            "stages_s": stages,
            "stages_ms_per_article": {k: 1000 * v / max(stored, 1) for k, v in stages.items()},
            "counts": counts,
        }
    return groups


def _grouped(by_source: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for source, run in sorted(by_source.items()):
        groups.setdefault(group(source), []).append(run)
    return groups


def reprocess(site: BenchSite, driver: Driver) -> dict[str, Any]:
    """Every stored page extracted and stored again, then deduplicated: no network."""
    result = run_driver("reprocess", site.sources, driver)
    by_group = {}
    for name, runs in _grouped(result["by_source"]).items():
        done, wall = sum(_reprocessed(r["counts"]) for r in runs), sum(r["wall_s"] for r in runs)
        by_group[name] = {"articles": done, "wall_s": wall, "articles_per_s": done / wall}
    articles = _reprocessed(result["counts"])
    return {
        "articles": articles,
        "wall_s": result["wall_s"],
        "articles_per_s": articles / result["wall_s"],
        "cpu_ms_per_article": 1000 * result["tree_cpu_s"] / max(articles, 1),
        **_resources(result),
        "by_group": by_group,
    }


def _reprocessed(counts: dict[str, int]) -> int:
    return sum(v for k, v in counts.items() if k in ("new", "updated", "unchanged"))


def idle_poll(site: BenchSite, replay: TimedReplay, driver: Driver) -> dict[str, Any]:
    """Scheduled runs of every generated source with nothing new, as a long-running worker
    runs them. The real-page sources are left out: a poll that finds nothing fetches no
    article page, and their feeds are generated like the others'."""
    polled = [source for source in site.sources if group(source) == GENERATED]
    result = run_driver("poll", polled, driver, "--base-url", replay.base_url)
    sources = len(polled)
    walls, requests, kinds = [], [], []
    for poll in result["polls"]:
        hits = replay.between(poll["start"], poll["end"])
        walls.append((poll["end"] - poll["start"]) / sources)
        requests.append(len(hits) / sources)
        kinds.append({_what(h.url) for h in hits})
    tasks: dict[str, float] = {}
    for poll in result["polls"]:
        for name, seconds in poll["tasks_s"].items():
            tasks[name] = tasks.get(name, 0.0) + seconds / len(result["polls"]) / sources
    return {
        "wall_s_per_source": statistics.median(walls),
        # A run as `newsflow serve` starts it: its own process, forked warm (spawned: Prefect's).
        "serve_wall_s": statistics.median(result["served_forked_s"]),
        "serve_spawned_wall_s": statistics.median(result["served_spawned_s"]),
        "http_requests_per_source": statistics.median(requests),
        "requested": sorted(set().union(*kinds)),
        "tasks_s_per_source": tasks,
        "fixed": {
            "prefect_start_s": result["prefect_start_s"],
            "flow_process_start_s": result["flow_process_start_s"],
            "crawl_child_start_s": result["crawl_child_start_s"],
            "migration_check_s": result["migration_check_s"],
        },
    }


def _what(url: str) -> str:
    """A request's kind, from the last part of its path: feed, robots.txt, sitemap-…"""
    return [part for part in urlsplit(url).path.split("/") if part][-1]


def _resources(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("prefect_start_s", "process_wall_s", "tree_cpu_s", "peak_rss_mb")
    by_process = ("peak_rss_by_process_mb", "cpu_s_by_process")
    return {k: result[k] for k in keys + by_process}
