"""`newsflow export --cursor / --changed-since / --partitioned`, and the recipes of docs/sync.md."""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from newsflow.db import migrate, store
from newsflow.db.changes import CHANGE_VIEW
from newsflow.db.cursors import read_cursor
from newsflow.db.session import session_scope
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from newsflow.article import Article
from newsflow.cli import main
from newsflow.cli.export import write_output
from newsflow.registry import load_registry
from newsflow.settings import REPO_ROOT
from tests.databases import empty_database

SYNC_DOC = (REPO_ROOT / "docs" / "sync.md").read_text(encoding="utf-8")
REAL_FSYNC = os.fsync


@pytest.fixture
def database_url(emptied_database: str) -> str:
    """The module's own database, emptied for each test (tests/conftest.py)."""
    return emptied_database


def _store(url: str, *articles: tuple[int, str]) -> None:
    """Store (number, title) articles of sana-en, published on 2016-10-(17 + number)."""
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        for n, title in articles:
            article = Article(
                url=f"https://sana.sy/en/?p={n}",
                title=title,
                body=f"{title}. Text.",
                source="sana-en" if n < 3 else "tass-en",
                published_at=datetime(2016, 10, 17 + n, 12, 0, tzinfo=UTC),
            )
            store.save_article(session, article, None)


def _export(*args: str) -> Result:
    return CliRunner().invoke(main, ["export", *args], prog_name="newsflow")


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _out(tmp_path: Path) -> Path:
    directory = tmp_path / "out"
    directory.mkdir(exist_ok=True)
    return directory


def test_a_sync_writes_the_changes_then_nothing(database_url: str, tmp_path: Path) -> None:
    _store(database_url, (1, "Story 1"), (2, "Story 2"))
    first = _out(tmp_path) / "1.jsonl"
    result = _export("--cursor", "duck", "-o", str(first))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 2 changed articles to {first}; cursor duck moved\n"
    rows = _jsonl(first)
    assert list(rows[0]) == CHANGE_VIEW.names
    assert [(r["change"], r["title"], r["changes"]) for r in rows] == [
        ("new", "Story 1", ["new"]),
        ("new", "Story 2", ["new"]),
    ]
    assert datetime.fromisoformat(str(rows[0]["changed_at"])).tzinfo == UTC

    second = _out(tmp_path) / "2.jsonl"
    result = _export("--cursor", "duck", "-o", str(second))
    assert result.exit_code == 0, result.output
    assert result.stderr == "no change since cursor duck's last sync; nothing written\n"
    assert not second.exists()

    _store(database_url, (2, "Story 2, corrected"))
    result = _export("--cursor", "duck")  # standard output
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["change"], r["title"], r["version"]) for r in rows] == [
        ("edited", "Story 2, corrected", 2)
    ]


def test_a_failed_write_leaves_the_cursor(database_url: str, tmp_path: Path) -> None:
    _store(database_url, (1, "Story 1"))
    assert _export("--cursor", "duck", "-o", str(_out(tmp_path) / "1.jsonl")).exit_code == 0
    with session_scope(database_url) as session:
        before = read_cursor(session, "duck").position
    _store(database_url, (2, "Story 2"))

    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full here")
    result = _export("--cursor", "duck", "-o", str(full))
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    with session_scope(database_url) as session:
        assert read_cursor(session, "duck").position == before

    again = _out(tmp_path) / "2.jsonl"
    assert _export("--cursor", "duck", "-o", str(again)).exit_code == 0
    assert [r["title"] for r in _jsonl(again)] == ["Story 2"]


def _position(url: str, name: str) -> int:
    with session_scope(url) as session:
        return read_cursor(session, name).position


def _fsyncs(monkeypatch: pytest.MonkeyPatch, url: str, failing: bool = False) -> list[str]:
    """Each fsync as ``file`` or ``folder``, checking the cursor has not moved yet;
    ``failing``: a file's fsync raises EIO, as a disk that lost a write does."""
    synced: list[str] = []
    before = _position(url, "duck")

    def fsync(descriptor: int) -> None:
        kind = "folder" if stat.S_ISDIR(os.fstat(descriptor).st_mode) else "file"
        assert _position(url, "duck") == before, "the cursor moved before the output synced"
        if failing and kind == "file":
            raise OSError(errno.EIO, "Input/output error")
        REAL_FSYNC(descriptor)
        synced.append(kind)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


