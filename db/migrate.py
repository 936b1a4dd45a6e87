"""Apply Alembic migrations from code (the `newsflow db` commands call these)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from newsflow.db.session import get_engine

from newsflow.settings import get_settings

# The revisions ship inside the package (newsflow.migrations), so this works from any directory.
SCRIPT_LOCATION = str(files("newsflow.migrations"))


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration bound to ``url`` (default: the configured database)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("timezone", "UTC")
    config.attributes["url"] = url or get_settings().database_url
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate the database up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Migrate the database down to ``revision``."""
    command.downgrade(alembic_config(url), revision)


def heads() -> list[str]:
    """The migration heads (exactly one when the history is linear)."""
    return list(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


class SchemaNotCurrent(RuntimeError):
    """The database exists but is not migrated to the code's schema."""


def require_current(url: str | None = None) -> None:
    """Raise SchemaNotCurrent, saying what to run, unless the database is at the head revision."""
    at, head = current(url), heads()[0]
    if at != head:
        where = get_engine(url).url.render_as_string(hide_password=True)
        state = f"at revision {at}" if at else "not migrated"
        raise SchemaNotCurrent(
            f"database {where} is {state}, the code needs {head}: run `newsflow db upgrade`"
        )


def current(url: str | None = None) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
