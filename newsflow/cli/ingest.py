"""`newsflow ingest` and `newsflow demo`: run the Prefect ingest flow."""

from __future__ import annotations

import os
from typing import Any

import click

from newsflow.cli.errors import CliError
from newsflow.cli.params import SOURCE, SOURCE_LIST
from newsflow.cli.prefect_local import shield_temporary_server
from newsflow.cli.report import print_newest, print_summaries
from newsflow.cli.writes import require_writable

NO_DELAY = "NEWSFLOW_CRAWL__DELAY_OVERRIDE"  # the demo's default: 0, its replay is local


@click.command("ingest")
@click.argument("sources", nargs=-1, required=True, type=SOURCE)
@click.option(
    "--base-url", help="Fetch from this mirror (<base-url>/<host>/<path>), e.g. the replay."
)
def ingest_command(sources: tuple[str, ...], base_url: str | None) -> None:
    """Crawl SOURCES now and store their new articles.

    Example: newsflow ingest sana-en sana-ar --base-url http://127.0.0.1:8765
    """

    require_writable("ingest")  # before Prefect starts: one line, not a failed run
    summaries = _run_ingest(list(sources), base_url)
    print_summaries(summaries)
    print_newest(list(sources))
    if any(s["status"] != "completed" for s in summaries):
        raise SystemExit(1)


@click.command("demo")
@click.option(
    "--sources",
    "names",
    type=SOURCE_LIST,
    default="sana-en,sana-ar",
    show_default=True,
    help="Comma-separated.",
)
def demo_command(names: list[str]) -> None:
    """Migrate, serve the bundled replay of agency sites on 127.0.0.1 and ingest from it.

    The replay is local, so its crawls wait no polite delay between requests unless
    NEWSFLOW_CRAWL__DELAY_OVERRIDE says otherwise.
    Example: newsflow demo --sources sana-en
    """
    from newsflow.db import migrate
    from newsflow.replay import ReplayServer, load_routes
    from newsflow.settings import get_settings

    # This process crawls nothing but its own replay; its crawl children read the environment.
    os.environ.setdefault(NO_DELAY, "0")
    get_settings.cache_clear()
    migrate.upgrade()
    with ReplayServer(load_routes()) as replay:
        click.echo(f"replay of recorded agency sites at {replay.base_url}")
        summaries = _run_ingest(names, replay.base_url)
    print_summaries(summaries)
    print_newest(names)


@click.command("replay")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
def replay_command(port: int) -> None:
    """Serve the recorded agency sites on 127.0.0.1 until Ctrl-C, as a mirror to crawl.

    Example: newsflow replay --port 8765 & newsflow ingest tass-en --base-url http://127.0.0.1:8765
    """
    import time

    from newsflow.replay import ReplayServer, load_routes

    routes = load_routes()
    try:
        server = ReplayServer(routes, port=port)
    except OSError as exc:
        raise CliError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    with server as replay:
        click.echo(f"serving {len(routes)} recorded URLs at {replay.base_url}; Ctrl-C stops")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped")


def _run_ingest(sources: list[str], base_url: str | None) -> list[dict[str, Any]]:
    from newsflow.flows.ingest import ingest_sources
    from newsflow.runs import RunKind

    shield_temporary_server()
    return ingest_sources(sources, kind=RunKind.MANUAL, base_url=base_url)
