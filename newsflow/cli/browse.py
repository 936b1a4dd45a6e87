"""`newsflow browse`: the embedded SQLite database in Datasette, on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
from pathlib import Path
from typing import Any

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

    The views carry their column descriptions (docs/schema.md), and article_view and articles
    have a search box backed by the full-text index. PostgreSQL users connect a SQL client or
    dashboard with a read-only role instead (README, "Read-only access").

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

    settings = {"num_sql_threads": 2}
    datasette = Datasette([str(path)], metadata=metadata(path.stem), settings=settings)
    asyncio.run(datasette.invoke_startup())
    config = uvicorn.Config(datasette.app(), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[listener])


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata: the views as documented, full-text search on article_view."""
    from newsflow.db.views import VIEWS

    tables: dict[str, Any] = {
        view.name: {
            "description": f"One row per {view.row.removeprefix('one row per ')}.",
            "columns": {column.name: column.meaning for column in view.columns},
        }
        for view in VIEWS
    }
    tables["article_view"].update(fts_table="articles_fts", fts_pk="id", sort_desc="published_at")
    return {
        "title": "newsflow",
        "description": "Stored news-agency articles. The views are the contract: docs/schema.md.",
        "databases": {database: {"tables": tables}},
    }
