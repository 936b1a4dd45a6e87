"""Every CLI failure is one line on stderr, exit code 1: no traceback, no password.

Each command of the click group (discovered, so a new command is covered too) runs against a
database that is down, a malformed URL, and unmigrated PostgreSQL and SQLite databases.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from newsflow.db.session import dispose_engines

from newsflow.cli import main
from newsflow.cli.errors import scrub
from newsflow.cli.params import SourceListType, SourceType
from newsflow.runs import latest_day
from newsflow.settings import get_settings
from tests.databases import empty_database

PASSWORD = "s3cret-Pw-7f2a"
WINDOW = ("--since", "2016-10-01", "--until", "2016-10-02")


@dataclass(frozen=True)
class Case:
    """The least a command needs to reach the database, and how it uses the database."""

    args: tuple[str, ...] = ()
    # "schema": needs the migrated schema; "migrates": works on an unmigrated database by
    # design (creates or reads the schema); "none": never opens the database.
    database: str = "schema"


CASES = {
    "backfill": Case(("sana-en", *WINDOW)),
    "browse": Case(),
    "coverage": Case(("sana-en", *WINDOW)),
    "db current": Case(database="migrates"),
    "db downgrade": Case(("base",), database="migrates"),
    "db grant-reader": Case(("newsflow_reader",)),
    "db upgrade": Case(database="migrates"),
    "demo": Case(database="migrates"),
    "deploy": Case(("--source", "sana-en"), database="none"),  # the Prefect API, not the store
    "eval extraction": Case((".",), database="none"),
    "eval enrichment": Case(("--format", "conll", "pyproject.toml"), database="none"),
    "export": Case(),
    "history": Case(("https://sana.sy/en/?p=92385",)),
    "import-warc": Case(("pyproject.toml", "--source", "sana-en")),  # the store before the file
    "ingest": Case(("sana-en",)),
    "replay": Case(database="none"),
    "reprocess": Case(("sana-en",)),
    "reenrich": Case(),
    "runs": Case(),
    "revisit": Case(("sana-en",)),
    "search": Case(("Kremlin",)),
    "serve": Case(("--source", "sana-en")),
    "sources add": Case(("ftp://not.http.example/",), database="none"),
    "sources check": Case(("newsflow/registry/agencies",), database="none"),
    "sources list": Case(database="none"),
    "status": Case(),
}


def _leaves(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(_leaves(command, f"{prefix}{name} "))
        else:
            found[f"{prefix}{name}"] = command
    return found


COMMANDS = _leaves(main)
BROKEN = {  # scenario: what the one line must say
    "down": "is unavailable",
    "malformed": "malformed database URL",
    "unmigrated-sqlite": "is not migrated",
    "unmigrated-postgresql": "is not migrated",
    "unnamed": "names no database, so the server's default one would be used",
    "in-memory": "is an in-memory SQLite database, which keeps nothing",
}


def _matrix() -> Iterator[object]:
    for name in sorted(COMMANDS):
        case = CASES.get(name, Case())  # a command missing from the table still runs
        for scenario in BROKEN:
            if case.database == "none":
                continue
            if case.database == "migrates" and scenario.startswith("unmigrated"):
                continue
            marks = [pytest.mark.postgres] if scenario.endswith("postgresql") else []
            yield pytest.param(name, scenario, marks=marks, id=f"{name}-{scenario}")


@pytest.fixture(autouse=True)
def _restore_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # --database-url exports NEWSFLOW_DATABASE_URL for child processes; undo it afterwards.
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", "sqlite://")
    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def down_url() -> str:
    """A PostgreSQL URL with a password, pointing at a closed port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://newsflow:{PASSWORD}@127.0.0.1:{port}/newsflow?connect_timeout=2"


