"""`newsflow db`: schema migrations."""

from __future__ import annotations

import click


@click.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic migrations).

    Example: newsflow db upgrade
    """


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: head).

    Example: NEWSFLOW_DATABASE_URL=postgresql+psycopg://localhost/news newsflow db upgrade
    """
    from newsflow.db import migrate

    migrate.upgrade(revision=revision)
    click.echo(f"database at revision {migrate.current()}")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table).

    Example: newsflow db downgrade base
    """
    from newsflow.db import migrate

    migrate.downgrade(revision=revision)
    click.echo(f"database at revision {migrate.current() or 'base'}")


@db_group.command("current")
def current_command() -> None:
    """Show the revision the database is at.

    Example: newsflow db current
    """
    from newsflow.db import migrate

    click.echo(migrate.current() or "base (not migrated)")
