"""`newsflow db`: schema migrations, and a read-only role on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import click

from newsflow.cli.errors import CliError

READER = "newsflow_reader"
SQLITE_READERS = (
    "grant-reader is for PostgreSQL; SQLite has no roles: file permissions are the way (let "
    "readers read {path} and not write it, or give them a copy)"
)


@click.group("db")
def db_group() -> None:
    """Manage the database schema (Alembic migrations) and a read-only role.

    Example: newsflow db upgrade
    """


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: head); name the database migrated.

    On PostgreSQL, existing reader roles (`newsflow db grant-reader`) are granted what the
    new schema adds for them to read.

    Example: NEWSFLOW_DATABASE_URL=postgresql+psycopg://localhost/news newsflow db upgrade
    """
    from newsflow.db import migrate

    before = migrate.current()
    migrate.upgrade(revision=revision)
    after = migrate.current()
    done = "nothing to migrate" if after == before else f"migrated from {before or 'base'}"
    click.echo(f"database at revision {_revision(after)}: {database_shown()}, {done}")
    _grant_readers(after)


@db_group.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Revert migrations down to REVISION ('base' removes every table).

    Example: newsflow db downgrade base
    """
    from newsflow.db import migrate

    before = migrate.current()
    migrate.downgrade(revision=revision)
    after = migrate.current()
    done = "nothing to revert" if after == before else f"reverted from {before or 'base'}"
    click.echo(f"database at revision {_revision(after)}: {database_shown()}, {done}")


@db_group.command("current")
def current_command() -> None:
    """Show the revision the database is at, and which database that is.

    Example: newsflow db current
    """
    from newsflow.db import migrate

    at = migrate.current()
    behind = f", the code needs {migrate.heads()[0]}" if at and not _is_head(at) else ""
    click.echo(f"database at revision {_revision(at)}{behind}: {database_shown()}")


@db_group.command("grant-reader")
@click.argument("role", default=READER)
@click.option(
    "--login",
    is_flag=True,
    help="Create the role with LOGIN (no password: set one in psql with \\password ROLE, or let "
    "pg_hba.conf authenticate it), or let an existing role log in.",
)
@click.option("--dry-run", is_flag=True, help="Print the statements; run none.")
def grant_reader_command(role: str, login: bool, dry_run: bool) -> None:
    """Make ROLE (default: newsflow_reader) a PostgreSQL role that reads and cannot write.

    Creates ROLE when missing (NOLOGIN, a group to GRANT to people's roles, unless --login)
    and grants it what `search`, `export`, `status`, `runs`, `coverage`, `history` and
    newsflow.query read: SELECT on the views and on the tables these commands query,
    alembic_version included. Only what ROLE lacks is granted, so running it again is safe;
    `newsflow db upgrade` grants existing readers what a new schema adds. A role that may
    write already (the owner, a superuser) is refused. Run it as the role that runs
    `newsflow db upgrade`. SQLite has no roles: file permissions are the way (exit code 1).

    Example: newsflow db grant-reader analysts --login
    """
    from newsflow.db import grants
    from newsflow.db.migrate import require_current
    from newsflow.db.session import get_engine

    engine = get_engine()
    require_current()
    if engine.dialect.name != "postgresql":
        raise CliError(SQLITE_READERS.format(path=database_shown()))
    try:
        with engine.begin() as connection:
            plan = (grants.plan_reader if dry_run else grants.grant_reader)(connection, role, login)
    except grants.ReaderRoleError as exc:
        raise CliError(str(exc)) from exc
    for statement in plan.statements:
        click.echo(statement + ";")
    where = database_shown()
    if dry_run:
        click.echo(f"{len(plan.statements)} statements to run on {where}", err=True)
    elif plan.statements:
        created = f"created {'LOGIN' if login else 'NOLOGIN'} role; " if plan.created else ""
        click.echo(f"{role}: {created}reads {where} and cannot write to it", err=True)
    else:
        click.echo(f"{role} reads {where} already: nothing to grant", err=True)


def database_shown() -> str:
    """The database named for people: a SQLite file's absolute path, else the URL, masked."""
    from sqlalchemy.engine import make_url

    from newsflow.db.session import masked_url
    from newsflow.settings import get_settings

    url = get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database).resolve())
    return masked_url(url)


def _grant_readers(revision: str | None) -> None:
    """Grant every reader role what the schema, at head, has for it to read (PostgreSQL)."""
    from newsflow.db import grants
    from newsflow.db.session import get_engine

    engine = get_engine()
    if engine.dialect.name != "postgresql" or not _is_head(revision or ""):
        return  # readers read the code's schema only: an older one may lack their tables
    granted = []  # said once committed: one reader that fails rolls every reader back
    with engine.begin() as connection:
        for role in grants.readers(connection):
            try:
                plan = grants.grant_reader(connection, role)
            except grants.ReaderRoleError as exc:
                raise CliError(f"migrated, but reader {role} could not be granted: {exc}") from exc
            if plan.statements:
                granted.append(f"reader {role} granted: " + "; ".join(plan.statements))
    for line in granted:
        click.echo(line)


def _revision(revision: str | None) -> str:
    if revision is None:
        return "base (not migrated)"
    return f"{revision} (head)" if _is_head(revision) else revision


def _is_head(revision: str) -> bool:
    from newsflow.db import migrate

    return revision in migrate.heads()
