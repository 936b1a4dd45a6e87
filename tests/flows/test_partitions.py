"""A backfill over more than one month runs month by month, each month a run of its own under
the backfill's run, and running it again crawls only the months that did not complete."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows import backfill as backfill_flows
from newsflow.flows.backfill import backfill, backfill_sources
from newsflow.flows.partitions import Month, months
from sqlalchemy import select, update

from newsflow.cli import main

SINCE, UNTIL = date(2016, 10, 30), date(2016, 11, 2)  # two months: 30–31 October, 1–2 November
OCTOBER = Month(date(2016, 10, 30), date(2016, 10, 31))


def test_a_window_is_cut_at_month_boundaries() -> None:
    assert months(date(2016, 1, 15), date(2016, 3, 2)) == [
        Month(date(2016, 1, 15), date(2016, 1, 31)),
        Month(date(2016, 2, 1), date(2016, 2, 29)),  # a leap year
        Month(date(2016, 3, 1), date(2016, 3, 2)),
    ]
    assert months(date(2016, 12, 31), date(2017, 1, 1)) == [
        Month(date(2016, 12, 31), date(2016, 12, 31)),
        Month(date(2017, 1, 1), date(2017, 1, 1)),
    ]
    assert months(date(2016, 10, 3), date(2016, 10, 3)) == [
        Month(date(2016, 10, 3), date(2016, 10, 3))
    ]


def _runs(url: str) -> list[models.CrawlRun]:
    with session_scope(url) as session:
        return list(session.execute(select(models.CrawlRun).order_by(models.CrawlRun.id)).scalars())


def _stored(url: str) -> list[str]:
    with session_scope(url) as session:
        return list(session.execute(select(models.Article.url)).scalars())


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_a_long_backfill_runs_month_by_month_and_a_rerun_crawls_only_what_failed(
    database_url: str, replay, fast_crawl
) -> None:
    summary = backfill("sana-en", SINCE, UNTIL, base_url=replay.base_url)

    parent, *parts = _runs(database_url)
    assert (parent.partitions, parent.parent_run_id, parent.status) == (2, None, "completed")
    assert [(p.window_start, p.window_end, p.parent_run_id) for p in parts] == [
        (OCTOBER.since, OCTOBER.until, parent.id),
        (date(2016, 11, 1), date(2016, 11, 2), parent.id),
    ]
    assert all(p.status == "completed" and p.kind == "backfill" for p in parts)
    stored = _stored(database_url)
    assert stored and len(stored) == len(set(stored))
    # The backfill's counts are its months' summed, with how far it got.
    assert summary["counts"]["articles_new"] == sum(p.counts["articles_new"] for p in parts)
    assert summary["counts"]["articles_new"] == len(stored)
    assert (summary["counts"]["partitions"], summary["counts"]["partitions_completed"]) == (2, 2)
    assert summary["partition_runs"] == [p.id for p in parts]

    with session_scope(database_url) as session:  # October ended badly, say
        session.execute(
            update(models.CrawlRun).where(models.CrawlRun.id == parts[0].id).values(status="failed")
        )
    again = backfill("sana-en", SINCE, UNTIL, base_url=replay.base_url)

    rerun, october = _runs(database_url)[len(parts) + 1 :]
    assert (rerun.partitions, rerun.status) == (2, "completed")
    assert (october.window_start, october.window_end, october.parent_run_id) == (
        OCTOBER.since,
        OCTOBER.until,
        rerun.id,
    )  # November, completed before, was not crawled again
    assert again["counts"]["partitions_done_before"] == 1
    assert again["counts"]["articles_new"] == 0
    assert sorted(_stored(database_url)) == sorted(stored)

    shown = CliRunner().invoke(main, ["runs", "--source", "sana-en"])
    assert "backfill (2/2 months)" in shown.output
    assert f"backfill (month of {rerun.id})" in shown.output
    coverage = CliRunner().invoke(
        main, ["coverage", "sana-en", "--since", str(SINCE), "--until", str(UNTIL)]
    )
    assert (
        f"backfill run {rerun.id} ({SINCE} to {UNTIL}, completed): 2 of 2 months completed "
        "(1 before it), 0 running, 0 failed"
    ) in coverage.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_several_sources_backfill_at_once_each_with_its_own_runs(
    database_url: str, replay, fast_crawl, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At once: each source's flow waits at a barrier for the other's to start. One after the
    # other, the first would wait alone until the barrier broke, and its source fail. (The
    # runs' times could not tell: a source with nothing in the window ended in 2 s, before a
    # loaded machine's Prefect started the other's subflow.)
    barrier = threading.Barrier(2, timeout=120)
    source_flow = backfill_flows.backfill

    def together(*args: Any, **kwargs: Any) -> Any:
        barrier.wait()
        return source_flow(*args, **kwargs)

    monkeypatch.setattr(backfill_flows, "backfill", together)
    summaries = backfill_sources(
        ["sana-en", "sana-ar"], OCTOBER.since, OCTOBER.until, replay.base_url
    )

    assert [(s["source"], s["status"]) for s in summaries] == [
        ("sana-en", "completed"),
        ("sana-ar", "completed"),
    ]
    runs = _runs(database_url)
    assert sorted(r.source_id for r in runs) == ["sana-ar", "sana-en"]
    assert all(r.partitions is None and r.status == "completed" for r in runs)
