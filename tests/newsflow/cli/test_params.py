"""Shared parameters: a filter window takes any day; a history window only crawlable ones."""

from __future__ import annotations

from datetime import date

import click
import pytest
from click.testing import CliRunner

from newsflow.cli.errors import ReportingGroup
from newsflow.cli.params import date_window
from newsflow.runs import latest_day


@click.group(cls=ReportingGroup)
def group() -> None:
    """Commands that echo the window they were given."""


@group.command("filter")
@date_window(required=False)
def filter_command(since: date | None, until: date | None) -> None:
    """Echo the window."""
    click.echo(f"{since} {until}")


@group.command("history")
@date_window(required=True, history=True)
def history_command(since: date, until: date) -> None:
    """Echo the window."""
    click.echo(f"{since} {until}")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(group, list(args), prog_name="newsflow")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("window", "echoed"),
    [
        (("--since", "0001-01-01", "--until", "9999-12-31"), "None None"),
        (("--since", "0001-01-02", "--until", "9999-12-30"), "0001-01-02 9999-12-30"),
        (("--until", "2016-10-01"), "None 2016-10-01"),
    ],
)
def test_a_filters_calendar_ends_bound_nothing(window: tuple[str, ...], echoed: str) -> None:
    assert _run("filter", *window) == (0, echoed + "\n", "")


def test_history_takes_the_crawlable_days() -> None:
    tomorrow = latest_day()
    assert _run("history", "--since", "1990-01-01", "--until", str(tomorrow)) == (
        0,
        f"1990-01-01 {tomorrow}\n",
        "",
    )


@pytest.mark.parametrize(
    ("since", "until", "wrong"),
    [
        ("1989-12-31", "2016-10-01", "--since 1989-12-31"),
        ("2016-10-01", "{after}", "--until {after}"),
    ],
)
def test_history_refuses_the_days_beyond(since: str, until: str, wrong: str) -> None:
    after = date.fromordinal(latest_day().toordinal() + 1)
    until, wrong = until.format(after=after), wrong.format(after=after)
    assert _run("history", "--since", since, "--until", until) == (
        1,
        "",
        f"newsflow: error: Invalid value for '--since' / '--until': {wrong} is outside the days"
        f" a crawl can cover: 1990-01-01 to {latest_day()} (tomorrow, UTC)"
        " (see `newsflow history --help`)\n",
    )
