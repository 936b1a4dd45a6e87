"""Throwaway stores for the bench: a SQLite file, or a PostgreSQL database created and dropped."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsflow.db import migrate
from newsflow.db.session import dispose_engines
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "NEWSFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def postgres_available() -> bool:
    """Whether the bench's PostgreSQL server answers."""
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            return True
    except Exception:  # any failure to connect means: no server for the bench
        return False
    finally:
        engine.dispose()


@contextmanager
def prefect_database(kinds: list[str]) -> Iterator[str | None]:
    """The Prefect server's own database on PostgreSQL when the bench has one, as production
    runs it (docs/scaling.md): on SQLite, 30 flow runs starting at once lock it and it answers
    503 until they pass. None: Prefect's default SQLite file."""
    if "postgresql" not in kinds:
        yield None
        return
    with _postgres_database("prefect") as url:
        yield make_url(url).set(drivername="postgresql+asyncpg").render_as_string(False)


@contextmanager
def bench_store(kind: str, directory: Path, name: str) -> Iterator[str]:
    """A migrated, empty store: ``sqlite`` (a file in ``directory``) or ``postgresql``."""
    if kind == "sqlite":
        path = directory / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        yield url
        dispose_engines()
        return
    with _postgres_database(name) as url:
        migrate.upgrade(url)
        yield url
        dispose_engines()


@contextmanager
def _postgres_database(name: str) -> Iterator[str]:
    """An empty database on the bench's PostgreSQL server, dropped after."""
    database = f"newsflow_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
