"""`newsflow export` writes what is stored, filtered by source and day, as JSONL or CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

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


def test_jsonl_filtered_by_day(database_url: str) -> None:
    _store_two(database_url)
    result = CliRunner().invoke(main, ["export", "--source", "sana-en", "--since", "2016-10-19"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["url"], r["published_at"], r["published_offset_minutes"]) for r in rows] == [
        ("https://sana.sy/en/?p=2", "2016-10-19T12:00:00+00:00", 180)
    ]
    assert rows[0]["authors"] == ["Hazem Sabbagh"]
    assert rows[0]["provenance"] == {"published_at": "meta[article:published_time]"}


def test_csv_keeps_lists_as_json(database_url: str) -> None:
    _store_two(database_url)
    result = CliRunner().invoke(main, ["export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["title"] for r in rows] == ["Story 1", "Story 2"]
    assert json.loads(rows[0]["authors"]) == ["Hazem Sabbagh"]