@pytest.fixture
def empty_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (never migrated), addressed with a password."""
    with empty_database(postgres_server_url, "newsflow_cli", PASSWORD) as url:
        yield url


def _broken_url(scenario: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if scenario == "down":
        return str(request.getfixturevalue("down_url"))
    if scenario == "malformed":
        return f"postgresql+psycopg://newsflow:{PASSWORD}@127.0.0.1:notaport/newsflow"
    if scenario == "unmigrated-postgresql":
        return str(request.getfixturevalue("empty_postgres_url"))
    if scenario == "unnamed":  # would be the server's default database, `postgres`
        return f"postgresql+psycopg://newsflow:{PASSWORD}@127.0.0.1:5432"
    if scenario == "in-memory":
        return "sqlite://"
    (tmp_path / "empty.sqlite3").touch()
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="newsflow")


def assert_one_line_error(result: Result, *expected: str) -> str:
    """Exit code 1, one `newsflow: error:` line on stderr naming ``expected``, nothing leaked."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("newsflow: error: "), lines[0]
    assert "Traceback" not in result.output
    assert PASSWORD not in result.output
    for phrase in expected:
        assert phrase in lines[0]
    return lines[0]


def test_every_command_has_a_row_in_the_table() -> None:
    assert sorted(COMMANDS) == sorted(CASES), "add the new command's minimal arguments to CASES"


@pytest.mark.parametrize(("command", "scenario"), list(_matrix()))
def test_broken_database_is_one_line_without_password(
    command: str, scenario: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = _broken_url(scenario, request, tmp_path)
    result = _run("--database-url", url, *command.split(), *CASES.get(command, Case()).args)
    line = assert_one_line_error(result, BROKEN[scenario])
    if "sqlite" not in url:
        assert ":***@" in line  # the URL is shown, its password masked


@pytest.mark.parametrize("command", ["db upgrade", "ingest", "export"])
@pytest.mark.parametrize("slash", ["", "/"])
def test_a_server_url_without_a_database_is_refused(command: str, slash: str) -> None:
    url = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:5432{slash}"
    result = _run("--database-url", url, *command.split(), *CASES[command].args)
    assert result.stderr == (
        f"newsflow: error: database URL postgresql+psycopg://postgres:***@127.0.0.1:5432{slash}"
        " names no database, so the server's default one would be used: add its name, e.g. "
        "postgresql+psycopg://postgres:***@127.0.0.1:5432/newsflow\n"
    )
    assert result.exit_code == 1


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_is_refused(url: str) -> None:
    result = _run("--database-url", url, "db", "upgrade")
    assert result.stderr == (
        f"newsflow: error: database URL {url} is an in-memory SQLite database, which keeps "
        "nothing: name a file, e.g. sqlite:///var/newsflow.sqlite3\n"
    )
    assert result.exit_code == 1


@pytest.mark.parametrize("command", ["db current", "db upgrade", "db downgrade"])
def test_database_commands_work_on_an_unmigrated_database(command: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = _run("--database-url", url, *command.split(), *CASES[command].args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(("base", "database at revision"))


def test_the_advice_works_after_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    assert_one_line_error(_run("--database-url", url, "status"), "run `newsflow db upgrade`")
    assert _run("--database-url", url, "db", "upgrade").exit_code == 0
    result = _run("--database-url", url, "status")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("source  articles  last run")


def test_commands_without_a_database_ignore_a_broken_one(down_url: str) -> None:
    result = _run("--database-url", down_url, "sources", "list")
    assert result.exit_code == 0, result.output
    assert "sana-en" in result.stdout


AGENCY = """\
id = "extra"
name = "Agence Extra, télégraphique"
homepage = "https://extra.example/"
timezone = "UTC"
domains = ["extra.example"]
"""


@pytest.mark.parametrize(
    "args",
    [
        ("sources", "list"),
        ("ingest", "sana-en"),
        ("sources", "check", "newsflow/registry/agencies"),
    ],
)
def test_a_registry_file_not_in_utf8_is_one_line_naming_it(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, down_url: str
) -> None:
    path = tmp_path / "extra.toml"
    path.write_bytes(AGENCY.encode("latin-1"))
    monkeypatch.setenv("NEWSFLOW_REGISTRY_PATH", str(tmp_path))
    result = _run("--database-url", down_url, *args)
    assert result.stderr == (
        f"newsflow: error: {path}: not UTF-8 (byte 0xe9 on line 2); agency files are UTF-8 TOML\n"
    )
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ("sources", "list"),
        ("ingest", "sana-en"),
        ("sources", "check", "newsflow/registry/agencies"),
    ],
)
def test_a_missing_registry_directory_is_one_line_naming_it(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, down_url: str
) -> None:
    missing = tmp_path / "agencies"
    monkeypatch.setenv("NEWSFLOW_REGISTRY_PATH", os.pathsep.join([str(tmp_path), str(missing)]))
    result = _run("--database-url", down_url, *args)
    assert result.stderr == (
        f"newsflow: error: NEWSFLOW_REGISTRY_PATH lists {missing}, which does not exist\n"
    )
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgres://newsflow:{PASSWORD}@127.0.0.1/newsflow", "malformed database URL"),
        (f"mysql://newsflow:{PASSWORD}@127.0.0.1/newsflow", "no driver installed for mysql://"),
        ("not a url at all", "malformed database URL"),
    ],
)
def test_other_unusable_urls_are_one_line(url: str, expected: str) -> None:
    assert_one_line_error(_run("--database-url", url, "status"), expected)


