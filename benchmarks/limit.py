"""The machine's limit: ``extract_article`` alone over every page, in-process, on all cores.

Pages reach the workers by fork (no pickling); each worker extracts a contiguous share and
reports its CPU seconds. Every module is imported and every page kind warmed in the parent
first, so the timing holds extraction only. With ``group``, each page's CPU time is also summed
by its source's group (generated pages, real ones), with the slowest page of each.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

from newsflow import extract_article

_PAGES: list[tuple[str, str, str]] = []  # inherited by the forked workers
_GROUP: Callable[[str], str] = str  # a source's group (default: itself), also inherited
# A worker's result: pages extracted, CPU seconds, and by group: pages, CPU s, slowest (s, url).
Share = tuple[int, float, dict[str, tuple[int, float, tuple[float, str]]]]


def extraction_limit(
    pages: list[tuple[str, str, str]],
    workers: int | None = None,
    group: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Articles per second of wall and of CPU time for extraction alone on ``workers`` cores."""
    global _PAGES, _GROUP
    workers = workers or os.cpu_count() or 1
    _PAGES, _GROUP = pages, group or str
    for html, url, source in pages[:: max(1, len(pages) // 20)]:  # warm-up round
        extract_article(html, url, source)
    shares = [(i * len(pages) // workers, (i + 1) * len(pages) // workers) for i in range(workers)]
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(workers) as pool:
        results = pool.map(_extract_share, shares)
    wall = time.perf_counter() - started
    extracted = sum(r[0] for r in results)
    cpu = sum(r[1] for r in results)
    limit = {
        "workers": workers,
        "pages": len(pages),
        "articles": extracted,
        "wall_s": wall,
        "cpu_s": cpu,
        "articles_per_s": extracted / wall,
        "cpu_ms_per_article": 1000 * cpu / max(extracted, 1),
    }
    return {**limit, "by_group": _by_group(results)} if group else limit


def _extract_share(bounds: tuple[int, int]) -> Share:
    found, total = 0, 0.0
    groups: dict[str, tuple[int, float, tuple[float, str]]] = {}
    for html, url, source in _PAGES[bounds[0] : bounds[1]]:
        started = time.process_time()
        found += extract_article(html, url, source) is not None
        spent = time.process_time() - started
        total += spent
        count, cpu, slowest = groups.get(_GROUP(source), (0, 0.0, (0.0, "")))
        groups[_GROUP(source)] = (count + 1, cpu + spent, max(slowest, (spent, url)))
    return found, total, groups


def _by_group(results: list[Share]) -> dict[str, Any]:
    """CPU ms per page of each group, and its slowest page."""
    merged: dict[str, tuple[int, float, tuple[float, str]]] = {}
    for _, _, groups in results:
        for name, (count, cpu, slowest) in groups.items():
            before = merged.get(name, (0, 0.0, (0.0, "")))
            merged[name] = (before[0] + count, before[1] + cpu, max(before[2], slowest))
    return {
        name: {
            "pages": count,
            "cpu_ms_per_page": 1000 * cpu / max(count, 1),
            "slowest_page_ms": 1000 * slowest[0],
            "slowest_page": slowest[1],
        }
        for name, (count, cpu, slowest) in sorted(merged.items())
    }
