"""Checks before a command that writes: a current schema and a role that may write."""

from __future__ import annotations

from newsflow.cli.errors import CliError


def require_writable(command: str) -> None:
    """Fail with one line, before Prefect starts, when ``command`` could not write its runs:
    an unmigrated store, or a reader role (`newsflow db grant-reader`) that may not write the
    runs and articles every crawl writes."""
    from sqlalchemy import text

    from newsflow.cli.db import database_shown
    from newsflow.db.grants import WRITTEN_BY_EVERY_RUN, may_write
    from newsflow.db.migrate import require_current
    from newsflow.db.session import get_engine

    require_current()
    engine = get_engine()
    if engine.dialect.name != "postgresql":  # file permissions decide; a failed write says so
        return
    with engine.connect() as connection:
        if may_write(connection, *WRITTEN_BY_EVERY_RUN):
            return
        user = connection.execute(text("SELECT current_user")).scalar_one()
    raise CliError(
        f"role {user} is read-only on {database_shown()} (it may not write "
        f"{' and '.join(WRITTEN_BY_EVERY_RUN)}): {command} needs a role that may write, such "
        "as the one that runs `newsflow db upgrade`"
    )
