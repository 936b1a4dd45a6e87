"""`newsflow db grant-reader`: a PostgreSQL role that runs every read command and writes nothing.

The README's "Read-only access (PostgreSQL)" is this command; these tests run it on a store
of a few articles, then connect as the role and run `search`, `export`, `status`, `runs`,
`coverage`, `history` and ``newsflow.query``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner, Result
from newsflow.db import grants, migrate, store
from newsflow.db.session import dispose_engines, session_scope
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from newsflow import query
from newsflow.article import Article
from newsflow.cli import main
from newsflow.registry import load_registry
from newsflow.settings import REPO_ROOT, get_settings
from tests.databases import empty_database

pytestmark = pytest.mark.postgres

UTC3 = timezone(timedelta(hours=3))
EDITED_URL = "https://sana.sy/en/?p=2"
WINDOW = ("--since", "2016-10-17", "--until", "2016-10-20")


@pytest.fixture(scope="module")
def owner_url(postgres_server_url: str) -> Iterator[str]:
    """A database of its own, migrated as the server's superuser, holding three articles (one
    edited once), a completed run and a failure."""
    with empty_database(postgres_server_url, "newsflow_grants") as url:
        migrate.upgrade(url)
        _fill(url)
        yield url


def _fill(url: str) -> None:
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        run = store.start_run(session, "sana-en", "manual")
        articles: dict[int, Article] = {}
        for n, day in ((1, 18), (2, 19), (3, 19)):
            articles[n] = Article(
                url=f"https://sana.sy/en/?p={n}",
                title=f"Aleppo story {n}",
                body=f"Ministers met in Aleppo on day {day}.",
                authors=("Hazem Sabbagh",),
                source="sana-en",
                language="en",
                published_at=datetime(2016, 10, day, 15, 0, tzinfo=UTC3),
            )
            store.save_article(session, articles[n], None)
        later = datetime.now(UTC) + timedelta(hours=1)
        store.save_article(session, articles[2].evolve(title="Aleppo story, edited"), None, later)
        store.record_failure(session, run, "sana-en", "https://sana.sy/en/?p=9", "fetch", "timeout")
        store.finish_run(session, run, {"articles_new": 3}, "completed")


@pytest.fixture
def role(owner_url: str) -> Iterator[str]:
    """A role name of this test's own (roles are the server's, shared by concurrent runs)."""
    name = f"newsflow_reader_{uuid.uuid4().hex[:8]}"
    yield name
    dispose_engines()
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        if connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}
        ).first():
            connection.execute(text(f"DROP OWNED BY {name}"))
            connection.execute(text(f"DROP ROLE {name}"))
    engine.dispose()


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings and engines of the test's URLs forgotten before the environment is restored."""
    yield
    dispose_engines()
    get_settings.cache_clear()


