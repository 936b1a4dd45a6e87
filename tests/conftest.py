"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and the local replay."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.session import dispose_engines
from newsflow.replay import ReplayServer, load_routes
from newsflow.settings import get_settings

POSTGRES_URL = os.environ.get(
    "NEWSFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ENABLE_HINT = (
    "PostgreSQL tests skipped: no server at {url} ({error}). Start PostgreSQL on 127.0.0.1:5432 "
    "with trust auth for user postgres, or set NEWSFLOW_TEST_POSTGRES_URL to a server URL "
    "whose user may create databases."
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that asks for the PostgreSQL server directly, so `-m postgres` selects it."""
    # The postgresql parametrisation of `database_url` carries the mark through its param.
    for item in items:
        if "postgres_server_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A throwaway PostgreSQL database, created for this test session and dropped after it."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except Exception as exc:  # any connection failure means: no server here
        admin.dispose()
        message = ENABLE_HINT.format(url=POSTGRES_URL, error=type(exc).__name__)
        if os.environ.get("CI"):
            pytest.fail(message + " CI must run the PostgreSQL tests.")
        pytest.skip(message)
    name = f"newsflow_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> Iterator[str]:
    """An empty, migrated database; each test runs on SQLite and on PostgreSQL."""
    from db import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server_url")
        _reset_schema(url)
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    migrate.upgrade(url)
    yield url
    dispose_engines()
    get_settings.cache_clear()


def _reset_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def replay() -> Iterator[ReplayServer]:
    """The recorded agency sites, served on 127.0.0.1 for the whole test session."""
    with ReplayServer(load_routes()) as server:
        yield server
