"""The `newsflow` command line: a thin layer over the library; errors become one line here."""

from __future__ import annotations

import logging
import os

import click

from newsflow.cli.backfill import backfill_command, coverage_command
from newsflow.cli.browse import browse_command
from newsflow.cli.db import db_group
from newsflow.cli.errors import ReportingGroup
from newsflow.cli.evaluation import eval_command
from newsflow.cli.export import export_command
from newsflow.cli.history import history_command
from newsflow.cli.ingest import demo_command, ingest_command, replay_command
from newsflow.cli.prefect_local import configure as configure_prefect
from newsflow.cli.reenrich import reenrich_command
from newsflow.cli.revisit import revisit_command
from newsflow.cli.runs import runs_command
from newsflow.cli.schedule import deploy_command, reprocess_command, serve_command
from newsflow.cli.search import search_command
from newsflow.cli.sources import sources_group, status_command
from newsflow.cli.warc import import_warc_command


@click.group(cls=ReportingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--database-url", envvar="NEWSFLOW_DATABASE_URL", help="SQLAlchemy URL of the store.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Log debug messages; show tracebacks of unexpected errors.",
)
@click.version_option(package_name="newsflow")
def main(database_url: str | None, verbose: bool) -> None:
    """Ingest news-agency articles into SQLite or PostgreSQL.

    Example: newsflow db upgrade && newsflow ingest sana-en
    """
    if verbose:  # Prefect configures its own log output; add ours only when asked
        logging.basicConfig(level=logging.DEBUG)
    configure_prefect(verbose)
    if database_url:
        # Child processes (the crawler) read settings from the environment too.
        os.environ["NEWSFLOW_DATABASE_URL"] = database_url
        from newsflow.settings import get_settings

        get_settings.cache_clear()


main.add_command(db_group)
main.add_command(sources_group)
main.add_command(status_command)
main.add_command(ingest_command)
main.add_command(demo_command)
main.add_command(replay_command)
main.add_command(backfill_command)
main.add_command(coverage_command)
main.add_command(serve_command)
main.add_command(deploy_command)
main.add_command(runs_command)
main.add_command(reprocess_command)
main.add_command(reenrich_command)
main.add_command(revisit_command)
main.add_command(history_command)
main.add_command(export_command)
main.add_command(import_warc_command)
main.add_command(search_command)
main.add_command(browse_command)
main.add_command(eval_command)
