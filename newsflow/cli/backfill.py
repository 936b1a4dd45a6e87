"""`newsflow backfill` and `newsflow coverage`: history over a date window, and its gaps."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from newsflow.cli.params import SOURCE, date_window
from newsflow.cli.prefect_local import shield_temporary_server
from newsflow.cli.progress import ProgressWatcher
from newsflow.cli.report import print_summaries
from newsflow.cli.writes import require_writable


@click.command("backfill")
@click.argument("source", type=SOURCE)
@date_window(required=True, history=True)
@click.option("--base-url", help="Fetch from this mirror (<base-url>/<host>/<path>).")
def backfill_command(source: str, since: date, until: date, base_url: str | None) -> None:
    """Fetch every article SOURCE published between --since and --until.

    Resumable: run the same command again after an interruption and it continues without
    refetching stored pages. The window lies between 1990-01-01 and tomorrow (UTC).

    Example: newsflow backfill sana-en --since 2016-10-01 --until 2016-10-31
    """
    from newsflow.flows.ingest import ingest
    from newsflow.runs import RunKind

    require_writable("backfill")  # before Prefect starts: one line, not a failed run
    shield_temporary_server()
    with ProgressWatcher(source, since, until):
        state = ingest(
            source,
            kind=RunKind.BACKFILL,
            since=since,
            until=until,
            base_url=base_url,
            return_state=True,
        )
    failed = {"source": source, "status": "failed", "error": str(state.message), "counts": {}}
    summary: dict[str, Any] = state.result() if state.is_completed() else failed
    print_summaries([summary])
    _print_coverage(source, since, until, gaps_only=True)
    if summary["status"] != "completed":
        raise SystemExit(1)


@click.command("coverage")
@click.argument("source", type=SOURCE)
@date_window(required=True, history=True)
@click.option("--all-days", is_flag=True, help="Show every day, not only the gaps.")
def coverage_command(source: str, since: date, until: date, all_days: bool) -> None:
    """Show, per day, URLs discovered, articles stored, listed URLs missing and failures.

    Gaps only by default: days with missing articles, or with nothing found at all.

    Example: newsflow coverage sana-en --since 2016-10-01 --until 2016-10-31
    """
    from newsflow.db import store
    from newsflow.db.coverage import count_coverage, refresh_coverage
    from newsflow.db.grants import may_write
    from newsflow.db.migrate import require_current
    from newsflow.db.models import Coverage
    from newsflow.db.session import session_scope
    from newsflow.registry import get_source, load_registry

    require_current()
    counted = None
    with session_scope() as session:
        if not may_write(session.connection(), "sources", "coverage"):  # a read-only role
            days = count_coverage(session, source, since, until, get_source(source).tz)
            counted = [Coverage(**day) for day in days]
        else:
            # Coverage rows refer to the source row, which only a run writes otherwise.
            store.sync_sources(session, load_registry().values())
            refresh_coverage(session, source, since, until, get_source(source).tz)
    _print_coverage(source, since, until, gaps_only=not all_days, rows=counted)


def _print_coverage(
    source: str, since: date, until: date, gaps_only: bool, rows: list[Any] | None = None
) -> None:
    from newsflow.db.coverage import coverage_rows, is_gap
    from newsflow.db.session import session_scope

    if rows is None:  # the stored rows
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
