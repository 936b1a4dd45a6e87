"""`newsflow backfill` and `newsflow coverage`: history over a date window, and its gaps."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from typing import Any

import click

from newsflow.cli.params import SOURCE, date_window
from newsflow.cli.prefect_local import shield_temporary_server
from newsflow.cli.progress import ProgressWatcher
from newsflow.cli.report import print_summaries
from newsflow.cli.writes import require_writable


@click.command("backfill")
@click.argument("sources", nargs=-1, required=True, type=SOURCE)
@date_window(required=True, history=True)
@click.option("--base-url", help="Fetch from this mirror (<base-url>/<host>/<path>).")
@click.option(
    "--from-archive",
    is_flag=True,
    help="List the window's articles from the source's web archive (registry [web_archive]) "
    "and read their captures: for a site whose listings are gone.",
)
def backfill_command(
    sources: tuple[str, ...], since: date, until: date, base_url: str | None, from_archive: bool
) -> None:
    """Fetch every article SOURCES published between --since and --until.

    Several sources run at once (runs.parallel_sources; one host's requests keep its pace). A
    window over more than one month runs month by month, each month a run of its own.
    Resumable: run the same command again after an interruption and it continues without
    refetching stored pages or crawling completed months again. The window lies between
    1990-01-01 and tomorrow (UTC).

    Example: newsflow backfill sana-en sana-ar --since 2016-10-01 --until 2016-10-31

    Example: newsflow backfill sana-en --since 2012-01-01 --until 2012-12-31 --from-archive
    """
    from newsflow.flows.backfill import backfill_sources, check_archive

    require_writable("backfill")  # before Prefect starts: one line, not a failed run
    for source in sources if from_archive else ():
        check_archive(source)
    shield_temporary_server()
    chosen = list(dict.fromkeys(sources))
    watcher = ProgressWatcher(chosen[0], since, until) if len(chosen) == 1 else nullcontext()
    with watcher:
        summaries = backfill_sources(chosen, since, until, base_url, from_archive)
    print_summaries(summaries)
    for source in chosen:
        _print_coverage(source, since, until, gaps_only=True)
    if any(summary["status"] != "completed" for summary in summaries):
        raise SystemExit(1)


@click.command("coverage")
@click.argument("source", type=SOURCE)
@date_window(required=True, history=True)
@click.option("--all-days", is_flag=True, help="Show every day, not only the gaps.")
def coverage_command(source: str, since: date, until: date, all_days: bool) -> None:
    """Show, per day, URLs discovered, articles stored, listed URLs missing and failures.

    Gaps only by default: days with missing articles, or with nothing found at all. "queued":
    listed URLs whose fetch failed for a passing reason (timeout, 5xx) and that the next run
    tries again; "given up": those that failed in 5 runs and are no longer tried.

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
    from newsflow.db.retry_queue import RetryDay, retries_per_day
    from newsflow.db.session import session_scope

    with session_scope() as session:
        if rows is None:  # the stored rows
            rows = coverage_rows(session, source, since, until)
        # Counted as the queue stands, not stored: a retry moves them between runs' recounts.
        retries = retries_per_day(session, source, since, until)
    shown = [r for r in rows if is_gap(r)] if gaps_only else rows
    title = "days with gaps" if gaps_only else "coverage"
    click.echo(f"\n{title} for {source}, {since} to {until}: {len(shown)} of {len(rows)} days")
    _print_months(source, since, until)
    if shown:
        click.echo("  day         discovered  stored  missing  failed  queued  given up")
    for row in shown:
        mark = "  <- gap" if is_gap(row) else ""
        retry = retries.get(row.day) or RetryDay(source, row.day)
        click.echo(
            f"  {row.day}  {row.discovered:>10}  {row.stored:>6}  {row.missing:>7}"
            f"  {row.failed:>6}  {retry.queued:>6}  {retry.given_up:>8}{mark}"
        )


def _print_months(source: str, since: date, until: date) -> None:
    """How far the newest month-by-month backfill over this window has got."""
    from newsflow.db import queries
    from newsflow.db.session import session_scope

    with session_scope() as session:
        run = queries.latest_partitioned(session, source, since, until)
        if run is None:
            return
        months = queries.partition_progress(session, run.id)
    before = int((run.counts or {}).get("partitions_done_before", 0))
    click.echo(
        f"backfill run {run.id} ({run.window_start} to {run.window_end}, {run.status}): "
        f"{months['partitions_completed'] + before} of {months['partitions']} months completed"
        + (f" ({before} before it)" if before else "")
        + f", {months['partitions_running']} running, {months['partitions_failed']} failed"
    )
