"""Export windows: a day bounds whole UTC days, up to the calendar's first and last day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from newsflow.db import store
from newsflow.db.export import article_select, instant, stream, write_partitioned
from newsflow.db.session import session_scope
from newsflow.db.views import View, ViewColumn, table
from sqlalchemy import select

from newsflow.article import Article
from newsflow.registry import load_registry

PUBLISHED = datetime(2016, 10, 19, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "after", "expected"),
    [
        (date(2016, 10, 19), False, datetime(2016, 10, 19, tzinfo=UTC)),
        (date(2016, 10, 19), True, datetime(2016, 10, 20, tzinfo=UTC)),
        (date.min, False, datetime.min.replace(tzinfo=UTC)),
        (date.max, False, datetime(9999, 12, 31, tzinfo=UTC)),
        (date.max, True, datetime.max.replace(tzinfo=UTC)),  # no day after it to start
    ],
)
def test_instant_of_a_day(day: date, after: bool, expected: datetime) -> None:
    assert instant(day, after=after) == expected


def _store_one(url: str) -> None:
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        article = Article(
            url="https://sana.sy/en/?p=1",
            title="Story",
            body="Text.",
            source="sana-en",
            published_at=PUBLISHED,
        )
        store.save_article(session, article, None)


@pytest.mark.parametrize(
    ("since", "until", "found"),
    [
        (date.min, date.max, 1),
        (None, date.max, 1),
        (date.min, None, 1),
        (date(2016, 10, 20), date.max, 0),
        (date.min, date(2016, 10, 18), 0),
        (date(9999, 12, 30), date.max, 0),
    ],
)
def test_the_calendars_ends_are_windows_like_any_other(
    database_url: str, since: date | None, until: date | None, found: int
) -> None:
    _store_one(database_url)
    with session_scope(database_url) as session:
        rows = list(stream(session, article_select(since=since, until=until)))
    assert len(rows) == found


def test_the_stand_in_for_the_day_after_the_last_binds(database_url: str) -> None:
    # Callers that take instant() directly (search) compare with it in SQL.
    _store_one(database_url)
    view = table("article_view")
    end = instant(date.max, after=True)
    with session_scope(database_url) as session:
        urls = session.execute(select(view.c.url).where(view.c.published_at < end)).scalars()
        assert list(urls) == ["https://sana.sy/en/?p=1"]


def test_a_partition_met_again_gets_its_next_part(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    view = View(
        "parts",
        "a row",
        (
            ViewColumn("id", "integer", ""),
            ViewColumn("published_day", "date", ""),
            ViewColumn("source", "text", ""),
        ),
    )
    day = date(2016, 10, 19)
    records = [
        {"id": 1, "published_day": day, "source": "sana-en"},
        {"id": 2, "published_day": day, "source": "sana-en"},
        {"id": 3, "published_day": None, "source": "a/../b"},
        {"id": 4, "published_day": day, "source": "sana-en"},
    ]
    assert write_partitioned(tmp_path, iter(records), view, row_group=1) == 4
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.parquet"))
    assert files == [
        "day=2016-10-19/source=sana-en/part-0.parquet",
        "day=2016-10-19/source=sana-en/part-1.parquet",
        "day=__HIVE_DEFAULT_PARTITION__/source=a%2F..%2Fb/part-0.parquet",
    ]
    ids = [pq.read_table(tmp_path / name).column("id").to_pylist() for name in files]
    assert ids == [[1, 2], [4], [3]]
    assert pq.ParquetFile(tmp_path / files[0]).metadata.num_row_groups == 2
