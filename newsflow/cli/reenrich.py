"""`newsflow reenrich`: bring stored articles up to the current enricher versions."""

from __future__ import annotations

from datetime import date

import click

from newsflow.cli.params import SOURCE, date_window
from newsflow.cli.prefect_local import shield_temporary_server
from newsflow.cli.writes import require_writable


def _enricher_names(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    """The names as given, or a usage error naming the known enrichers."""
    from newsflow.enrichment import select_enrichers

    try:
        select_enrichers(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc
    return value


@click.command("reenrich")
@click.option("--source", type=SOURCE, help="Only this source's articles (default: all).")
@date_window(
    required=False,
    since_help="Only articles published on or after this day (YYYY-MM-DD).",
    until_help="Only articles published on or before this day (YYYY-MM-DD).",
)
@click.option(
    "--enricher",
    "enrichers",
    multiple=True,
    callback=_enricher_names,
    help="Only this enricher (repeatable): language, dateline, places, entities, keywords.",
)
def reenrich_command(
    source: str | None, since: date | None, until: date | None, enrichers: tuple[str, ...]
) -> None:
    """Re-run enrichers whose version changed (or that failed) on stored articles.

    Nothing is refetched. Batches commit as they go: a run stopped halfway continues where
    it left off when started again.
    Example: newsflow reenrich --source sana-en --since 2016-10-01 --enricher places
    """
    from newsflow.flows.reenrich import reenrich

    require_writable("reenrich")
    shield_temporary_server()
    totals = reenrich(source, since, until, list(enrichers) or None)
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(totals.items())) or "all current")
