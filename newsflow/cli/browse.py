"""`newsflow browse`: the embedded SQLite database in Datasette, on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import sqlite3
from contextlib import closing
from pathlib import Path

import click

from newsflow.cli.errors import CliError

BROWSE_HINT = "newsflow browse needs Datasette: pip install 'newsflow[browse]'"
HOST = "127.0.0.1"  # never another interface: the database is not meant to be published


@click.command("browse")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8001,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
def browse_command(port: int) -> None:
    """Browse the embedded SQLite database in Datasette until Ctrl-C (read-only).

    The home page starts with a search box (best matches first, web syntax as in `newsflow
    search`) and the views with their column descriptions (docs/schema.md); the tables under
    them are hidden. A story page shows one event across agencies and languages. PostgreSQL
    users connect a SQL client or dashboard with a read-only role instead (README, "Read-only
    access").

    Example: newsflow browse --port 8001
    """
    from newsflow.db.migrate import require_current
    from newsflow.settings import get_settings

    require_current()
    path = sqlite_file(get_settings().database_url)
    if importlib.util.find_spec("datasette") is None:
        raise CliError(BROWSE_HINT)
    listener = _listen(port)
    click.echo(f"browsing {path} at http://{HOST}:{listener.getsockname()[1]}/{path.stem}")
    click.echo("Ctrl-C stops", err=True)
    serve(path, listener)


def sqlite_file(url: str) -> Path:
    """The file of a SQLite database URL; a one-line error for anything else."""
    from sqlalchemy.engine import make_url

    from newsflow.db.session import masked_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or ":memory:" in url:
        raise CliError(
            f"browse opens the embedded SQLite database, not {masked_url(url)}: "
            "query PostgreSQL with a read-only role (README, Read-only access)"
        )
    return Path(parsed.database).resolve()


def _listen(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((HOST, port))
    except OSError as exc:
        listener.close()
        raise CliError(f"cannot serve on {HOST}:{port}: {exc.strerror or exc}") from exc
    return listener


def serve(path: Path, listener: socket.socket) -> None:
    """Serve Datasette on an already bound socket until interrupted."""
    import uvicorn
    from datasette.app import Datasette
    from datasette.plugins import pm

    from newsflow.browse import TEMPLATES, plugin
    from newsflow.browse.metadata import metadata

    if not pm.is_registered(plugin):
        pm.register(plugin, name="newsflow-browse")
    # A search runs `newsflow search` inside its SQL (the plugin's newsflow_search), which
    # Datasette's default limit of one second would cut short on a large store.
    settings = {"num_sql_threads": 2, "sql_time_limit_ms": 10_000}
    datasette = Datasette(
        [str(path)],
        metadata=metadata(path.stem, tables(path)),
        settings=settings,
        template_dir=str(TEMPLATES),
    )
    asyncio.run(datasette.invoke_startup())
    config = uvicorn.Config(datasette.app(), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[listener])


def tables(path: Path) -> list[str]:
    """The database's tables (not its views): the lists hide them."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return sorted(name for (name,) in rows)
