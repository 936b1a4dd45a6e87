"""`newsflow runs`: recent runs with kind, status, window, counts and errors."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from newsflow.db import store
from newsflow.db.session import session_scope

from newsflow.cli import main
from newsflow.registry import load_registry


def _runs(url: str) -> None:
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        done = store.start_run(
            session, "sana-en", "backfill", (date(2016, 10, 1), date(2016, 10, 31))
        )
        store.finish_run(session, done, {"pages_fetched": 40, "articles_new": 12}, "completed")
        late = store.start_run(session, "sana-ar", "scheduled")
        store.finish_run(
            session,
            late,
            {"pages_fetched": 3},
            "timed_out",
            "crawl of sana-ar timed out after 60s:\nlog",
        )
        store.start_run(session, "sana-en", "manual")


def _invoke(*args: str) -> list[str]:
    result = CliRunner().invoke(main, ["runs", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_runs_are_listed_newest_first_with_kind_window_counts_and_error(database_url: str) -> None:
    _runs(database_url)
    header, *rows = _invoke()
    assert header.split()[:7] == ["run", "source", "kind", "status", "started", "(UTC)", "took"]
    assert [row.split()[:4] for row in rows] == [
        ["3", "sana-en", "manual", "running"],
        ["2", "sana-ar", "scheduled", "timed_out"],
        ["1", "sana-en", "backfill", "completed"],
    ]
    assert rows[0].split()[6].endswith("…")  # still running
    assert rows[1].endswith("crawl of sana-ar timed out after 60s:")
    assert "2016-10-01..2016-10-31  40     12" in rows[2]


def test_failed_source_and_limit_narrow_the_list(database_url: str) -> None:
    _runs(database_url)
    assert [r.split()[0] for r in _invoke("--failed")[1:]] == ["2"]
    assert [r.split()[0] for r in _invoke("--source", "sana-en")[1:]] == ["3", "1"]
    assert [r.split()[0] for r in _invoke("--limit", "1")[1:]] == ["3"]
    assert _invoke("--source", "tass-en") == ["no runs of tass-en"]
