"""A run's parameters: the checks every entry point makes before anything is written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from newsflow.runs import EARLIEST_DAY, RunKind, RunParameterError, check_window, latest_day


@pytest.mark.parametrize("kind", list(RunKind))
@pytest.mark.parametrize(
    ("since", "until"),
    [(EARLIEST_DAY, latest_day()), (EARLIEST_DAY, EARLIEST_DAY), (date(2016, 10, 1), None)],
)
def test_windows_within_history_pass(kind: RunKind, since: date, until: date | None) -> None:
    check_window(since, until or latest_day(), kind)
    if kind is not RunKind.BACKFILL:  # a backfill needs both ends
        check_window(since, until, kind)
        check_window(None, None, kind)


@pytest.mark.parametrize(
    ("since", "until", "wrong"),
    [
        (date.min, date(2016, 10, 1), "since 0001-01-01"),
        (EARLIEST_DAY - timedelta(days=1), date(2016, 10, 1), "since 1989-12-31"),
        (date(2016, 10, 1), latest_day() + timedelta(days=1), "until {after}"),
        (date(2016, 10, 1), date.max, "until 9999-12-31"),
        (date.max, date.max, "since 9999-12-31"),
    ],
)
def test_windows_outside_history_are_refused_naming_the_range(
    since: date, until: date, wrong: str
) -> None:
    latest = latest_day()
    wrong = wrong.format(after=latest + timedelta(days=1))
    for kind in (RunKind.BACKFILL, RunKind.MANUAL):
        with pytest.raises(RunParameterError) as excinfo:
            check_window(since, until, kind)
        assert str(excinfo.value) == (
            f"{wrong} is outside the days a crawl can cover: 1990-01-01 to {latest} (tomorrow, UTC)"
        )


def test_only_the_given_ends_are_checked() -> None:
    check_window(None, date(2016, 10, 1), RunKind.MANUAL)
    with pytest.raises(RunParameterError, match="since 1900-01-01 is outside"):
        check_window(date(1900, 1, 1), None, RunKind.MANUAL)
