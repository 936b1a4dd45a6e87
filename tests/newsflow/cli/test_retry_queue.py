"""`newsflow coverage` and `newsflow status` show, per listing day, URLs queued for a retry
and URLs given up."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner

from newsflow.cli import main
from tests.db.retry_queue_data import DAYS, PER_DAY, SOURCE, fill_queue


def _columns(output: str, first: str) -> dict[str, list[str]]:
    """The table's rows after its header line (which starts with ``first``), by first cell."""
    lines = output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.split()[:1] == [first])
    rows = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        cells = line.split()
        rows[cells[0] if first == "day" else f"{cells[0]} {cells[1]}"] = cells
    return rows


def test_coverage_shows_each_days_queued_and_given_up_urls(database_url: str) -> None:
    fill_queue(database_url)
    window = ["--since", str(DAYS[0]), "--until", str(DAYS[-1])]
    shown = CliRunner().invoke(main, ["coverage", SOURCE, *window, "--all-days"])
    assert shown.exit_code == 0, shown.output
    assert "  day         discovered  stored  missing  failed  queued  given up" in shown.output
    rows = _columns(shown.output, "day")
    # day, discovered, stored, missing, failed, queued, given up (stored: no article here).
    assert rows[str(DAYS[0])][:7] == [str(DAYS[0]), "4", "0", "4", "3", "1", "1"]
    assert rows[str(DAYS[1])][:7] == [str(DAYS[1]), "1", "0", "1", "1", "1", "0"]
    assert rows[str(DAYS[2])][:7] == [str(DAYS[2]), "2", "0", "2", "2", "1", "1"]


def test_status_shows_queued_and_given_up_urls_per_source_and_day(database_url: str) -> None:
    fill_queue(database_url)
    days = (datetime.now(UTC).date() - DAYS[0]).days
    shown = CliRunner().invoke(main, ["status", "--days", str(days)])
    assert shown.exit_code == 0, shown.output
    assert f"retries by listing day (given up: listed in the last {days} days)" in shown.output
    rows = _columns(shown.output.split("retries by listing day", 1)[1], "source")
    assert rows == {
        f"{SOURCE} {day or 'undated'}": [SOURCE, str(day or "undated"), str(q), str(g)]
        for day, (q, g) in PER_DAY.items()
    }
    # Newest first: the undated (feed) ones, then by day.
    assert list(rows) == [f"{SOURCE} {d}" for d in ("undated", *sorted(DAYS, reverse=True))]

    recent = CliRunner().invoke(main, ["status", "--days", "7"])
    assert "given up: listed in the last 7 days" in recent.output
    rows = _columns(recent.output.split("retries by listing day", 1)[1], "source")
    assert {key: cells[3] for key, cells in rows.items()} == dict.fromkeys(rows, "0")


def test_status_says_when_nothing_waits_for_a_retry(database_url: str) -> None:
    shown = CliRunner().invoke(main, ["status"])
    assert shown.exit_code == 0, shown.output
    assert "retries: none queued, none given up in the last 30 listing days" in shown.output
