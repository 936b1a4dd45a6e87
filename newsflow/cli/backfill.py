"""`newsflow backfill` and `newsflow coverage`: history over a date window, and its gaps."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from newsflow.cli.errors import friendly_errors
from newsflow.cli.progress import ProgressWatcher
from newsflow.cli.report import print_summaries


def parse_day_option(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> date | None:
    """Click callback: an ISO day, or a usage error that shows the expected form."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2016-10-01") from None


@click.command("backfill")
@click.argument("source")
@click.option(
    "--since", required=True, callback=parse_day_option, help="First day (YYYY-MM-DD), inclusive."
)
@click.option(
    "--until", required=True, callback=parse_day_option, help="Last day (YYYY-MM-DD), inclusive."
)
@click.option("--base-url", help="Fetch from this mirror (<base-url>/<host>/<path>).")
@friendly_errors
def backfill_command(source: str, since: date, until: date, base_url: str | None) -> None:
    """Fetch every article SOURCE published between --since and --until.

    Resumable: run the same command again after an interruption and it continues without
    refetching stored pages.
    Example: newsflow backfill sana-en --since 2016-10-01 --until 2016-10-31
    """
    from flows.ingest import ingest
    from newsflow.registry import get_source

    get_source(source)
    if since > until:
        raise click.BadParameter("--since must not be after --until")
    with ProgressWatcher(source, since, until):
        state = ingest(
            source, kind="backfill", since=since, until=until, base_url=base_url, return_state=True
        )
    failed = {"source": source, "status": "failed", "error": str(state.message), "counts": {}}
    summary: dict[str, Any] = state.result() if state.is_completed() else failed
    print_summaries([summary])
    _print_coverage(source, since, until, gaps_only=True)
    if summary["status"] != "completed":
        raise SystemExit(1)


@click.command("coverage")
@click.argument("source")
@click.option("--since", required=True, callback=parse_day_option, help="First day (YYYY-MM-DD).")
@click.option("--until", required=True, callback=parse_day_option, help="Last day (YYYY-MM-DD).")
@click.option("--all-days", is_flag=True, help="Show every day, not only the gaps.")
@friendly_errors
def coverage_command(source: str, since: date, until: date, all_days: bool) -> None:
    """Show, per day, URLs discovered, articles stored, listed URLs missing and failures.

    Gaps only by default: days with missing articles, or with nothing found at all.

    Example: newsflow coverage sana-en --since 2016-10-01 --until 2016-10-31
    """
    from db.coverage import refresh_coverage
    from db.session import session_scope
    from newsflow.registry import get_source

    src = get_source(source)
    with session_scope() as session:
        refresh_coverage(session, source, since, until, src.tz)
    _print_coverage(source, since, until, gaps_only=not all_days)


def _print_coverage(source: str, since: date, until: date, gaps_only: bool) -> None:
    from db.coverage import coverage_rows, is_gap
    from db.session import session_scope

    with session_scope() as session:
        rows = coverage_rows(session, source, since, until)
    shown = [r for r in rows if is_gap(r)] if gaps_only else rows
    title = "days with gaps" if gaps_only else "coverage"
    click.echo(f"\n{title} for {source}, {since} to {until}: {len(shown)} of {len(rows)} days")
    if shown:
        click.echo("  day         discovered  stored  missing  failed")
    for row in shown:
        mark = "  <- gap" if is_gap(row) else ""
        click.echo(
            f"  {row.day}  {row.discovered:>10}  {row.stored:>6}  {row.missing:>7}"
            f"  {row.failed:>6}{mark}"
        )
