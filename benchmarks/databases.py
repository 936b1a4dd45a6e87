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
    database = f"newsflow_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    url = make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
