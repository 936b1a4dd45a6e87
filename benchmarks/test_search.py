"""Search latency and export throughput with 200,000 articles stored (SQLite and PostgreSQL).

The store (``query_store`` in conftest.py) is built in bulk: Zipf-distributed pseudo-words
with real words planted in a known number of articles, 5 % exact copies, three in ten
originals in stories, enrichment rows for every original. Each search is the library call
``newsflow search`` makes: rank, filter through article_view, fold, snippets for the 20 shown.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from newsflow.db.export import article_select, stream, write_jsonl
from newsflow.db.search import search
from newsflow.db.session import session_scope

SEARCHES = {
    "rare word, 20 articles": ("Hassadjek", {}),
    "two words, both in ~1% (AND)": ("Kremlin airstrikes", {}),
    "word in 2,000 articles": ("Kremlin", {}),
    "word in 12,000 articles": ("ministers", {}),
    "word in 12,000, one source, 30 days": (
        "ministers",
        {"sources": ["sana-en"], "since": date(2024, 2, 1), "until": date(2024, 3, 1)},
    ),
}


@pytest.mark.parametrize("label", list(SEARCHES))
def test_search_latency_with_200k_stored(benchmark, query_store: str, label: str) -> None:
    text, filters = SEARCHES[label]

    def run() -> int:
        with session_scope(query_store) as session:
            return len(search(session, text, limit=20, **filters))  # type: ignore[arg-type]

    shown = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    assert shown > 0
    benchmark.extra_info["stored"] = 200_000
    benchmark.extra_info["mean_ms"] = round(benchmark.stats["mean"] * 1000, 1)
    benchmark.extra_info["rows_shown"] = shown


def test_export_jsonl_rows_per_second(benchmark, query_store: str, tmp_path: Path) -> None:
    """One source's 40,000 rows as JSON Lines (all 200,000 as Parquet: test_export.py)."""

    def run() -> int:
        with session_scope(query_store) as session, (tmp_path / "tass.jsonl").open("w") as out:
            return write_jsonl(out, stream(session, article_select(sources=["tass-en"])))

    written = benchmark.pedantic(run, rounds=1, iterations=1)
    assert written == 40_000
    benchmark.extra_info["rows_per_second"] = round(written / benchmark.stats["mean"])