@pytest.mark.parametrize("args", [("status",), ("ingest", "sana-en")])
def test_installed_command_reports_one_line(args: tuple[str, ...], down_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NEWSFLOW_DATABASE_URL"}
    newsflow = Path(sys.executable).with_name("newsflow")
    done = subprocess.run(
        [str(newsflow), "--database-url", down_url, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()], done.stderr
    assert done.stderr.startswith("newsflow: error: database postgresql+psycopg://newsflow:***@")
    assert PASSWORD not in done.stdout + done.stderr


def test_replay_on_a_busy_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("replay", "--port", str(port))
    assert_one_line_error(result, f"cannot serve on 127.0.0.1:{port}", "Address already in use")


def test_replay_port_out_of_range() -> None:
    assert_one_line_error(_run("replay", "--port", "99999"), "'--port'", "99999")


def test_upgrade_to_an_unknown_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    result = _run("--database-url", url, "db", "upgrade", "nosuchrev")
    assert_one_line_error(result, "Can't locate revision identified by 'nosuchrev'")


def test_demo_rejects_an_unknown_source_before_touching_the_database(tmp_path: Path) -> None:
    database = tmp_path / "newsflow.sqlite3"
    result = _run("--database-url", f"sqlite:///{database}", "demo", "--sources", "sana-en,nosuch")
    assert_one_line_error(result, "unknown source 'nosuch'", "sana-ar")
    assert not database.exists()


def _takes(command: click.Command, kinds: tuple[type, ...]) -> click.Parameter | None:
    return next((p for p in command.params if isinstance(p.type, kinds)), None)


DATED = sorted(n for n, c in COMMANDS.items() if any(p.name == "since" for p in c.params))
SOURCED = sorted(n for n, c in COMMANDS.items() if _takes(c, (SourceType, SourceListType)))


def test_the_checked_parameters_cover_the_expected_commands() -> None:
    assert DATED == ["backfill", "coverage", "export", "reenrich", "search"]
    assert SOURCED == [
        "backfill",
        "coverage",
        "demo",
        "deploy",
        "export",
        "history",
        "import-warc",
        "ingest",
        "reenrich",
        "reprocess",
        "revisit",
        "runs",
        "search",
        "serve",
    ]


def _dated_args(command: str, since: str, until: str) -> list[str]:
    args = list(CASES[command].args)
    for option in ("--since", "--until"):
        if option in args:
            del args[args.index(option) : args.index(option) + 2]
    return [*command.split(), *args, "--since", since, "--until", until]


@pytest.mark.parametrize("command", DATED)
@pytest.mark.parametrize("since", ["Oct 1", "2016-13-01", "2016-10-32"])
def test_bad_dates_exit_1_before_the_database(command: str, since: str, down_url: str) -> None:
    args = _dated_args(command, since, "2016-10-31")
    result = _run("--database-url", down_url, *args)
    assert_one_line_error(result, f"{since!r} is not a date like 2016-10-01", "'--since'")


@pytest.mark.parametrize("command", DATED)
def test_since_after_until_is_refused(command: str, down_url: str) -> None:
    result = _run("--database-url", down_url, *_dated_args(command, "2016-10-31", "2016-10-01"))
    assert_one_line_error(result, "--since 2016-10-31 is after --until 2016-10-01")


HISTORY = ["backfill", "coverage"]  # windows of crawl history; the other dated ones filter


@pytest.mark.parametrize("command", HISTORY)
@pytest.mark.parametrize(
    ("since", "until", "wrong"),
    [
        ("0001-01-01", "2016-10-01", "--since 0001-01-01"),
        ("1989-12-31", "2016-10-01", "--since 1989-12-31"),
        ("2016-10-01", "9999-12-31", "--until 9999-12-31"),
        ("0001-01-01", "9999-12-31", "--since 0001-01-01"),
    ],
)
def test_history_outside_the_crawlable_days_is_refused(
    command: str, since: str, until: str, wrong: str, down_url: str
) -> None:
    result = _run("--database-url", down_url, *_dated_args(command, since, until))
    assert result.stderr == (
        f"newsflow: error: Invalid value for '--since' / '--until': {wrong} is outside the days "
        f"a crawl can cover: 1990-01-01 to {latest_day()} (tomorrow, UTC) "
        f"(see `newsflow {command} --help`)\n"
    )
    assert result.exit_code == 1


@pytest.mark.parametrize("command", sorted(set(DATED) - set(HISTORY)))
def test_filters_take_the_calendars_ends(command: str, down_url: str) -> None:
    # The dates pass; the command gets as far as the (unreachable) database.
    result = _run("--database-url", down_url, *_dated_args(command, "0001-01-01", "9999-12-31"))
    assert_one_line_error(result, "is unavailable")


@pytest.mark.parametrize("command", SOURCED)
def test_unknown_source_names_the_known_ones(command: str, down_url: str) -> None:
    param = _takes(COMMANDS[command], (SourceType, SourceListType))
    assert param is not None
    args = list(CASES[command].args)
    if isinstance(param, click.Argument):
        args[args.index("sana-en")] = "reuters-en"
    else:
        args += [param.opts[0], "reuters-en"]
    result = _run("--database-url", down_url, *command.split(), *args)
    assert_one_line_error(result, "unknown source 'reuters-en'", "known sources:", "sana-en")


def test_usage_errors_are_one_line() -> None:
    line = assert_one_line_error(_run("status", "--bogus"), "No such option '--bogus'")
    assert line.endswith("(see `newsflow status --help`)")


def test_unexpected_errors_are_one_line_and_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode() -> None:
        raise RuntimeError(f"boom\nwhile reading postgresql://u:{PASSWORD}@db/news")

    monkeypatch.setattr("newsflow.registry.load_registry", explode)
    line = assert_one_line_error(_run("sources", "list"), "unexpected RuntimeError: boom")
    assert "-v" in line


def test_verbose_keeps_an_unexpected_errors_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("newsflow.registry.load_registry", explode)
    result = _run("-v", "sources", "list")
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
    assert result.exc_info is not None
    shown = "".join(traceback.format_exception(*result.exc_info))
    assert "in explode" in shown and "RuntimeError: boom" in shown


def test_scrub_masks_url_keyword_and_configured_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", f"postgresql://u:{PASSWORD}@db/news")
    get_settings.cache_clear()
    message = f"fe_sendauth: host=db password={PASSWORD} and mysql://me:hunter22@x/y; {PASSWORD}"
    assert scrub(message) == "fe_sendauth: host=db password=*** and mysql://me:***@x/y; ***"


def test_coverage_before_any_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    assert _run("--database-url", url, "db", "upgrade").exit_code == 0
    result = _run("--database-url", url, "coverage", "sana-en", *WINDOW)
    assert result.exit_code == 0, result.output
    assert "days with gaps for sana-en, 2016-10-01 to 2016-10-02: 2 of 2 days" in result.stdout
