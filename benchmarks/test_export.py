"""Export memory stays flat: Parquet of 10,000 and of 200,000 article_view rows (both stores).

Before each export the process's peak RSS is reset (Linux ``/proc/self/clear_refs``); its peak
during the export, less the RSS before the first export, is what the export needed. Rows
stream from the database in batches and Parquet is written one row group at a time, so going
from 10,000 to 200,000 rows costs time, not memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from newsflow.db.export import article_select, stream, write_parquet
from newsflow.db.session import session_scope

PROC = Path("/proc/self")
SMALL = (date(2024, 1, 1), date(2024, 1, 10))  # 1,000 articles a day: 10,000 rows
MB = 1024 * 1024


@dataclass(frozen=True)
class Measured:
    """One export: rows written, seconds, and peak RSS above the starting point in bytes."""

    rows: int
    seconds: float
    rss_growth: int


def _rss(field: str) -> int:
    for line in (PROC / "status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def _export(url: str, target: Path, window: tuple[date, date] | None, base: int) -> Measured:
    since, until = window or (None, None)
    (PROC / "clear_refs").write_text("5")  # peak RSS := current RSS
    started = time.perf_counter()
    with session_scope(url) as session, target.open("wb") as sink:
        rows = write_parquet(sink, stream(session, article_select(since=since, until=until)))
    return Measured(rows, time.perf_counter() - started, _rss("VmHWM") - base)


@pytest.mark.skipif(not (PROC / "clear_refs").exists(), reason="needs Linux /proc")
def test_parquet_export_memory_is_flat(benchmark, query_store: str, tmp_path: Path) -> None:
    base = _rss("VmRSS")
    small = _export(query_store, tmp_path / "small.parquet", SMALL, base)
    large = benchmark.pedantic(
        _export, args=(query_store, tmp_path / "large.parquet", None, base), rounds=1
    )
    assert (small.rows, large.rows) == (10_000, 200_000)
    for size, measured in (("10k", small), ("200k", large)):
        benchmark.extra_info[f"rss_growth_mb_{size}"] = round(measured.rss_growth / MB, 1)
        benchmark.extra_info[f"rows_per_second_{size}"] = round(measured.rows / measured.seconds)
    # Twenty times the rows; the same batch and row group in memory.
    assert large.rss_growth < small.rss_growth + 32 * MB
