"""`newsflow db`: upgrade, downgrade and current name the database; grant-reader on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from newsflow.db import migrate
from newsflow.db.session import dispose_engines
from sqlalchemy.engine import make_url

from newsflow.cli import main
from newsflow.settings import get_settings
from tests.databases import empty_database

PASSWORD = "s3cret-Db-91c4"
HEAD = migrate.heads()[0]
PREVIOUS = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_revision(HEAD)
BEFORE_HEAD = str(PREVIOUS.down_revision) if PREVIOUS else "base"


@pytest.fixture(autouse=True)
def _restore_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", "sqlite://")
    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()


def _db(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--database-url", url, "db", *args], prog_name="newsflow")


def test_sqlite_commands_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url, where = "sqlite:///var/news.sqlite3", str(tmp_path / "var" / "news.sqlite3")
    assert _db(url, "current").stdout == f"database at revision base (not migrated): {where}\n"
    upgraded = _db(url, "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout == f"database at revision {HEAD} (head): {where}, migrated from base\n"
    again = _db(url, "upgrade").stdout
    assert again == f"database at revision {HEAD} (head): {where}, nothing to migrate\n"
    assert _db(url, "current").stdout == f"database at revision {HEAD} (head): {where}\n"
    down = _db(url, "downgrade", BEFORE_HEAD)
    assert down.exit_code == 0, down.output
    assert down.stdout == f"database at revision {BEFORE_HEAD}: {where}, reverted from {HEAD}\n"
    behind = _db(url, "current").stdout
    assert behind == f"database at revision {BEFORE_HEAD}, the code needs {HEAD}: {where}\n"


def test_grant_reader_on_sqlite_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    assert _db(url, "upgrade").exit_code == 0
    refused = _db(url, "grant-reader", "analysts")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "newsflow: error: grant-reader is for PostgreSQL; SQLite has no roles: file permissions"
        f" are the way (let readers read {tmp_path / 'newsflow.sqlite3'} and not write it, or"
        " give them a copy)\n"
    )


@pytest.fixture
def empty_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database, addressed with a password (trust ignores it)."""
    with empty_database(postgres_server_url, "newsflow_db", PASSWORD) as url:
        yield url


def test_postgresql_commands_name_the_database_masked(empty_postgres_url: str) -> None:
    where = make_url(empty_postgres_url).render_as_string(hide_password=True)
    assert ":***@127.0.0.1:5432/newsflow_db_" in where
    upgraded = _db(empty_postgres_url, "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout == f"database at revision {HEAD} (head): {where}, migrated from base\n"
    assert _db(empty_postgres_url, "current").stdout == (
        f"database at revision {HEAD} (head): {where}\n"
    )
    assert PASSWORD not in upgraded.output
