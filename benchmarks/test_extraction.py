"""Extraction throughput: the dev-set target is at least 30 pages/s on one core (CPU time)."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pytest

from newsflow import extract_article

SITES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sites"
DEVSET = Path(
    os.environ.get(
        "NEWSFLOW_DEVSET", Path(__file__).resolve().parents[2] / "shared" / "extraction-devset"
    )
)


def _recorded_pages() -> list[tuple[str, str, str | None]]:
    pages = []
    for expected in sorted(SITES.glob("*/expected/*.json")):
        case = json.loads(expected.read_text(encoding="utf-8"))
        routes = json.loads((expected.parent.parent / "routes.json").read_text(encoding="utf-8"))
        files = {r["url"]: r.get("file") for r in routes.get("routes", [])}
        if files.get(case["url"]) and not case.get("blocked"):
            html = (expected.parent.parent / files[case["url"]]).read_text(encoding="utf-8")
            pages.append((html, case["url"], case["source"]))
    return pages


def _devset_pages(limit: int = 40) -> list[tuple[str, str, None]]:
    cases = DEVSET / "cases.jsonl"
    if not cases.exists():
        pytest.skip(f"extraction dev set not found at {DEVSET} (set NEWSFLOW_DEVSET)")
    pages = []
    for line in cases.read_text(encoding="utf-8").splitlines()[:limit]:
        case = json.loads(line)
        html = gzip.decompress((DEVSET / case["html"]).read_bytes()).decode("utf-8", "replace")
        pages.append((html, case["url"], None))
    return pages


def _extract_all(pages: list[tuple[str, str, str | None]]) -> int:
    return sum(extract_article(html, url, source) is not None for html, url, source in pages)


def test_agency_pages_with_rules(benchmark) -> None:
    pages = _recorded_pages()
    extracted = benchmark.pedantic(
        _extract_all, args=(pages,), rounds=10, iterations=1, warmup_rounds=1
    )
    assert extracted == len(pages)
    benchmark.extra_info["pages_per_second"] = len(pages) / benchmark.stats["mean"]


def test_unseen_news_pages_without_rules(benchmark) -> None:
    pages = _devset_pages()
    # The first round pays imports and lazy loads (trafilatura, dateparser, htmldate caches).
    benchmark.pedantic(_extract_all, args=(pages,), rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info["pages_per_second"] = len(pages) / benchmark.stats["mean"]
    # The target is checked on this process's CPU time: the machine is shared, and wall time
    # counts what other processes took.
    started = time.process_time()
    _extract_all(pages)
    rate = len(pages) / (time.process_time() - started)
    benchmark.extra_info["pages_per_cpu_second"] = rate
    assert rate >= 30, f"{rate:.1f} pages per CPU second is below the 30 pages/s target"
