"""`newsflow serve` and `newsflow reprocess`: long-running schedules and re-extraction."""

from __future__ import annotations

from typing import cast

import click

from newsflow.cli.params import SOURCE


@click.command("serve")
@click.option(
    "--source",
    "sources",
    type=SOURCE,
    multiple=True,
    help="Only these sources (default: all enabled).",
)
def serve_command(sources: tuple[str, ...]) -> None:
    """Run every source's ingest flow on its registry cron schedule until stopped.

    Needs a Prefect API (PREFECT_API_URL, e.g. `prefect server start`) to keep the schedules.
    Example: newsflow serve --source sana-en --source sana-ar
    """
    from prefect import serve
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Cron

    from db.migrate import require_current
    from flows.ingest import ingest
    from newsflow.registry import get_source, load_registry

    require_current()  # every scheduled run would fail on a missing schema: say so now
    chosen = [get_source(s) for s in sources] or [
        s for s in load_registry().values() if s.edition.enabled
    ]
    deployments = [
        ingest.to_deployment(
            name=f"ingest-{s.id}",
            schedule=Cron(s.agency.schedule, timezone=s.agency.timezone),
            parameters={"source": s.id, "kind": "scheduled"},
            concurrency_limit=1,  # never crawl one source twice at once
        )
        for s in chosen
    ]
    click.echo(f"serving {len(deployments)} scheduled ingest deployments; Ctrl-C stops")
    serve(*cast(list[RunnerDeployment], deployments))


@click.command("reprocess")
@click.argument("source", type=SOURCE)
def reprocess_command(source: str) -> None:
    """Re-extract SOURCE's stored raw pages with the current extractor (no refetching).

    Example: newsflow reprocess sana-en
    """
    from db.migrate import require_current
    from flows.reprocess import reprocess

    require_current()
    totals = reprocess(source)
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(totals.items())) or "no stored pages")
