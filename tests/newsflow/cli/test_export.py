"""`newsflow export` writes what is stored, filtered by source and day, as JSONL or CSV."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from db import store
from db.session import session_scope
from newsflow.article import Article
from newsflow.cli import main
from newsflow.registry import load_registry

UTC3 = timezone(timedelta(hours=3))


def _store_two(url: str) -> None:
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        for n, day in ((1, 18), (2, 19)):
            article = Article(
                url=f"https://sana.sy/en/?p={n}",
                title=f"Story {n}",
                body="Text.",
                authors=("Hazem Sabbagh",),
                source="sana-en",
                published_at=datetime(2016, 10, day, 15, 0, tzinfo=UTC3),
                provenance={"published_at": "meta[article:published_time]"},
            )
            store.save_article(session, article, None)


def _export(*args: str) -> Result:
    return CliRunner().invoke(main, ["export", *args], prog_name="newsflow")


def _exports(tmp_path: Path) -> Path:
    # Apart from the SQLite file the fixture keeps in tmp_path.
    directory = tmp_path / "exports"
    directory.mkdir()
    return directory


def test_jsonl_filtered_by_day(database_url: str) -> None:
    _store_two(database_url)
    result = _export("--source", "sana-en", "--since", "2016-10-19")
    assert result.exit_code == 0, result.output
    assert result.stderr == "wrote 1 articles to standard output\n"
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["url"], r["published_at"], r["published_offset_minutes"]) for r in rows] == [
        ("https://sana.sy/en/?p=2", "2016-10-19T12:00:00+00:00", 180)
    ]
    assert rows[0]["authors"] == ["Hazem Sabbagh"]
    assert rows[0]["provenance"] == {"published_at": "meta[article:published_time]"}


def test_csv_keeps_lists_as_json(database_url: str) -> None:
    _store_two(database_url)
    result = _export("--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in rows] == ["Story 1", "Story 2"]
    assert json.loads(rows[0]["authors"]) == ["Hazem Sabbagh"]


def test_file_is_replaced_whole_and_the_count_reported(database_url: str, tmp_path: Path) -> None:
    _store_two(database_url)
    out = _exports(tmp_path) / "out.jsonl"
    out.write_text("yesterday's export\n", encoding="utf-8")
    out.chmod(0o640)
    result = _export("--source", "sana-en", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 2 articles to {out}\n"
    assert result.stdout == ""
    titles = [json.loads(line)["title"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert titles == ["Story 1", "Story 2"]
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)  # the file keeps its permissions
    assert [p.name for p in out.parent.iterdir()] == ["out.jsonl"]  # no temporary file left


def test_nothing_matched_leaves_the_file_and_exits_1(database_url: str, tmp_path: Path) -> None:
    _store_two(database_url)
    out = _exports(tmp_path) / "out.jsonl"
    out.write_text("yesterday's export\n", encoding="utf-8")
    os.utime(out, (1_000_000_000, 1_000_000_000))
    result = _export("--since", "2020-01-01", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsflow: error: no stored article matches; nothing written, {out} left unchanged\n"
    )
    assert out.read_text(encoding="utf-8") == "yesterday's export\n"
    assert out.stat().st_mtime == 1_000_000_000


def test_nothing_matched_creates_no_file(database_url: str, tmp_path: Path) -> None:
    out = _exports(tmp_path) / "out.csv"
    result = _export("--format", "csv", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.endswith(f"{out} not created\n")
    assert list(out.parent.iterdir()) == []
    assert result.stdout == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_device_is_one_line(database_url: str) -> None:
    _store_two(database_url)
    result = _export("-o", "/dev/full")
    assert result.exit_code == 1
    assert result.stderr == "newsflow: error: /dev/full: No space left on device\n"


def test_missing_directory_is_one_line(database_url: str, tmp_path: Path) -> None:
    _store_two(database_url)
    out = tmp_path / "no" / "such" / "out.jsonl"
    result = _export("-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"newsflow: error: {out}: No such file or directory\n"
