"""Rows of the views for downstream tools, streamed in batches so memory stays flat.

Reads go through the views (db.views), never the tables: what an export or the read API
returns is the documented contract. Writers take an iterator of records and hold at most one
batch (JSON Lines, CSV: one row; Parquet: one row group) in memory. A partitioned Parquet
export (``write_partitioned``) is one file per publication day and source, hive-style.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, TextIO
from urllib.parse import quote

from newsflow.db.names import named_articles
from newsflow.db.views import ARTICLE_VIEW, View, table
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

COLUMNS = tuple(ARTICLE_VIEW.names)
ROW_GROUP = 5_000  # rows per Parquet row group, and per fetch from the database
PARQUET_HINT = "Parquet export needs pyarrow: pip install 'newsflow[parquet]'"
Moment = date | datetime
# Hive's name for a partition whose value is NULL (an undated article's day), as pyarrow,
# Spark and DuckDB write and read it.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
# Rows grouped by partition (write_partitioned): publication day, then source.
PARTITION_ORDER = tuple(table("article_view").c[name] for name in ("published_day", "source", "id"))


def article_select(
    sources: Sequence[str] = (),
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    include_copies: bool = True,
    story: int | None = None,
    name: str | None = None,
    partitioned: bool = False,
) -> Select[Any]:
    """article_view rows, oldest first, narrowed by source, language, window, copies, story
    and a person's or organisation's name in any script (db.names).

    A day bounds the window by whole UTC days (``until`` inclusive); a datetime is an instant
    (``until`` exclusive). A name without letters raises ValueError. ``partitioned``: ordered
    by publication day and source instead, as ``write_partitioned`` wants them.
    """
    view = table("article_view")
    query = select(view).where(*article_filters(sources, language, since, until))
    if partitioned:
        query = query.order_by(*PARTITION_ORDER)
    else:
        query = query.order_by(view.c.published_at, view.c.id)
    if not include_copies:
        query = query.where(view.c.duplicate_of.is_(None))
    if story is not None:
        members = table("story_articles")
        query = query.where(
            view.c.id.in_(select(members.c.article_id).where(members.c.story_id == story))
        )
    if name is not None:
        query = query.where(named_articles(view.c.id, name))
    return query


def article_filters(
    sources: Sequence[str] = (),
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
) -> list[ColumnElement[bool]]:
    """WHERE terms on article_view for a source list, a language and a publication window."""
    view = table("article_view")
    terms: list[ColumnElement[bool]] = []
    if sources:
        terms.append(view.c.source.in_(list(sources)))
    if language:
        terms.append(view.c.language == language)
    if since is not None:
        terms.append(view.c.published_at >= instant(since))
    if until is not None and until != date.max:  # nothing is published after the last day
        terms.append(view.c.published_at < instant(until, after=True))
    return terms


def instant(moment: Moment, after: bool = False) -> datetime:
    """A window bound as an instant: a day's start (``after``: the next day's), or as given.

    The day after 9999-12-31 does not exist: its last instant stands in (nothing is later).
    """
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError(f"naive datetime {moment!r}: pass an aware one or a date")
        return moment
    if after and moment == date.max:
        return datetime.max.replace(tzinfo=UTC)
    day = moment + timedelta(days=1) if after else moment
    return datetime.combine(day, time.min, UTC)


def stream(
    session: Session, query: Select[Any], batch: int = ROW_GROUP
) -> Iterator[dict[str, Any]]:
    """The query's rows as dicts of Python values, fetched ``batch`` at a time.

    On PostgreSQL ``yield_per`` uses a server-side cursor, so the whole result is never held.
    """
    result = session.execute(query.execution_options(yield_per=batch))
    for row in result.mappings():
        yield dict(row)


def json_ready(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record with times and days as ISO 8601 strings (UTC times carry +00:00)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in record.items()}


def write_jsonl(stream_: TextIO, records: Iterable[Mapping[str, Any]]) -> int:
    """One JSON object per line; returns how many were written."""
    count = 0
    for record in records:
        stream_.write(json.dumps(json_ready(record), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(
    stream_: TextIO, records: Iterable[Mapping[str, Any]], columns: Sequence[str] = COLUMNS
) -> int:
    """A header, then one row per record; lists and objects as JSON in their cell."""
    writer = csv.DictWriter(stream_, fieldnames=list(columns))
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({k: _cell(v) for k, v in json_ready(record).items()})
        count += 1
    return count


def _cell(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def write_parquet(
    sink: IO[bytes],
    records: Iterable[Mapping[str, Any]],
    view: View = ARTICLE_VIEW,
    row_group: int = ROW_GROUP,
) -> int:
    """Parquet with the view's column types, one row group per ``row_group`` records."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError(PARQUET_HINT) from exc
    schema = parquet_schema(view)
    objects = [c.name for c in view.columns if c.type == "json"]
    count = 0
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        for rows in _batches(records, row_group):
            for row in rows:
                for name in objects:
                    row[name] = None if row[name] is None else json.dumps(row[name])
            writer.write_table(pa.Table.from_pylist(rows, schema), row_group_size=row_group)
            count += len(rows)
    return count


def partition_of(record: Mapping[str, Any]) -> tuple[str, str]:
    """The relative directory of a record's partition: ``day=YYYY-MM-DD``, ``source=x``.

    The day is the agency-local publication day (``published_day``); values are escaped as
    Hive escapes them, so a path never leaves its partition.
    """
    day, source = record.get("published_day"), record.get("source")
    return (
        f"day={NULL_PARTITION if day is None else quote(str(day), safe='')}",
        f"source={NULL_PARTITION if source is None else quote(str(source), safe='')}",
    )


def write_partitioned(
    directory: Path,
    records: Iterable[Mapping[str, Any]],
    view: View = ARTICLE_VIEW,
    row_group: int = ROW_GROUP,
) -> int:
    """Hive-partitioned Parquet under ``directory``: ``day=YYYY-MM-DD/source=x/part-0.parquet``.

    Each file has all of the view's columns (``source`` too; ``day`` is ``published_day``).
    Records should come grouped by partition (``PARTITION_ORDER``): one file is open at a
    time, holding at most one row group. A partition met again after another one gets its
    next part (``part-1.parquet``), so nothing is overwritten whatever the order.
    """
    parts: dict[tuple[str, str], int] = {}
    count = 0
    for key, rows in itertools.groupby(records, partition_of):
        part = parts[key] = parts.get(key, -1) + 1
        folder = directory.joinpath(*key)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"part-{part}.parquet").open("xb") as sink:
            count += write_parquet(sink, rows, view, row_group)
    return count


def parquet_schema(view: View = ARTICLE_VIEW) -> Any:
    """The pyarrow schema of a view: its columns in order, typed as described."""
    import pyarrow as pa

    types = {
        "integer": pa.int64(),
        "float": pa.float64(),
        "text": pa.string(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "list": pa.list_(pa.string()),
        "json": pa.string(),  # JSON text: objects differ in keys from row to row
    }
    return pa.schema([pa.field(c.name, types[c.type]) for c in view.columns])


def _batches(records: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(dict(record))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
