"""A PostgreSQL database of a test's own, on the test server: created empty, dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from newsflow.db.session import dispose_engines
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


@contextmanager
def empty_database(server_url: str, prefix: str, password: str | None = None) -> Iterator[str]:
    """A new, empty (never migrated) database on ``server_url``'s server, named ``prefix`` and
    a random suffix; its URL carries ``password`` when given (trust authentication ignores
    it: it is there to be masked). Dropped, connections and all, on the way out."""
    # No pool: a database that outlives many tests would otherwise keep its admin connection
    # open all along, and a test resetting the server database's schema ends every other
    # session there (tests/conftest.py), so the DROP found that connection dead.
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name)
    if password:
        url = url.set(password=password)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