def _as(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """Run `newsflow ARGS` against ``url``, as its user, in this process."""
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    return CliRunner().invoke(main, list(args), prog_name="newsflow")


def _reader_url(owner_url: str, role: str) -> str:
    return make_url(owner_url).set(username=role, password=None).render_as_string(False)


def _readme_section() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("### Read-only access (PostgreSQL)\n")[1].split("\n## ")[0]


def _readme_command(role: str) -> list[str]:
    [line] = [x for x in _readme_section().splitlines() if x.startswith("newsflow db grant-reader")]
    return line.replace("newsflow_reader", role).split()[1:]


def test_a_reader_runs_every_read_command(
    owner_url: str, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    granted = _as(owner_url, monkeypatch, *_readme_command(role))
    assert granted.exit_code == 0, granted.output
    assert f"CREATE ROLE {role} LOGIN;\nGRANT SELECT ON alembic_version, " in granted.stdout
    reader = _reader_url(owner_url, role)

    found = _as(reader, monkeypatch, "search", "Aleppo", "--json")
    assert found.exit_code == 0, found.output
    assert {hit["url"] for hit in json.loads(found.stdout)} >= {EDITED_URL}
    exported = _as(reader, monkeypatch, "export", "--source", "sana-en", "--format", "csv")
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.count("https://sana.sy/en/?p=") == 3
    status = _as(reader, monkeypatch, "status")
    assert status.exit_code == 0, status.output
    assert any(line.split()[:2] == ["sana-en", "3"] for line in status.stdout.splitlines())
    runs = _as(reader, monkeypatch, "runs")
    assert runs.exit_code == 0 and "completed" in runs.stdout, runs.output
    coverage = _as(reader, monkeypatch, "coverage", "sana-en", *WINDOW, "--all-days")
    assert coverage.exit_code == 0, coverage.output
    assert "2016-10-19           0       2" in coverage.stdout  # counted, not stored
    history = _as(reader, monkeypatch, "history", EDITED_URL)
    assert history.exit_code == 0, history.output
    assert "changed: title" in history.stdout
    counted = _as(reader, monkeypatch, "search", "Aleppo", "--count", "--format", "json")
    assert counted.exit_code == 0 and json.loads(counted.stdout) == {"count": 3}, counted.output
    daily = _as(reader, monkeypatch, "search", "Aleppo", "--by", "day", "--format", "csv")
    assert daily.exit_code == 0 and daily.stdout.count("\n") >= 2, daily.output
    changed = _as(reader, monkeypatch, "export", "--changed-since", "2000-01-01T00:00:00")
    assert changed.exit_code == 0, changed.output
    assert EDITED_URL in changed.stdout

    assert len(list(query.articles(source="sana-en", database_url=reader))) == 3
    assert list(query.daily_counts(since=date(2016, 10, 18), database_url=reader))
    assert any(h.source == "sana-en" for h in query.source_health(database_url=reader))
    assert query.search("Ministers", database_url=reader)
    assert query.count("Aleppo", database_url=reader) >= 1
    assert list(query.timeline("Aleppo", by="month", database_url=reader))

    for write in (("ingest", "sana-en"), ("backfill", "sana-en", *WINDOW)):
        refused = _as(reader, monkeypatch, *write)
        assert refused.exit_code == 1, refused.output
        assert refused.stderr.startswith(f"newsflow: error: role {role} is read-only on ")
        assert len(refused.stderr.splitlines()) == 1 and "Traceback" not in refused.output

    engine = create_engine(reader)
    try:
        with engine.connect() as connection:
            for view in inspect(engine).get_view_names():  # dashboards read them with SQL
                connection.execute(text(f"SELECT * FROM {view} LIMIT 5")).all()
        for table in inspect(engine).get_table_names():
            column = inspect(engine).get_columns(table)[0]["name"]
            for statement in (
                f"INSERT INTO {table} DEFAULT VALUES",
                f"UPDATE {table} SET {column} = {column}",
                f"DELETE FROM {table}",
            ):
                with engine.connect() as connection, pytest.raises(ProgrammingError) as denied:
                    connection.execute(text(statement))
                assert "permission denied" in str(denied.value), statement
    finally:
        engine.dispose()


def test_the_readme_lists_what_is_granted() -> None:
    section = " ".join(_readme_section().split())
    tables = section.split("the tables the read commands query:")[1].split(";")[0]
    assert set(re.findall(r"`(\w+)`", tables)) == set(grants.READ_TABLES)
    assert all(f"`{function.split('(')[0]}`" in section for function in grants.READ_FUNCTIONS)


def _can_login(url: str, role: str) -> bool | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"), {"r": role}
            ).scalar()
    finally:
        engine.dispose()


def test_grant_reader_creates_a_nologin_role_and_grants_once(
    owner_url: str, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = _as(owner_url, monkeypatch, "db", "grant-reader", role, "--dry-run")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith(f"CREATE ROLE {role} NOLOGIN;\nGRANT SELECT ON ")
    assert _can_login(owner_url, role) is None  # a dry run runs nothing

    first = _as(owner_url, monkeypatch, "db", "grant-reader", role)
    assert first.exit_code == 0, first.output
    assert first.stdout == planned.stdout
    assert f"{role}: created NOLOGIN role; reads postgresql" in first.stderr
    assert _can_login(owner_url, role) is False

    again = _as(owner_url, monkeypatch, "db", "grant-reader", role)
    assert (again.exit_code, again.stdout) == (0, ""), again.output
    assert "already: nothing to grant" in again.stderr
    login = _as(owner_url, monkeypatch, "db", "grant-reader", role, "--login")
    assert (login.exit_code, login.stdout) == (0, f"ALTER ROLE {role} LOGIN;\n"), login.output
    assert _can_login(owner_url, role) is True


def test_upgrade_grants_readers_what_a_new_schema_adds(
    owner_url: str, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _as(owner_url, monkeypatch, "db", "grant-reader", role).exit_code == 0
    with create_engine(owner_url).begin() as connection:  # as if a migration had made them
        connection.execute(text(f"REVOKE SELECT ON story_members, article_view FROM {role}"))
    upgraded = _as(owner_url, monkeypatch, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.splitlines()[1:] == [
        f"reader {role} granted: GRANT SELECT ON story_members, article_view TO {role}"
    ]
    assert _as(owner_url, monkeypatch, "db", "upgrade").stdout.count("\n") == 1


def test_upgrade_grants_no_reader_when_one_cannot_be_granted(
    owner_url: str, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = f"{role}_b"  # sorts after role: granted second
    try:
        for name in (role, other):
            assert _as(owner_url, monkeypatch, "db", "grant-reader", name).exit_code == 0
        with create_engine(owner_url).begin() as connection:
            connection.execute(text(f"REVOKE SELECT ON article_view FROM {role}, {other}"))
        real = grants.grant_reader

        def failing(connection: Connection, name: str, login: bool = False) -> grants.Plan:
            plan = real(connection, name, login)
            if name == other:
                raise grants.ReaderRoleError("granting did not take")
            return plan

        monkeypatch.setattr(grants, "grant_reader", failing)
        upgraded = _as(owner_url, monkeypatch, "db", "upgrade")
        assert upgraded.exit_code == 1, upgraded.output
        assert f"reader {other} could not be granted" in upgraded.stderr
        assert "granted: GRANT" not in upgraded.stdout  # the first reader's grant rolled back
        with create_engine(owner_url).connect() as connection:
            reads = connection.execute(
                text("SELECT has_table_privilege(:r, 'article_view', 'SELECT')"), {"r": role}
            ).scalar()
        assert reads is False
    finally:
        with create_engine(owner_url).begin() as connection:
            found = text("SELECT 1 FROM pg_roles WHERE rolname = :r")
            if connection.execute(found, {"r": other}).first():
                connection.execute(text(f"DROP OWNED BY {other}"))
                connection.execute(text(f"DROP ROLE {other}"))


@pytest.mark.parametrize("write", ["superuser", "insert"])
def test_a_role_that_may_write_is_refused(
    owner_url: str, role: str, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    with create_engine(owner_url).begin() as connection:
        connection.execute(text(f"CREATE ROLE {role}"))
        if write == "superuser":
            connection.execute(text(f"ALTER ROLE {role} SUPERUSER"))
        else:
            connection.execute(text(f"GRANT INSERT ON failures TO {role}"))
    refused = _as(owner_url, monkeypatch, "db", "grant-reader", role)
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.startswith(f"newsflow: error: role {role} ")
    expected = "is a superuser" if write == "superuser" else "may already write to failures:"
    assert expected in refused.stderr and len(refused.stderr.splitlines()) == 1
