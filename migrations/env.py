"""Alembic environment: migrations run against the configured newsflow database."""

from __future__ import annotations

from alembic import context
from newsflow.db.models import Base
from newsflow.db.session import get_engine
from sqlalchemy import Connection

config = context.config


def _url() -> str | None:
    return context.get_x_argument(as_dictionary=True).get("url") or config.attributes.get("url")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with get_engine(_url()).connect() as connection:
        _run(connection)


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `newsflow db upgrade`")
run_migrations_online()
