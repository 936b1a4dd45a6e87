"""`newsflow ingest` and `newsflow demo`: run the Prefect ingest flow."""

from __future__ import annotations

from typing import Any

import click

from newsflow.cli.errors import friendly_errors
from newsflow.cli.report import print_newest, print_summaries


@click.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--base-url", help="Fetch from this mirror (<base-url>/<host>/<path>), e.g. the replay."
)
@friendly_errors
def ingest_command(sources: tuple[str, ...], base_url: str | None) -> None:
    """Crawl SOURCES now and store their new articles.

    Example: newsflow ingest sana-en sana-ar --base-url http://127.0.0.1:8765
    """
    from newsflow.registry import get_source

    for source in sources:
        get_source(source)
    summaries = _run_ingest(list(sources), base_url)
    print_summaries(summaries)
    print_newest(list(sources))
    if any(s["status"] != "completed" for s in summaries):
        raise SystemExit(1)


@click.command("demo")
@click.option("--sources", default="sana-en,sana-ar", show_default=True, help="Comma-separated.")
@friendly_errors
def demo_command(sources: str) -> None:
    """Migrate, serve the bundled replay of agency sites on 127.0.0.1 and ingest from it.

    Set NEWSFLOW_CRAWL__DELAY_OVERRIDE=0 for a fast run (the replay is local; `make run` does).
    Example: NEWSFLOW_CRAWL__DELAY_OVERRIDE=0 newsflow demo
    """
    from db import migrate
    from newsflow.replay import ReplayServer, load_routes

    migrate.upgrade()
    names = [s.strip() for s in sources.split(",") if s.strip()]
    with ReplayServer(load_routes()) as replay:
        click.echo(f"replay of recorded agency sites at {replay.base_url}")
        summaries = _run_ingest(names, replay.base_url)
    print_summaries(summaries)
    print_newest(names)


@click.command("replay")
@click.option("--port", default=8765, show_default=True, help="Port on 127.0.0.1.")
def replay_command(port: int) -> None:
    """Serve the recorded agency sites on 127.0.0.1 until Ctrl-C, as a mirror to crawl.

    Example: newsflow replay --port 8765 & newsflow ingest tass-en --base-url http://127.0.0.1:8765
    """
    import time

    from newsflow.replay import ReplayServer, load_routes

    routes = load_routes()
    with ReplayServer(routes, port=port) as replay:
        click.echo(f"serving {len(routes)} recorded URLs at {replay.base_url}; Ctrl-C stops")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped")


def _run_ingest(sources: list[str], base_url: str | None) -> list[dict[str, Any]]:
    from flows.ingest import ingest_sources

    return ingest_sources(sources, base_url=base_url)
