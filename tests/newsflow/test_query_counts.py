"""newsflow.query: count and timeline, results as Arrow, pandas and Polars, checked arguments.

The store is tests/db/test_timeline.py's: nine articles with known dates, one copy, one
undated, one in French.
"""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, date, datetime

import pytest

from newsflow import query
from newsflow.registry import UnknownSourceError
from tests.db.test_timeline import COPY, store_timeline_articles


@pytest.fixture
def stored(database_url: str) -> dict[str, int]:
    return store_timeline_articles(database_url)


def test_count_and_timeline(stored: dict[str, int]) -> None:
    assert query.count("Aleppo") == 8  # copies and the undated one included
    assert query.count("Aleppo", source="xinhua-en") == 2
    assert query.count("Aleppo", source=["sana-en", "sana-fr"], language="fr") == 1
    assert query.count("Aleppo", since="2016-10-19", until="2016-10-19") == 4
    assert query.count("Aleppo", since="2016-10-19T12:00:00Z") == 5  # an instant
    assert query.count("Aleppo", since=datetime(2016, 10, 24, tzinfo=UTC)) == 2

    weeks = query.timeline("Aleppo", by="week", per="agency", since="2016-10-17")
    assert isinstance(weeks, list) and isinstance(weeks[0], query.PeriodCount)
    assert [(p.period, p.agency, p.articles, p.originals) for p in weeks if p.articles] == [
        (date(2016, 10, 17), "sana", 3, 3),
        (date(2016, 10, 17), "tass", 2, 1),
        (date(2016, 10, 24), "xinhua", 1, 1),
        (date(2016, 10, 31), "xinhua", 1, 1),
    ]
    assert len(weeks) == 3 * 3  # three weeks, three agencies: the zeros are there too
    with pytest.raises(dataclasses.FrozenInstanceError):
        weeks[0].articles = 1  # type: ignore[misc]
    days = query.timeline("Aleppo", since=date(2016, 10, 18), until=date(2016, 10, 19))
    assert [(p.period, p.source, p.agency, p.articles) for p in days] == [
        (date(2016, 10, 18), None, None, 0),
        (date(2016, 10, 19), None, None, 4),
    ]


def test_results_convert_to_arrow_pandas_and_polars(stored: dict[str, int]) -> None:
    import pyarrow as pa

    months = query.timeline("Aleppo", by="month", per="source")
    table = months.to_arrow()
    assert table.schema.names == ["period", "source", "agency", "articles", "originals"]
    assert table.schema.field("period").type == pa.date32()
    assert table.schema.field("articles").type == pa.int64()
    assert table.num_rows == 2 * 4  # October and November, four sources
    assert sum(table.column("articles").to_pylist()) == 7  # every dated match

    frame = months.to_pandas()
    assert str(frame["articles"].dtype) == "Int64" and frame["period"].dtype.kind == "M"
    october = frame[frame["period"] == "2016-10-01"].set_index("source")["articles"]
    assert october.to_dict() == {"sana-en": 2, "sana-fr": 1, "tass-en": 2, "xinhua-en": 1}

    import polars as pl

    polars = months.to_polars()
    assert polars.schema["period"] == pl.Date and polars.schema["articles"] == pl.Int64
    assert polars.filter(pl.col("agency") == "xinhua")["articles"].to_list() == [1, 1]

    articles = query.articles(source="tass-en", include_copies=True)
    first = next(articles)  # streamed: the rest converts
    assert (first.url, first.duplicate_of) == (COPY, stored["https://sana.sy/en/2"])
    rest = articles.to_arrow()
    assert rest.column("url").to_pylist() == ["https://tass.com/3"]
    assert rest.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert rest.schema.field("authors").type == pa.list_(pa.string())
    assert rest.column("duplicate_of").to_pylist() == [None]
    frame = query.articles(source="sana-en").to_pandas()
    assert str(frame["duplicate_of"].dtype) == "Int64"  # nullable, not float
    assert frame["provenance"].tolist() == ["{}"] * 4  # objects as JSON text
    hits = query.search("Aleppo", all_copies=True, limit=3).to_polars()
    assert hits.height == 3 and hits.columns[:2] == ["id", "source"]
    health = query.source_health().to_pandas()
    assert "sana-en" in set(health["source"])
    counts = query.daily_counts(source="xinhua-en", since="2016-10-01").to_arrow()
    assert counts.column("articles").to_pylist() == [1, 1]


@pytest.mark.parametrize(
    ("module", "method", "named"),
    [("pandas", "to_pandas", "pandas"), ("polars", "to_polars", "polars")],
)
def test_a_missing_frame_library_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, module: str, method: str, named: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import fails as when not installed
    rows = query.RowList(
        query.PeriodCount, [query.PeriodCount(date(2016, 10, 1), None, None, 1, 1)]
    )
    with pytest.raises(ImportError, match=rf"need {named}: pip install 'newsflow\[frames\]'"):
        getattr(rows, method)()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"need pyarrow: pip install 'newsflow\[frames\]'"):
        rows.to_arrow()


@pytest.mark.parametrize(
    ("since", "message"),
    [
        (20161001, r"since=20161001: pass a date, an aware datetime or an ISO 8601 string"),
        ("01/10/2016", r"since='01/10/2016' is not an ISO 8601 day or instant"),
        ("2016-10-01T12:00", r"since='2016-10-01T12:00' has no UTC offset"),
        (datetime(2016, 10, 1), r"since: naive datetime"),
    ],
)
def test_bad_dates_are_a_value_error(since: object, message: str) -> None:
    for call in (
        lambda: query.count("Aleppo", since=since),  # type: ignore[arg-type]
        lambda: query.timeline("Aleppo", since=since),  # type: ignore[arg-type]
        lambda: query.articles(since=since),  # type: ignore[arg-type]
        lambda: query.search("Aleppo", since=since),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError, match=message):
            call()


def test_other_bad_arguments_are_refused_before_the_database() -> None:
    with pytest.raises(ValueError, match="since 2016-10-02 is after until 2016-10-01"):
        query.count("Aleppo", since="2016-10-02", until="2016-10-01")
    with pytest.raises(ValueError, match="leave no time"):
        query.count("Aleppo", since="2016-10-02T00:00Z", until="2016-10-02T00:00Z")
    with pytest.raises(ValueError, match="daily counts take days"):
        query.daily_counts(since="2016-10-01T00:00:00Z")
    with pytest.raises(ValueError, match="count by day, week, month"):
        query.timeline("Aleppo", by="year")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="source=3"):
        query.count("Aleppo", source=3)  # type: ignore[arg-type]


def test_an_unknown_source_raises_listing_the_known_ones(database_url: str) -> None:
    for call in (
        lambda: query.count("Aleppo", source="nosuch-en"),
        lambda: query.timeline("Aleppo", source=["sana-en", "nosuch-en"]),
        lambda: query.articles(source="nosuch-en"),
        lambda: query.daily_counts(source="nosuch-en"),
        lambda: query.search("Aleppo", source="nosuch-en"),
    ):
        with pytest.raises(
            UnknownSourceError, match=r"unknown source 'nosuch-en'; known .*sana-en"
        ):
            call()
