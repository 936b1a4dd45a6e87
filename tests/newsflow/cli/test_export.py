"""`newsflow export` writes what is stored, filtered by source and day, as JSONL or CSV."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from newsflow.db import store
from newsflow.db.session import session_scope

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


def _view_count(url: str) -> int:
    from newsflow.db.views import table
    from sqlalchemy import func, select

    with session_scope(url) as session:
        return session.execute(select(func.count()).select_from(table("article_view"))).scalar_one()


def test_every_format_writes_the_views_rows(seeded: dict[str, int], tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    from newsflow.db.views import ARTICLE_VIEW

    expected = _view_count(os.environ["NEWSFLOW_DATABASE_URL"])
    assert expected == len(seeded)
    out = _exports(tmp_path)
    for fmt in ("jsonl", "csv", "parquet"):
        result = _export("--format", fmt, "-o", str(out / f"all.{fmt}"))
        assert result.exit_code == 0, result.output
        assert result.stderr == f"wrote {expected} articles to {out / f'all.{fmt}'}\n"
    jsonl = [json.loads(line) for line in (out / "all.jsonl").read_text("utf-8").splitlines()]
    with (out / "all.csv").open(encoding="utf-8", newline="") as stream:
        csv_rows = list(csv.DictReader(stream))
    table = pq.read_table(out / "all.parquet")
    assert len(jsonl) == len(csv_rows) == table.num_rows == expected
    assert list(jsonl[0]) == list(csv_rows[0]) == table.column_names == ARTICLE_VIEW.names
    seed = next(r for r in table.to_pylist() if r["url"] == "https://sana.sy/en/?p=92385")
    assert seed["published_at"] == datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    assert seed["authors"] == ["Hazem Sabbagh"] and "SY" in seed["countries"]
    assert json.loads(seed["provenance"])["body"] == "rule:body"
    assert str(table.schema.field("published_day").type) == "date32[day]"


def test_language_and_source_filters(seeded: dict[str, int]) -> None:
    result = _export("--lang", "ar")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == ["sana-ar"]
    result = _export("--source", "tass-en", "--source", "ria-ru", "--until", "2016-12-31")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted((r["source"], r["duplicate_of"] is not None) for r in rows) == [
        ("ria-ru", False),
        ("tass-en", True),  # the planted copy of the seed
    ]


def test_parquet_without_pyarrow_is_one_line(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
    )
    result = _export("--format", "parquet", "-o", str(_exports(tmp_path) / "x.parquet"))
    assert result.exit_code == 1
    assert result.stderr == (
        "newsflow: error: Parquet export needs pyarrow: pip install 'newsflow[parquet]'\n"
    )


@pytest.mark.parametrize(
    "window",
    [
        ("--until", "9999-12-31"),
        ("--since", "0001-01-01"),
        ("--since", "0001-01-01", "--until", "9999-12-31"),
        ("--since", "2016-10-19", "--until", "9999-12-30"),
    ],
)
def test_the_calendars_ends_export_what_they_enclose(
    database_url: str, window: tuple[str, ...]
) -> None:
    _store_two(database_url)
    result = _export(*window)
    assert result.exit_code == 0, result.output
    expected = 1 if "2016-10-19" in window else 2
    assert result.stderr == f"wrote {expected} articles to standard output\n"
