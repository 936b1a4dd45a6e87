"""`newsflow sources` and `newsflow status`: what is followed and how it is doing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsflow.cli.errors import CliError
from newsflow.cli.sources_add import add_command

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from newsflow.db.retry_queue import RetryDay


@click.group("sources")
def sources_group() -> None:
    """Inspect the agency registry.

    Example: newsflow sources list
    """


sources_group.add_command(add_command)


@sources_group.command("list")
def list_command() -> None:
    """List every source in the registry with its language, zone, schedule and verification.

    "verified" is how the agency's declaration was checked: "recorded" (a recorded site and
    tests), "documented" (taken from public documentation), or "-" (unmarked, e.g. a file of
    your own in NEWSFLOW_REGISTRY_PATH).
    Example: newsflow sources list
    """
    from newsflow.registry import load_registry

    rows = [
        (s.id, s.language, s.agency.timezone, s.schedule, s.agency.verified or "-", s.name)
        for s in load_registry().values()
    ]
    _table(("source", "lang", "time zone", "schedule", "verified", "name"), rows)


@sources_group.command("check")
@click.argument("targets", nargs=-1, required=True)
@click.option(
    "--live",
    is_flag=True,
    help="TARGETS are sources or agencies: ask their sites for what the entries name.",
)
@click.option("--base-url", help="With --live: fetch from this mirror (<base-url>/<host>/<path>).")
def check_command(targets: tuple[str, ...], live: bool, base_url: str | None) -> None:
    """Validate a directory of agency files, or (--live) ask sites for their entries' URLs.

    DIRECTORY: each *.toml is read as the registry reads it, its crons parsed as the
    scheduler will, and agencies it would override among the registry's are named.
    --live ID…: robots.txt, feeds, sitemaps and each listing's first page are fetched from
    the site (politely) and read with the crawl's parsers. Exit 1 when anything fails.
    Example: newsflow sources check ./my-agencies; newsflow sources check --live tass-en
    """
    if live:
        from newsflow.cli.sources_add import live_check

        live_check(targets, base_url)
        return
    if len(targets) != 1:
        raise CliError("give one directory of agency files (or --live with source ids)")
    directory = Path(targets[0])
    if not directory.is_dir():
        raise CliError(f"{directory}: not a directory of agency files")
    from newsflow.registry.check import check_directory

    results = check_directory(directory)
    if not results:
        raise CliError(f"{directory}: no agency files (*.toml)")
    for result in results:
        click.echo(result.line())
    bad = [r for r in results if r.problem]
    if bad:
        raise CliError(f"{len(bad)} of {len(results)} agency files in {directory} are invalid")


@click.command("status")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Show URLs given up that were listed this many days back (queued ones: all).",
)
def status_command(days: int) -> None:
    """Per-source health: articles, last run, failures, and fields resting on weak evidence.

    "over budget" counts the source's URLs whose extraction or enrichment ever went over its
    time or memory budget (failures with code budget_exceeded; see Operations in the README).
    "weak" columns give the share of recent articles whose title, date or authors came from a
    fallback (URL, free text, <title>) instead of structured data, markup or an agency rule.
    "lang mismatch" counts, among the same recent articles (the newest 500), those whose text
    the language enricher found in another language than the one their edition declares.

    Below it, per source and listing day: URLs queued for a retry (their fetch failed for a
    passing reason, a timeout or a 5xx, and the next run tries again) and URLs given up (they
    failed in 5 runs), those of the last --days listing days.

    Example: newsflow status --days 7
    """
    from newsflow.db import queries
    from newsflow.db.enrichment import language_disagreements
    from newsflow.db.migrate import require_current
    from newsflow.db.session import session_scope

    require_current()
    with session_scope() as session:
        rows = []
        statuses = queries.source_status(session)
        retries = _retry_rows(session, [row["source"].id for row in statuses], days)
        mismatched = language_disagreements(session, [row["source"].id for row in statuses])
        for row in statuses:
            run = row["last_run"]
            last = "never" if run is None else f"{run.status} {run.started_at:%Y-%m-%d %H:%M}Z"
            failures = (run.counts or {}).get("failures_recorded", 0) if run else 0
            weak = row["weak"]
            rows.append(
                (
                    row["source"].id,
                    str(row["articles"]),
                    last,
                    str(failures),
                    str(row["over_budget"]),
                    *(
                        f"{weak[f]:.0%}" if weak else "-"
                        for f in ("title", "published_at", "authors")
                    ),
                    str(mismatched.get(row["source"].id, 0)),
                )
            )
    _table(
        (
            "source",
            "articles",
            "last run",
            "failures",
            "over budget",
            "weak title",
            "weak date",
            "weak authors",
            "lang mismatch",
        ),
        rows,
    )
    _print_retries(retries, days)


def _retry_rows(session: Session, source_ids: list[str], days: int) -> list[RetryDay]:
    from newsflow.db.retry_queue import retry_days

    since = datetime.now(UTC).date() - timedelta(days=days)
    return retry_days(session, source_ids, since)


def _print_retries(retries: Sequence[RetryDay], days: int) -> None:
    if not retries:
        click.echo(f"\nretries: none queued, none given up in the last {days} listing days")
        return
    click.echo(f"\nretries by listing day (given up: listed in the last {days} days)")
    _table(
        ("source", "day", "queued", "given up"),
        [(r.source_id, str(r.day or "undated"), str(r.queued), str(r.given_up)) for r in retries],
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    for row in (header, *rows):
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
