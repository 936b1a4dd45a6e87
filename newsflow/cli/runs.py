"""`newsflow runs`: what ran, newest first, with its kind, window, counts and errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from newsflow.cli.params import SOURCE

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsflow.db.models import CrawlRun

# Run counts shown as columns: (header, key in crawl_runs.counts).
COLUMNS = (
    ("pages", "pages_fetched"),
    ("new", "articles_new"),
    ("updated", "articles_updated"),
    ("failures", "failures_recorded"),
    ("over budget", "failures_over_budget"),
)


@click.command("runs")
@click.option("--source", type=SOURCE, help="Only this source's runs.")
@click.option(
    "--failed",
    is_flag=True,
    help="Only runs that did not complete: failed, cancelled, timed out or interrupted.",
)
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Most rows."
)
def runs_command(source: str | None, failed: bool, limit: int) -> None:
    """Recent runs, newest first: kind, status, window, duration, counts and error.

    Example: newsflow runs --source sana-en --failed --limit 5
    """
    from newsflow.db import queries
    from newsflow.db.migrate import require_current
    from newsflow.db.session import session_scope

    require_current()
    with session_scope() as session:
        rows = [
            _row(run, _kind(session, run))
            for run in queries.recent_runs(session, source, failed, limit)
        ]
    if not rows:
        click.echo(
            "no runs" + (f" of {source}" if source else "") + (" that failed" if failed else "")
        )
        return
    header = ("run", "source", "kind", "status", "started (UTC)", "took", "window")
    _table((*header, *(label for label, _ in COLUMNS), "error"), rows)


def _kind(session: Session, run: CrawlRun) -> str:
    """The run's kind; a partitioned backfill's says how far its months are, a month whose."""
    from newsflow.db import queries

    if run.partitions:
        months = queries.partition_progress(session, run.id)
        done = months["partitions_completed"] + int(
            (run.counts or {}).get("partitions_done_before", 0)
        )
        failed = f", {months['partitions_failed']} failed" if months["partitions_failed"] else ""
        return f"{run.kind} ({done}/{run.partitions} months{failed})"
    if run.parent_run_id:
        return f"{run.kind} (month of {run.parent_run_id})"
    return run.kind


def _row(run: CrawlRun, kind: str) -> tuple[str, ...]:
    counts = run.counts or {}
    window = f"{run.window_start}..{run.window_end}" if run.window_start else "-"
    return (
        str(run.id),
        run.source_id,
        kind,
        run.status,
        f"{run.started_at:%Y-%m-%d %H:%M}",
        _took(run.started_at, run.finished_at),
        window,
        *(str(counts.get(key, "-")) for _, key in COLUMNS),
        (run.error or "").splitlines()[0][:80] if run.error else "",
    )


def _took(started: datetime, finished: datetime | None) -> str:
    seconds = int(((finished or datetime.now(UTC)) - started).total_seconds())
    text = f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
    return text if finished else f"{text}…"  # still running


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
