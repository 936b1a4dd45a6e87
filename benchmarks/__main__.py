"""`python -m benchmarks`: the whole pipeline measured against the machine's own limit.

Builds the bench site (generated pages, and the extraction dev set's real pages replicated to
--real-share of the articles), serves it on 127.0.0.1, and measures in one run: the extraction
limit, a backfill end to end through the ingest flow (SQLite, then PostgreSQL), re-processing
from stored pages, an idle scheduled poll, peak memory at several site sizes, and how per-run
costs grow with the store. Prints a table and writes bench/results/latest.json.
Example: python -m benchmarks --articles 5000 --devset ../shared/extraction-devset
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.cpu import cpu_phase
from benchmarks.databases import bench_store, postgres_available, prefect_database
from benchmarks.growth import build_store, per_run_costs
from benchmarks.limit import extraction_limit
from benchmarks.pipeline import TimedReplay, backfill, driver_for, idle_poll, reprocess
from benchmarks.politeness import politeness_phase
from benchmarks.prefect_server import PrefectServer, prefect_server
from benchmarks.realpages import DEFAULT_DEVSET, DEVSET_ENV, RealCorpus, devset_path, load_corpus
from benchmarks.scaling import LIMIT, scaling_phase
from benchmarks.site import BenchSite, build_site, group, write_registry
from benchmarks.warc import warc_phase
from newsflow.registry import REGISTRY_PATH_ENV
from newsflow.settings import REPO_ROOT

PHASES = (
    "limit",
    "cpu",
    "end_to_end",
    "reprocess",
    "idle_poll",
    "memory",
    "growth",
    "politeness",
    "scaling",
    "warc",
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; the defaults are what `make bench` runs."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--articles", type=int, default=5000, help="site size (default 5000)")
    parser.add_argument("--growth", default="10000,100000", help="stored sizes, comma-separated")
    parser.add_argument("--growth-1m", action="store_true", help="also 1,000,000 stored (slow)")
    parser.add_argument("--memory", default="1000", help="more site sizes for peak memory")
    parser.add_argument("--memory-20k", action="store_true", help="also a 20,000-article site")
    parser.add_argument("--only", default=",".join(PHASES), help="phases to run")
    parser.add_argument(
        "--politeness-seconds",
        type=float,
        default=90,
        help="politeness: seconds each host's articles take at its pace (default 90)",
    )
    parser.add_argument(
        "--scaling-seconds", type=float, default=60, help="scaling: the same (default 60)"
    )
    parser.add_argument(
        "--worker-limit",
        type=int,
        default=LIMIT,
        help=f"scaling: runs a worker takes at once ({LIMIT})",
    )
    parser.add_argument(
        "--scaling-parts",
        default="ingest,backfill",
        help="scaling: which comparisons, comma-separated (default ingest,backfill)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "latest.json")
    parser.add_argument(
        "--devset",
        type=Path,
        help=f"the extraction dev set, whose real pages join the site (default ${DEVSET_ENV}, "
        f"else {DEFAULT_DEVSET}; left out, with a note, when that default is missing)",
    )
    parser.add_argument(
        "--real-share",
        type=float,
        default=0.2,
        help="share of the articles that are real pages (default 0.2; 0: generated only)",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.real_share < 1:
        parser.error("--real-share must be at least 0 and below 1")
    return args


def real_corpus(args: argparse.Namespace) -> RealCorpus | None:
    """The dev set's pages, or None (with a note) when the default folder is missing."""
    if args.real_share == 0:
        return None
    path, asked = devset_path(args.devset)
    corpus = load_corpus(path, args.real_share)
    if corpus is None and asked:
        raise SystemExit(f"error: no extraction dev set at {path} (no cases.jsonl there)")
    if corpus is None:
        print(
            f"note: no extraction dev set at {path}: the site has generated pages only "
            f"(--devset or ${DEVSET_ENV} names another folder)",
            file=sys.stderr,
        )
    return corpus


def main(argv: list[str] | None = None) -> int:
    """Run the chosen phases, print the table, write the JSON."""
    args = parse(argv)
    started = time.perf_counter()
    real = real_corpus(args)
    work = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    os.environ[REGISTRY_PATH_ENV] = str(write_registry(work / "registry", real))
    kinds = ["sqlite"] + ([] if args.no_postgres or not postgres_available() else ["postgresql"])
    only = set(args.only.split(","))
    results: dict[str, Any] = {"machine": report.machine(), "settings": _settings(args, kinds)}
    try:
        site = build_site(args.articles, real=real)
        results["settings"]["real_pages"] = _real_pages(real, site)
        if "limit" in only:
            results["limit"] = _limit(site)
        if "cpu" in only:  # before Prefect's server starts: nothing else runs beside it
            results.update(cpu_phase(site, work, results.get("limit")))
        if "warc" in only:  # as cpu: before Prefect's server starts
            results.update(warc_phase(site, work))
        with (
            prefect_database(kinds) as prefect_url,
            prefect_server(work / "prefect-server", prefect_url) as server,
        ):
            replay = TimedReplay(site.routes)
            with replay:
                _pipeline(results, site, replay, work, server, kinds, only)
            if "memory" in only:
                results["memory"] = _memory(results, args, real, work, server)
            if "politeness" in only:
                results.update(politeness_phase(kinds, work, server, args.politeness_seconds))
            if "scaling" in only:
                seconds, limit = args.scaling_seconds, args.worker_limit
                parts = tuple(args.scaling_parts.split(","))
                results.update(scaling_phase(kinds, work, server, seconds, limit, parts))
        if "growth" in only:
            results["growth"] = {kind: _growth(kind, work, _growth_sizes(args)) for kind in kinds}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["duration_s"] = time.perf_counter() - started
    print(report.table(results))
    report.write(results, args.out)
    print(f"written to {args.out}")
    return 0


