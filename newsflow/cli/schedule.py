"""`newsflow serve`, `newsflow deploy` and `newsflow reprocess`: schedules and re-extraction."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import click

from newsflow.cli.errors import CliError
from newsflow.cli.params import SOURCE
from newsflow.cli.prefect_local import (
    exit_without_teardown,
    share_temporary_server,
    shield_temporary_server,
    stop_runs_gracefully,
)
from newsflow.cli.writes import require_writable

# Flow runs `serve` keeps beside its scheduled sources: a backfill's own run and its month.
BACKFILL_ROOM = 2


@click.command("serve")
@click.option(
    "--source",
    "sources",
    type=SOURCE,
    multiple=True,
    help="Only these sources (default: all enabled).",
)
@click.option(
    "--ephemeral",
    is_flag=True,
    help="Without a Prefect API: keep the schedules in a temporary server that lives only "
    "as long as this process.",
)
def serve_command(sources: tuple[str, ...], ephemeral: bool) -> None:
    """Run every source's ingest flow on its registry cron schedule until stopped.

    One process: the schedules, plus backfill, revisit and reprocess deployments to start by
    hand from the Prefect UI or `prefect deployment run`. Needs a Prefect API (PREFECT_API_URL,
    e.g. `prefect server start`) to keep the schedules; --ephemeral keeps them in a temporary
    server instead, gone when this process stops. Ctrl-C or SIGTERM stops it.
    Example: newsflow serve --source sana-en --source sana-ar
    """
    from prefect import serve
    from prefect.deployments.runner import RunnerDeployment
    from prefect.settings import PREFECT_API_URL

    from newsflow.flows.crashes import ensure_crash_detection, heartbeat_env
    from newsflow.flows.deployments import deployments
    from newsflow.flows.parallel import sources_at_once
    from newsflow.flows.warm_start import start_runs_by_fork
    from newsflow.registry import get_source
    from newsflow.settings import get_settings

    require_writable("serve")  # every scheduled run would fail: say so now
    temporary = not PREFECT_API_URL.value()  # then Prefect would start a temporary server
    if temporary:
        if not ephemeral:
            raise CliError(
                "no Prefect API to keep the schedules: set PREFECT_API_URL, e.g. "
                "http://127.0.0.1:4200/api after `prefect server start`, or pass --ephemeral"
            )
        click.echo(
            "--ephemeral: the schedules live in a temporary Prefect server only as long as "
            "this process runs"
        )
        share_temporary_server()
    chosen = deployments([get_source(s) for s in sources] if sources else None)
    # Its runs beat as a worker's do, so a run left behind by a killed serve is crashed.
    os.environ.update(heartbeat_env())
    ensure_crash_detection()
    scheduled = sum(1 for d in chosen if d.schedules)
    click.echo(
        f"serving {scheduled} scheduled ingest deployments and "
        f"{len(chosen) - scheduled} on demand; Ctrl-C stops"
    )
    start_runs_by_fork()
    click.echo("flow runs fork from a warm process (Prefect and the flows imported once)")
    stop_runs_gracefully(get_settings().runs.stop_grace_seconds)
    # Pausing the schedules on the way out only matters where they outlive this process.
    # As many scheduled sources at once as an ingest of them would run (flows/parallel.py),
    # and room for a backfill beside them: its own run waits while its months run.
    limit = sources_at_once(scheduled) + BACKFILL_ROOM
    serve(*cast(list[RunnerDeployment], chosen), pause_on_shutdown=not temporary, limit=limit)
    click.echo("stopped")  # returned on Ctrl-C or SIGTERM, each run stopped and closed
    exit_without_teardown(0)


@click.command("deploy")
@click.option(
    "--source",
    "sources",
    type=SOURCE,
    multiple=True,
    help="Only these sources' schedules (default: all enabled).",
)
@click.option(
    "--pool",
    default="newsflow-process",
    show_default=True,
    help="Process work pool to deploy to (created if missing).",
)
@click.option(
    "--write-prefect-yaml",
    "yaml_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write these deployments as a prefect.yaml for `prefect deploy --all` instead.",
)
def deploy_command(sources: tuple[str, ...], pool: str, yaml_path: Path | None) -> None:
    """Register the deployments with the Prefect API, for workers of a process pool to run.

    One ingest-<source> deployment per enabled source on its registry cron (edition's own,
    else the agency's), plus backfill, revisit and reprocess; then start a worker with
    `prefect worker start --pool newsflow-process` where newsflow and its database are.
    Example: PREFECT_API_URL=http://127.0.0.1:4200/api newsflow deploy
    """
    from newsflow.cli.output import atomic_write
    from newsflow.flows.deployments import cron_of, deploy, prefect_yaml
    from newsflow.registry import get_source

    if yaml_path is not None:
        with atomic_write(yaml_path) as stream:
            stream.write(prefect_yaml(pool))
        click.echo(f"wrote {yaml_path}")
        return
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():  # else Prefect would deploy to a throwaway server
        raise CliError("no Prefect API: set PREFECT_API_URL, e.g. http://127.0.0.1:4200/api")
    done = deploy([get_source(s) for s in sources] if sources else None, pool)
    for deployment in done:
        cron = cron_of(deployment)
        when = f"{cron[0]} ({cron[1]})" if cron else "on demand"
        name = f"{deployment.flow_name}/{deployment.name}"
        click.echo(f"  {name:<30} {when}")
    click.echo(f"{len(done)} deployments on work pool {pool}; run them with:")
    click.echo(f"  prefect worker start --pool {pool}")


@click.command("reprocess")
@click.argument("source", type=SOURCE)
def reprocess_command(source: str) -> None:
    """Re-extract SOURCE's stored raw pages with the current extractor (no refetching).

    Example: newsflow reprocess sana-en
    """
    from newsflow.flows.reprocess import reprocess

    require_writable("reprocess")
    shield_temporary_server()
    totals = reprocess(source)
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(totals.items())) or "no stored pages")
