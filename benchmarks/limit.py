"""The machine's limit: ``extract_article`` alone over every page, in-process, on all cores.

Pages reach the workers by fork (no pickling); each worker extracts a contiguous share and
reports its CPU seconds. Every module is imported and every page kind warmed in the parent
first, so the timing holds extraction only.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from newsflow import extract_article

_PAGES: list[tuple[str, str, str]] = []  # inherited by the forked workers


def extraction_limit(
    pages: list[tuple[str, str, str]], workers: int | None = None
) -> dict[str, Any]:
    """Articles per second of wall and of CPU time for extraction alone on ``workers`` cores."""
    global _PAGES
    workers = workers or os.cpu_count() or 1
    _PAGES = pages
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
    return {
        "workers": workers,
        "pages": len(pages),
        "articles": extracted,
        "wall_s": wall,
        "cpu_s": cpu,
        "articles_per_s": extracted / wall,
        "cpu_ms_per_article": 1000 * cpu / max(extracted, 1),
    }


def _extract_share(bounds: tuple[int, int]) -> tuple[int, float]:
    started = time.process_time()
    found = sum(
        extract_article(html, url, source) is not None
        for html, url, source in _PAGES[bounds[0] : bounds[1]]
    )
    return found, time.process_time() - started
