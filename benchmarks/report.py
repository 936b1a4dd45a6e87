"""The bench's results: the machine they were measured on, a printed table, the JSON file."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory and load: what the figures depend on."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(ram, 1),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write(results: dict[str, Any], path: Path) -> None:
    """Write the results as indented JSON (numbers rounded to what they can tell)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_rounded(results), indent=1, ensure_ascii=False) + "\n", "utf-8")


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3 if abs(value) < 10 else 1)
    if isinstance(value, dict):
        return {str(k): _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def table(results: dict[str, Any]) -> str:
    """The figures as a plain-text table, section by section."""
    lines: list[str] = []
    m = results["machine"]
    lines.append(
        f"machine: {m['nproc']} cores, {m['cpu']}, {m['ram_gb']} GB RAM, "
        f"load {m['load_average_at_start']} at start"
    )
    lines.append(_site(results["settings"]))
    limit = results.get("limit")
    if limit:
        rows = [
            ("articles/s", limit["articles_per_s"]),
            ("CPU ms per article", limit["cpu_ms_per_article"]),
        ]
        for name, figures in limit.get("by_group", {}).items():
            rows.append((f"  {name} pages: CPU ms per page", figures["cpu_ms_per_page"]))
            slowest = f"{figures['slowest_page_ms']:,.1f}  {figures['slowest_page']}"
            rows.append((f"  {name} pages: slowest (ms)", slowest))
        lines += _section("limit: extract_article on all cores", rows)
    if results.get("cpu"):
        lines += _section("CPU per article: a backfill, stage by stage", _cpu_rows(results))
    for kind, run in results.get("end_to_end", {}).items():
        rows = [
            ("articles stored", run["articles"]),
            ("articles/s (flow wall)", run["articles_per_s"]),
            ("ratio to limit", run["ratio_to_limit"]),
            ("CPU ms per article (all processes)", run["cpu_ms_per_article"]),
            ("CPU ratio to limit", run["cpu_ratio_to_limit"]),
            ("peak memory, all processes (MB, PSS)", run["peak_rss_mb"]),
            ("CPU s by process", _inline(run.get("cpu_s_by_process", {}))),
            ("time per stage (s; fetch = the crawl less extract and store)", ""),
        ]
        rows += [(f"  {stage} (s)", seconds) for stage, seconds in run["stages_s"].items()]
        rows += _group_rows(run.get("by_group", {}))
        lines += _section(f"end to end: backfill through the ingest flow, {kind}", rows)
    for kind, run in results.get("reprocess", {}).items():
        rows = [
            ("articles/s", run["articles_per_s"]),
            ("ratio to limit", run["ratio_to_limit"]),
            ("CPU ms per article", run["cpu_ms_per_article"]),
        ]
        groups = run.get("by_group", {})
        if len(groups) > 1:
            rows += [(f"  {name}: articles/s", g["articles_per_s"]) for name, g in groups.items()]
        lines += _section(f"re-process from stored pages, {kind}", rows)
    poll = results.get("idle_poll")
    if poll:
        rows = [
            ("wall s per source (in a running worker)", poll["wall_s_per_source"]),
            ("HTTP requests per source", poll["http_requests_per_source"]),
            ("requested", ", ".join(poll["requested"])),
            ("wall s per run under serve (own process, forked warm)", poll["serve_wall_s"]),
            ("  the same, spawned (Prefect's default)", poll["serve_spawned_wall_s"]),
        ]
        rows += [(f"  fixed: {k}", v) for k, v in poll["fixed"].items()]
        rows += [(f"  task: {k} (s)", v) for k, v in poll["tasks_s_per_source"].items()]
        lines += _section("idle poll: a scheduled run with nothing new", rows)
    memory = results.get("memory")
    if memory:
        lines += _section(
            "memory: peak RSS of all processes of a backfill (MB)",
            [
                (f"{size} articles", f"{row['peak_rss_mb']}  {row['peak_rss_by_process_mb']}")
                for size, row in memory.items()
                if size != "growth_ratio"
            ],
        )
    for kind, growth in results.get("growth", {}).items():
        sizes = [s for s in growth if s != "growth_ratio"]
        header = "ms per run at " + " / ".join(f"{int(s):,}" for s in sizes) + " stored"
        rows = [
            (
                name,
                " / ".join(f"{growth[s][name]:.1f}" for s in sizes)
                + f"   ratio {growth['growth_ratio'][name]:.2f}",
            )
            for name in growth[sizes[0]]
        ]
        lines += _section(f"growth, {kind}: {header}", rows)
    politeness = results.get("politeness", {})
    for kind in ("sqlite", "postgresql"):
        if kind in politeness:
            title = f"politeness: 30 sources on 20 hosts at once, 1 request/s a host, {kind}"
            lines += _section(title, _politeness_rows(politeness[kind]))
    if results.get("scaling"):
        lines += _section("scaling: Prefect process workers, PostgreSQL", _scaling_rows(results))
    if results.get("warc"):
        lines += _section("warc: import-warc reading, the library's own", _warc_rows(results))
    lines.append(f"\nbench took {results['duration_s']:.0f} s")
    return "\n".join(lines)


def _cpu_rows(results: dict[str, Any]) -> list[tuple[str, Any]]:
    cpu = results["cpu"]
    rows: list[tuple[str, Any]] = [
        ("articles stored (crawls)", f"{cpu['articles']} ({cpu['crawls']})"),
        ("CPU ms per article, all stages", results["cpu_ms_per_article"]),
        ("extraction alone (limit), CPU ms per article", results["extraction_cpu_ms_per_article"]),
        ("ratio to extraction alone", cpu["ratio_to_extraction"]),
        ("top three costs", ", ".join(cpu["top_costs"])),
        ("start-up CPU s, each", _inline(cpu["start_up_s"])),
        ("load average at start, end", cpu["load_average"]),
    ]
    rows += [(f"  {stage} (ms per article)", ms) for stage, ms in results["cpu_stages_ms"].items()]
    for name, figures in cpu.get("by_group", {}).items():
        rows.append((f"  {name} pages (ms per article)", _inline(figures)))
    return rows


def _politeness_rows(run: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("articles stored / requests", f"{run['articles_stored']} / {run['requests']}"),
        ("crawl runs", _inline(run.get("runs", {}))),
        ("articles/s, first request to last", run["articles_per_s"]),
        ("budget ratio: articles/s / (hosts × 1/s)", run["budget_ratio"]),
        ("  requests/s / budget", run["requests_ratio"]),
        ("  the same over the command's wall", run["budget_ratio_wall"]),
        ("every host asked after (s)", run["every_host_asked_s"]),
        (
            "host busy while crawled, median / least",
            f"{run['host_busy_median']:.2f} / {run['host_busy_min']:.2f}",
        ),
        (
            "shortest gap at a host (s); gaps under 0.9 s",
            f"{run['min_gap_s']:.3f}; {run['gaps_too_soon']}",
        ),
        (
            "peak memory, process tree (MB, PSS)",
            f"{run['peak_rss_mb']}  {run['peak_rss_by_process_mb']}",
        ),
        ("load average at start", run["load_average_at_start"]),
    ]


def _scaling_rows(results: dict[str, Any]) -> list[tuple[str, Any]]:
    scaling = results["scaling"]
    rows: list[tuple[str, Any]] = [("runs a worker takes at once", scaling["limit_per_worker"])]
    for name in ("ingest", "backfill"):
        part = scaling.get(name)
        if part is None:  # not asked for (--scaling-parts)
            continue
        for count in ("1_workers", "2_workers"):
            run = part[count]
            rows.append(
                (
                    f"{name}, {count.replace('_', ' ')}: wall s, articles/s, load",
                    f"{run['wall_s']:.0f}, {run['articles_per_s']:.2f}, "
                    f"{run['load_average_at_start']:.1f}  {run['states']}",
                )
            )
        rows.append((f"{name}: 2 workers' speed-up", part["speedup"]))
        for bound, figures in part.get("schedule_bound", {}).items():
            rows.append((f"  at best, list-scheduled ({bound})", figures["speedup"]))
    return rows


def _site(settings: dict[str, Any]) -> str:
    real = settings.get("real_pages")
    if not real:
        return f"site: {settings['articles']} articles, all generated"
    return (
        f"site: {settings['articles']} articles, {real['articles']} of them real pages "
        f"({real['distinct_pages']} distinct, {len(real['languages'])} languages) from "
        f"{real['devset']}"
    )


def _group_rows(groups: dict[str, Any]) -> list[tuple[str, Any]]:
    """Each group's figures side by side, per article (the groups differ in size)."""
    if len(groups) < 2:
        return []
    names = list(groups)
    rows: list[tuple[str, Any]] = [
        ("by source group: " + " | ".join(names), ""),
        ("  articles stored", " | ".join(str(groups[n]["articles"]) for n in names)),
        ("  articles/s (their runs' wall)", _side(groups, names, "articles_per_s")),
        ("  CPU ms per article (flow + crawl)", _side(groups, names, "cpu_ms_per_article")),
    ]
    for stage in groups[names[0]]["stages_ms_per_article"]:
        values = " | ".join(f"{groups[n]['stages_ms_per_article'][stage]:,.2f}" for n in names)
        rows.append((f"  {stage} (ms per article)", values))
    return rows


def _side(groups: dict[str, Any], names: list[str], key: str) -> str:
    return " | ".join(f"{groups[n][key]:,.2f}" for n in names)


def _inline(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items())


def _section(title: str, rows: list[tuple[str, Any]]) -> list[str]:
    width = max(len(name) for name, _ in rows)
    out = ["", title]
    for name, value in rows:
        shown = (
            f"{value:,.3f}"
            if isinstance(value, float) and value < 10
            else (f"{value:,.1f}" if isinstance(value, float) else str(value))
        )
        out.append(f"  {name.ljust(width)}  {shown}")
    return out


def _warc_rows(results: dict[str, Any]) -> list[tuple[str, Any]]:
    warc, full = results["warc"], results["warc"]["import_full"]
    return [
        ("responses in the file", f"{warc['responses']} ({warc['file_mb']:.1f} MB gzipped)"),
        ("fastwarc raw read, records/s", warc["fastwarc_raw_records_per_s"]),
        ("warcio raw read, records/s", warc["warcio_raw_records_per_s"]),
        ("import-warc read + parse + match, records/s", warc["import_read_records_per_s"]),
        ("  import-warc's speed over fastwarc's", warc["import_read_share_of_fastwarc"]),
        ("import-warc end to end (SQLite), articles/s", full["articles_per_s"]),
    ]