def test_the_output_is_on_disk_before_the_cursor_moves(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(database_url, (1, "Story 1"), (2, "Story 2"), (3, "Story 3"))
    assert _export("--cursor", "duck", "-o", str(_out(tmp_path) / "0.jsonl")).exit_code == 0
    _store(database_url, (1, "Story 1, corrected"), (3, "Story 3, corrected"))

    # a file, then the folder its rename went into
    synced = _fsyncs(monkeypatch, database_url)
    assert _export("--cursor", "duck", "-o", str(_out(tmp_path) / "1.jsonl")).exit_code == 0
    assert synced == ["file", "folder"]

    # each file and each folder of the partitioned directory, then the folder it went into
    _store(database_url, (1, "Story 1, again"), (3, "Story 3, again"))
    synced = _fsyncs(monkeypatch, database_url)
    target = _out(tmp_path) / "sync-2"
    result = _export("--cursor", "duck", "--format", "parquet", "--partitioned", str(target))
    assert result.exit_code == 0, result.output
    folders = [p for p in target.rglob("*") if p.is_dir()]
    assert sorted(synced) == ["file"] * 2 + ["folder"] * (len(folders) + 2)


def test_a_failed_sync_to_disk_leaves_the_cursor(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(database_url, (1, "Story 1"))
    assert _export("--cursor", "duck", "-o", str(_out(tmp_path) / "0.jsonl")).exit_code == 0
    before = _position(database_url, "duck")
    _store(database_url, (2, "Story 2"))
    _fsyncs(monkeypatch, database_url, failing=True)
    target = _out(tmp_path) / "sync-1"
    for args in (("-o", str(target)), ("--format", "parquet", "--partitioned", str(target))):
        result = _export("--cursor", "duck", *args)
        assert result.exit_code == 1, (args, result.output)
        assert "Input/output error" in result.stderr
        assert _position(database_url, "duck") == before
        assert [p.name for p in _out(tmp_path).iterdir()] == ["0.jsonl"]  # nothing left


def test_standard_output_sent_to_a_file_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    record = {name: None for name in CHANGE_VIEW.names}
    with (tmp_path / "out.jsonl").open("w", encoding="utf-8") as stdout:
        monkeypatch.setattr(sys, "stdout", stdout)
        assert write_output(iter([record]), "jsonl", CHANGE_VIEW, None, None) == 1
        assert synced == [stdout.fileno()]
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8")) == record


def test_changed_since_a_time_as_csv(database_url: str) -> None:
    _store(database_url, (1, "Story 1"), (2, "Story 2"))
    between = datetime.now(UTC)
    _store(database_url, (1, "Story 1, corrected"))
    result = _export("--changed-since", between.isoformat(), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [(r["change"], r["title"], json.loads(r["changes"])) for r in rows] == [
        ("edited", "Story 1, corrected", ["edited"])
    ]
    assert list(rows[0]) == CHANGE_VIEW.names
    assert result.stderr == "wrote 1 changed articles to standard output\n"

    result = _export("--changed-since", "2999-01-01")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "no article changed since 2999-01-01T00:00:00+00:00; nothing written\n"


def test_partitioned_parquet_by_day_and_source(database_url: str, tmp_path: Path) -> None:
    import pyarrow.parquet as pq  # the dev extra has it: a missing one fails, not skips

    _store(database_url, (1, "Story 1"), (2, "Story 2"), (3, "Story 3"))
    target = _out(tmp_path) / "sync-1"
    result = _export("--cursor", "parts", "--format", "parquet", "--partitioned", str(target))
    assert result.exit_code == 0, result.output
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*.parquet"))
    assert files == [
        "day=2016-10-18/source=sana-en/part-0.parquet",
        "day=2016-10-19/source=sana-en/part-0.parquet",
        "day=2016-10-20/source=tass-en/part-0.parquet",
    ]
    table = pq.read_table(target / files[2])
    assert table.column_names == CHANGE_VIEW.names
    row = table.to_pylist()[0]
    assert (row["change"], row["title"], row["source"], row["changes"]) == (
        "new",
        "Story 3",
        "tass-en",
        ["new"],
    )
    assert [p.name for p in target.parent.iterdir()] == ["sync-1"]  # no temporary left

    # a plain export partitions alike; a directory that holds files is never written into
    whole = _out(tmp_path) / "all"
    assert _export("--format", "parquet", "--partitioned", str(whole)).exit_code == 0
    assert sorted(str(p.relative_to(whole)) for p in whole.rglob("*.parquet")) == files
    result = _export("--format", "parquet", "--partitioned", str(whole))
    assert result.exit_code == 1
    assert result.stderr.endswith("exists and is not an empty directory: name a new one\n")


def test_usage_errors_are_one_line(database_url: str, tmp_path: Path) -> None:
    _store(database_url, (1, "Story 1"))
    cases = [
        (("--cursor", "a", "--changed-since", "2026-12-07"), "exclude each other"),
        (("--partitioned", str(tmp_path / "p")), "add --format parquet"),
        (("--cursor", "no spaces"), "is not 1-64 letters"),
        (("--changed-since", "yesterday"), "is not a time like"),
    ]
    for args, message in cases:
        result = _export(*args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert _export("--cursor", "sana", "--source", "sana-en").exit_code == 0
    result = _export("--cursor", "sana", "--source", "tass-en")
    assert result.exit_code == 1
    assert "cursor 'sana' was made with filters sources=['sana-en']" in result.stderr


def _block(name: str) -> str:
    """The fenced block of docs/sync.md after ``<!-- test: name -->``."""
    found = re.search(rf"<!-- test: {name} -->\n```\w+\n(.*?)\n```", SYNC_DOC, re.DOTALL)
    assert found, name
    return found.group(1)


def test_the_duckdb_recipe_merges_syncs(database_url: str, tmp_path: Path) -> None:
    import duckdb  # the dev extra has it: the recipe of docs/sync.md must run

    _store(database_url, (1, "Story 1"), (2, "Story 2"))
    merge = _block("duckdb-merge")
    connection = duckdb.connect(str(tmp_path / "news.duckdb"))
    for batch, change in (("0001", None), ("0002", lambda: _store(database_url, (2, "Fixed")))):
        if change:
            change()
        directory = _out(tmp_path) / batch
        args = ("--cursor", "duckdb", "--format", "parquet", "--partitioned", str(directory))
        assert _export(*args).exit_code == 0
        connection.execute(merge.replace("BATCH", str(directory)))
    rows = connection.execute(
        "SELECT id, title, change, version, published_day FROM articles ORDER BY id"
    ).fetchall()
    assert [row[1:] for row in rows] == [
        ("Story 1", "new", 1, datetime(2016, 10, 18).date()),
        ("Fixed", "edited", 2, datetime(2016, 10, 19).date()),
    ]
    columns = [c[0] for c in connection.execute("DESCRIBE articles").fetchall()]
    assert columns == CHANGE_VIEW.names


def test_the_postgres_table_has_the_columns_of_a_sync() -> None:
    columns = re.findall(
        r"(\w+) (?:text|timestamptz|jsonb|integer|date|double precision|boolean)",
        _block("postgres-table"),
    )
    assert columns == CHANGE_VIEW.names


def test_the_postgres_recipe_loads_syncs(postgres_server_url: str, tmp_path: Path) -> None:
    if shutil.which("psql") is None:
        pytest.skip("no psql here")
    # The recipe reads what a sync wrote: one store, SQLite, is enough.
    database_url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    migrate.upgrade(database_url)
    with empty_database(postgres_server_url, "newsflow_warehouse") as warehouse:
        engine = create_engine(warehouse)
        with engine.begin() as connection:
            connection.execute(text(_block("postgres-table")))
        libpq = (
            make_url(warehouse).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "WAREHOUSE_URL": libpq,
            "NEWSFLOW_DATABASE_URL": database_url,
        }
        script = _block("postgres-sync")
        _store(database_url, (1, "Story 1"), (2, "Story 2"))
        for change in (None, lambda: _store(database_url, (1, "Fixed"))):
            if change:
                change()
            done = subprocess.run(
                ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, timeout=60
            )
            assert done.returncode == 0, done.stderr.decode()
        assert list((tmp_path / "pending").iterdir()) == []  # loaded, then deleted
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT title, change, version, removed, changes, published_day "
                    "FROM news_articles ORDER BY id"
                )
            ).all()
        engine.dispose()
        assert [tuple(r) for r in rows] == [
            ("Fixed", "edited", 2, False, ["edited"], datetime(2016, 10, 18).date()),
            ("Story 2", "new", 1, False, ["new"], datetime(2016, 10, 19).date()),
        ]
