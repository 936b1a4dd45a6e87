"""Printing run summaries and articles for people."""

from __future__ import annotations

from typing import Any

import click

SUMMARY_COLUMNS = (
    ("pages", "pages_fetched"),
    ("304", "not_modified"),
    ("new", "articles_new"),
    ("updated", "articles_updated"),
    ("unchanged", "articles_unchanged"),
    ("known", "skipped_known"),
    ("removed", "removed"),  # found gone by a revisit ("updated" counts its new versions too)
    ("failed", "articles_failed"),
    ("failures", "failures_recorded"),
)


def print_summaries(summaries: list[dict[str, Any]]) -> None:
    """One line per source: status and counts of the run."""
    click.echo("")
    header = ["source", "status"] + [label for label, _ in SUMMARY_COLUMNS]
    rows = [
        [s.get("source") or "?", s.get("status", "?")]
        + [str(s.get("counts", {}).get(key, 0)) for _, key in SUMMARY_COLUMNS]
        for s in summaries
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print_errors(summaries)
    runs = [s["run_id"] for s in summaries if s.get("run_id")]
    print_failures(runs + [run for s in summaries for run in s.get("partition_runs", [])])


def print_errors(summaries: list[dict[str, Any]]) -> None:
    """Each failed source's error, one line on stderr: a database error's first line, without
    SQLAlchemy's pointer to its documentation on the next; passwords masked."""
    from newsflow.cli.errors import first_line, scrub

    for s in summaries:
        if s.get("error"):
            click.echo(f"! {s.get('source')}: {scrub(first_line(s['error']))}", err=True)


def print_failures(run_ids: list[int], limit: int = 10) -> None:
    """The failures recorded against these runs: what failed, where, and why."""
    from newsflow.db import queries
    from newsflow.db.session import session_scope

    with session_scope() as session:
        failures = [f for run_id in run_ids for f in queries.run_failures(session, run_id, limit)]
    if failures:
        click.echo(f"\nrecorded failures ({len(failures)}):")
    for f in failures:
        status = f" HTTP {f.http_status}" if f.http_status else ""
        click.echo(f"  {f.source_id:8}  {f.stage:7}{status}  {f.url}  {f.reason[:90]}")


def print_newest(sources: list[str], limit: int = 8) -> None:
    """The newest stored articles of these sources."""
    from newsflow.db import queries
    from newsflow.db.session import session_scope

    with session_scope() as session:
        articles = queries.newest_articles(session, sources, limit)
        click.echo(f"\nnewest articles ({queries.article_count(session)} stored in all):")
        for a in articles:
            when = a.published_at.strftime("%Y-%m-%d %H:%MZ") if a.published_at else "undated"
            authors = ", ".join(a.authors) or "-"
            click.echo(f"  {when}  {a.source_id:8}  {a.title[:70]}  [{authors}]")