def _settings(args: argparse.Namespace, kinds: list[str]) -> dict[str, Any]:
    return {
        "articles": args.articles,
        "databases": kinds,
        "growth_sizes": _growth_sizes(args),
        "memory_sizes": _memory_sizes(args),
        "crawl_delay": 0,
        "real_pages": None,
    }


def _real_pages(real: RealCorpus | None, site: BenchSite) -> dict[str, Any] | None:
    """What of the dev set the site serves."""
    if real is None:
        return None
    served = [s for s in site.stories if s.kind == "real"]
    return {
        "devset": str(real.path),
        "share": real.share,
        "articles": len(served),
        "distinct_pages": len({s.origin.split("#")[0] for s in served if s.origin}),
        "languages": sorted({s.language for s in served}),
    }


def _limit(site: BenchSite) -> dict[str, Any]:
    """The extraction limit, with each group's slowest page named by where it came from."""
    limit = extraction_limit(site.pages(), group=group)
    for figures in limit["by_group"].values():
        figures["slowest_page"] = site.origin(figures["slowest_page"])
    return limit


def _growth_sizes(args: argparse.Namespace) -> list[int]:
    sizes = [int(s) for s in args.growth.split(",") if s]
    return sorted(set(sizes + ([1_000_000] if args.growth_1m else [])))


def _memory_sizes(args: argparse.Namespace) -> list[int]:
    sizes = [int(s) for s in args.memory.split(",") if s] + [args.articles]
    return sorted(set(sizes + ([20_000] if args.memory_20k else [])))


def _pipeline(
    results: dict[str, Any],
    site: BenchSite,
    replay: TimedReplay,
    work: Path,
    server: PrefectServer,
    kinds: list[str],
    only: set[str],
) -> None:
    """End to end on each store; re-process and the idle poll on SQLite's, after it."""
    limit = results.get("limit")
    for kind in kinds if "end_to_end" in only else []:
        with bench_store(kind, work, f"e2e_{kind}") as url:
            driver = driver_for(url, Path(os.environ[REGISTRY_PATH_ENV]), work / kind, server)
            run = backfill(site, replay, driver)
            results.setdefault("end_to_end", {})[kind] = _with_ratios(run, limit)
            if kind != "sqlite":
                continue
            if "reprocess" in only:
                again = reprocess(site, driver)
                results.setdefault("reprocess", {})[kind] = _with_ratios(again, limit)
            if "idle_poll" in only:
                results["idle_poll"] = idle_poll(site, replay, driver)


def _with_ratios(run: dict[str, Any], limit: dict[str, Any] | None) -> dict[str, Any]:
    if not limit:
        return run
    return {
        **run,
        "ratio_to_limit": run["articles_per_s"] / limit["articles_per_s"],
        # Per core: the limit's CPU cost per article against the pipeline's, all processes.
        "cpu_ratio_to_limit": limit["cpu_ms_per_article"] / run["cpu_ms_per_article"],
    }


def _memory(
    results: dict[str, Any],
    args: argparse.Namespace,
    real: RealCorpus | None,
    work: Path,
    server: PrefectServer,
) -> dict[str, Any]:
    """Peak RSS of a whole backfill (SQLite) at each site size; the default size's is reused."""
    memory: dict[str, Any] = {}
    for size in _memory_sizes(args):
        done = results.get("end_to_end", {}).get("sqlite")
        if size == args.articles and done:
            memory[str(size)] = _peaks(done)
            continue
        site = build_site(size, real=real)
        replay = TimedReplay(site.routes)
        with replay, bench_store("sqlite", work, f"mem{size}") as url:
            registry = Path(os.environ[REGISTRY_PATH_ENV])
            driver = driver_for(url, registry, work / f"mem{size}", server)
            memory[str(size)] = _peaks(backfill(site, replay, driver))
    sizes = sorted(memory, key=int)
    memory["growth_ratio"] = memory[sizes[-1]]["peak_rss_mb"] / memory[sizes[0]]["peak_rss_mb"]
    return memory


def _peaks(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "peak_rss_mb": run["peak_rss_mb"],
        "peak_rss_by_process_mb": run["peak_rss_by_process_mb"],
    }


def _growth(kind: str, work: Path, sizes: list[int]) -> dict[str, Any]:
    """One store grown through ``sizes``; the per-run costs at each, and last over first."""
    growth: dict[str, Any] = {}
    with bench_store(kind, work, "growth") as url:
        stored = 0
        for size in sizes:
            build_store(url, size, stored)
            stored = size
            growth[str(size)] = per_run_costs(url, size)
    first, last = growth[str(sizes[0])], growth[str(sizes[-1])]
    growth["growth_ratio"] = {name: last[name] / max(first[name], 0.01) for name in first}
    return growth


if __name__ == "__main__":
    sys.exit(main())
