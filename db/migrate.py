"""Apply Alembic migrations from code (the `newsflow db` commands call these).

Every process checks the schema before it writes (``require_current``): the CLI, each flow run
and each crawl child. The check is one small query; Alembic's command machinery is imported
only to migrate, and the head revision is read from the migration files once per process.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

from newsflow.db.session import get_engine
from sqlalchemy import inspect, text

from newsflow.settings import get_settings

if TYPE_CHECKING:
    from alembic.config import Config

# The revisions ship inside the package (newsflow.migrations), so this works from any directory.
SCRIPT_LOCATION = str(files("newsflow.migrations"))


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration bound to ``url`` (default: the configured database)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("timezone", "UTC")
    config.attributes["url"] = url or get_settings().database_url
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate the database up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
    _verified.discard(_key(url))


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Migrate the database down to ``revision``."""
    from alembic import command

    command.downgrade(alembic_config(url), revision)
    _verified.discard(_key(url))


def heads() -> list[str]:
    """The migration heads (exactly one when the history is linear)."""
    return list(_heads())


@lru_cache(maxsize=1)
def _heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory  # the files do not change under a process

    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


class SchemaNotCurrent(RuntimeError):
    """The database exists but is not migrated to the code's schema."""


def require_current(url: str | None = None) -> None:
    """Raise SchemaNotCurrent, saying what to run, unless the database is at the head revision.

    A database found current is not asked again by this process: migrations only move forward
    while code runs against them, and a scheduled run would otherwise ask three times.
    """
    key = _key(url)
    if key in _verified:
        return
    at, head = current(url), heads()[0]
    if at != head:
        where = get_engine(url).url.render_as_string(hide_password=True)
        state = f"at revision {at}" if at else "not migrated"
        raise SchemaNotCurrent(
            f"database {where} is {state}, the code needs {head}: run `newsflow db upgrade`"
        )
    _verified.add(key)


def current(url: str | None = None) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with get_engine(url).connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        return ",".join(sorted(versions)) or None  # one row, unless the history branched


# Databases this process found at the head revision.
_verified: set[str] = set()


def _key(url: str | None) -> str:
    return url or get_settings().database_url
