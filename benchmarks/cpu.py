"""CPU per article, stage by stage, against extraction alone (issue 22).

The bench site backfilled as the ingest flow runs it, without Prefect: each source crawled by
its own crawl child (forked from the crawl forkserver as a flow's crawls are, into a run opened
here), then what it stored deduplicated and enriched in this process (enrichment in its
workers, as a flow process does). CPU comes from the kernel for each process (a crawl's, as
last sampled every 50 ms) and, inside the crawl child, from its own counters: the extraction
worker's CPU on each page and the store's transactions, read from Scrapy's stats dump at the
end of its log.

Stages, in CPU ms per stored article:
- start-up: what each crawl child costs besides its articles (a crawl of a window with no
  article in it: Scrapy's start, robots.txt, feed, sitemaps), and once the warm forkserver's
  start (the crawler's imports, the enrichers' gazetteers and name models), from which crawls
  and enrichment workers fork;
- fetch handling: the rest of the crawl child (requests, responses, spider, item handling);
- extraction: the crawl's extraction worker on each page; "extraction worker", the rest of it
  (its start, each page and article pickled across, the budget's checks around each page);
- store (the crawl child's transactions), dedup, enrichment (this process and its workers).

Each group of sources (generated pages, real ones) gets the same stages and its own ratio to
extraction alone of its pages: the generated pages' markup is far simpler than an agency's, so
their extraction is cheap beside the same per-article work of every other stage.

The window reaches from 2000 to today: the real pages keep their own dates, which fall outside
the generated stories' window, and a backfill stores only what its window asked for.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import psutil
from newsflow.crawlers.forking import ForkedCrawl, start_crawl
from newsflow.db import store
from newsflow.db.session import session_scope
from newsflow.flows.dedup import deduplicate_source
from newsflow.flows.enrich import enrich_source

from benchmarks.databases import bench_store
from benchmarks.limit import extraction_limit
from benchmarks.memory import TreeSampler, role
from benchmarks.site import BenchSite, group
from newsflow.budget import close_shared_pools
from newsflow.enrichment.bounded import enrichment_pool
from newsflow.registry import get_source
from newsflow.replay import ReplayServer
from newsflow.settings import get_settings

WINDOW = (date(2000, 1, 1), date.today())
EMPTY_WINDOW = (date(1990, 1, 1), date(1990, 1, 2))  # before anything the site lists
# The crawl child's own counters, as Scrapy's stats dump prints them at its close.
_STAT = re.compile(r"'newsflow/(\w+)': (\d+)")
# What the flow process's warm forkserver does before its first fork (newsflow/warm.py): import
# the crawler, build the enrichers' data. Crawls and enrichment workers fork from it.
FORKSERVER_START = "import newsflow.warm as w; [__import__(m) for m in w.PRELOAD]"


def cpu_phase(site: BenchSite, work: Path, limit: dict[str, Any] | None) -> dict[str, Any]:
    """The phase's figures: top-level keys for the results, and the details under ``cpu``."""
    limit = limit or extraction_limit(site.pages(), workers=1, group=group)
    extraction = limit["cpu_ms_per_article"]
    load = os.getloadavg()[0]
    with ReplayServer(site.routes) as replay:
        with bench_store("sqlite", work, "cpu-start") as url:
            env = _crawl_env(url, replay.base_url)
            idle = _crawl(site.sources[0], EMPTY_WINDOW, env, url, work)
        with bench_store("sqlite", work, "cpu") as url:
            env = _crawl_env(url, replay.base_url)
            crawls = [_crawl(source, WINDOW, env, url, work) for source in site.sources]
            flow = _dedup_and_enrich(site.sources, url)
    figures = _figures(crawls, _start_up(idle), flow, extraction)
    figures["load_average"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    figures["by_group"] = _by_group(crawls, flow, limit.get("by_group", {}))
    return {
        "cpu_ms_per_article": figures["cpu_ms_per_article"],
        "extraction_cpu_ms_per_article": extraction,
        "cpu_stages_ms": figures["stages_ms"],
        "cpu": figures,
    }


def _crawl_env(url: str, base_url: str) -> dict[str, str]:
    """The crawl child's environment: this store, the replay, no crawl delay."""
    env = {k: v for k, v in os.environ.items() if k != "NEWSFLOW_DATABASE_URL"}
    env.update(
        NEWSFLOW_DATABASE_URL=url,
        NEWSFLOW_BASE_URL=base_url,
        NEWSFLOW_CRAWL__DELAY_OVERRIDE="0",
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
    )
    return env


def _crawl(
    source: str, window: tuple[date, date], env: dict[str, str], url: str, work: Path
) -> dict[str, Any]:
    """One crawl over the window, started as the flow starts it (forked from the warm
    forkserver) into a run opened here as the flow opens one: its CPU (with its extraction
    worker's apart) and its own counters."""
    with session_scope(url) as session:
        store.sync_sources(session, [get_source(source)])
        run_id = store.start_run(session, source, "backfill", window)
    argv = ["--source", source, "--run-id", str(run_id)]
    argv += ["--since", str(window[0]), "--until", str(window[1])]
    child = start_crawl(argv, env, fork=get_settings().runs.fork_crawls)
    # The crawl and its extraction workers as last sampled (each process loses at most one
    # interval at its exit): a forked crawl's workers fork from the forkserver too, so the tree
    # is the forkserver's, less the forkserver itself (its start is counted once, apart).
    server = psutil.Process(child.pid).parent() if isinstance(child, ForkedCrawl) else None
    with TreeSampler(server.pid if server else child.pid, every=0.05) as sampler:
        assert child.stdout is not None
        text = child.stdout.read()
        code = child.wait()
    if server is not None:
        sampler.cpu.pop(server.pid, None)
    log = work / f"cpu-crawl-{source}-{run_id}.log"
    log.write_text(text, encoding="utf-8")
    if code != 0:
        raise RuntimeError(f"crawl of {source} exited with {code}; see {log}")
    stats = {k: int(v) for k, v in _STAT.findall(text)}
    child_s = sum(s for name, s in sampler.cpu.values() if name == "crawl child")
    worker_s = sum(s for name, s in sampler.cpu.values() if name == "flow workers")
    return {"source": source, "child_s": child_s, "worker_s": worker_s, "stats": stats}


def _cpu_s(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _start_up(idle: dict[str, Any]) -> dict[str, float]:
    """Fixed costs: each crawl's over a window with no article; once per flow process, the warm
    forkserver's start, in an interpreter of its own as it is started."""
    return {
        "crawl child": idle["child_s"],
        "warm forkserver": _interpreter_cpu_s(FORKSERVER_START),
    }


def _interpreter_cpu_s(code: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True)
    return _cpu_s(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu_s(before)


def _dedup_and_enrich(sources: list[str], url: str) -> dict[str, Any]:
    """Dedup and enrichment of every source, as the flow's tasks run them after a crawl: CPU of
    this process and of the enrichment workers, once these have started; in all and by
    group of sources."""
    by_group: dict[str, Counter[str]] = {}
    for source in sources:
        started = time.process_time()
        deduplicate_source(source, url)
        by_group.setdefault(group(source), Counter())["dedup"] += time.process_time() - started
    pool, workers = enrichment_pool(), get_settings().enrich.workers or os.cpu_count() or 1
    # A pause for each worker: each takes one, so all have started before the timing.
    for pending in [pool.submit(time.sleep, 0.5) for _ in range(workers)]:
        pending.result()
    for source in sources:
        before, started = _workers_cpu_s(), time.process_time()
        enrich_source(source, None, url)
        spent = time.process_time() - started + _workers_cpu_s() - before
        by_group[group(source)]["enrichment"] += spent
    close_shared_pools()
    return {
        "dedup": sum(c["dedup"] for c in by_group.values()),
        "enrichment": sum(c["enrichment"] for c in by_group.values()),
        "enrichment_workers": workers,
        "by_group": by_group,
    }


def _workers_cpu_s() -> float:
    """CPU seconds so far of this process's worker processes (multiprocessing's)."""
    total = 0.0
    for process in psutil.Process().children(recursive=True):
        try:
            if role(process) == "flow workers":
                total += sum(process.cpu_times()[:2])
        except psutil.Error:
            continue
    return total


def _figures(
    crawls: list[dict[str, Any]],
    start_up: dict[str, float],
    flow: dict[str, float],
    extraction_ms: float,
) -> dict[str, Any]:
    """CPU per article by stage, their sum against extraction alone, the three largest."""
    stats: Counter[str] = sum((Counter(c["stats"]) for c in crawls), Counter())
    articles, n = stats["articles_new"], len(crawls)
    child = sum(c["child_s"] for c in crawls) - n * start_up["crawl child"]
    worker = sum(c["worker_s"] for c in crawls)
    seconds = {
        "start-up": n * start_up["crawl child"] + start_up["warm forkserver"],
        "fetch handling": child - stats["store_cpu_ms"] / 1000,
        "extraction": stats["extract_cpu_ms"] / 1000,
        "extraction worker": worker - stats["extract_cpu_ms"] / 1000,
        "store": stats["store_cpu_ms"] / 1000,
        "dedup": flow["dedup"],
        "enrichment": flow["enrichment"],
    }
    stages = {k: 1000 * v / max(articles, 1) for k, v in seconds.items()}
    total = sum(stages.values())
    return {
        "articles": articles,
        "crawls": n,
        "cpu_ms_per_article": total,
        "ratio_to_extraction": total / extraction_ms,
        "stages_ms": stages,
        "top_costs": sorted(stages, key=stages.__getitem__, reverse=True)[:3],
        "start_up_s": start_up,
    }


def _by_group(
    crawls: list[dict[str, Any]], flow: dict[str, Any], limits: dict[str, Any]
) -> dict[str, Any]:
    """Each group of sources (generated, real pages): CPU per stored article of its crawls
    (each crawl's start-up included; the warm forkserver's start, once for all, is in neither),
    of their extraction and store, of its dedup and enrichment, and the whole against
    extraction alone of the group's pages."""
    groups: dict[str, Counter[str]] = {}
    for crawl in crawls:
        into = groups.setdefault(group(crawl["source"]), Counter())
        into.update(crawl["stats"])
        into["crawl_ms"] += round(1000 * (crawl["child_s"] + crawl["worker_s"]))
    figures = {}
    for name, counts in sorted(groups.items()):
        articles = max(counts["articles_new"], 1)
        flow_s = flow["by_group"].get(name, Counter())
        stages = {
            "crawl": counts["crawl_ms"] / articles,
            "dedup": 1000 * flow_s["dedup"] / articles,
            "enrichment": 1000 * flow_s["enrichment"] / articles,
        }
        figures[name] = {
            "articles": counts["articles_new"],
            **stages,
            "extraction": counts["extract_cpu_ms"] / articles,
            "store": counts["store_cpu_ms"] / articles,
        }
        alone = limits.get(name, {}).get("cpu_ms_per_page")
        if alone:
            figures[name] |= {"extraction_alone": alone, "ratio": sum(stages.values()) / alone}
    return figures
