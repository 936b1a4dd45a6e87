"""Rows of ``newsflow.query`` as an Arrow table, a pandas or a Polars DataFrame.

The column types come from the row class's fields, so a column's type never depends on what a
result holds (an integer column with a null stays integer in pandas, as a nullable ``Int64``):

==========================  ==========================  ==================  ==================
field                       Arrow                       pandas              Polars
==========================  ==========================  ==================  ==================
``int``                     ``int64``                   ``Int64``           ``Int64``
``float``                   ``double``                  ``float64``         ``Float64``
``bool``                    ``bool``                    ``boolean``         ``Boolean``
``str``                     ``string``                  ``str``/``object``  ``String``
``date``                    ``date32``                  ``datetime64``      ``Date``
``datetime`` (UTC)          ``timestamp[us, UTC]``      ``datetime64 UTC``  ``Datetime(UTC)``
``tuple[str, ...]``         ``list<string>``            arrays              ``List(String)``
``Mapping`` (provenance)    ``string`` (JSON text)      ``str``             ``String``
==========================  ==========================  ==================  ==================

pyarrow, pandas and Polars are optional (``pip install 'newsflow[frames]'``); a missing one
raises ImportError naming the extra.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["FRAMES_EXTRA", "arrow_schema", "arrow_table", "pandas_frame", "polars_frame"]

FRAMES_EXTRA = "pip install 'newsflow[frames]'"
BATCH = 5_000  # rows per Arrow record batch while a result streams in


def arrow_table(kind: type, records: Iterable[Mapping[str, Any]]) -> pa.Table:
    """The records (one dict per row, keyed by ``kind``'s fields) as an Arrow table."""
    pa = require("pyarrow", "Arrow tables")
    schema = arrow_schema(kind)
    texts = [field.name for field in schema if field.metadata and b"json" in field.metadata]
    batches = [
        pa.RecordBatch.from_pylist(_json_cells(batch, texts), schema=schema)
        for batch in _batches(records)
    ]
    return pa.Table.from_batches(batches, schema=schema)


def pandas_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a pandas DataFrame: nullable integers and booleans, days as datetimes."""
    pd = require("pandas", "pandas DataFrames")
    pa = require("pyarrow", "pandas DataFrames")
    nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=nullable.get, date_as_object=False)


def polars_frame(table: pa.Table) -> pl.DataFrame:
    """An Arrow table as a Polars DataFrame."""
    pl = require("polars", "Polars DataFrames")
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # a table, not an array, gives a frame
    return frame


@cache
def arrow_schema(kind: type) -> pa.Schema:
    """The Arrow schema of a row dataclass: one field per dataclass field, in order."""
    pa = require("pyarrow", "Arrow tables")
    hints = typing.get_type_hints(kind)
    fields = []
    for field in dataclasses.fields(kind):
        arrow_type, is_json = _arrow_type(pa, hints[field.name])
        fields.append(pa.field(field.name, arrow_type, metadata={"json": "1"} if is_json else None))
    return pa.schema(fields)


def require(module: str, what: str) -> Any:
    """Import an optional package, or raise ImportError saying which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{what} need {module}: {FRAMES_EXTRA}") from exc


def _arrow_type(pa: Any, hint: Any) -> tuple[Any, bool]:
    """The Arrow type of a field's annotation, and whether its values travel as JSON text."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        [hint] = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    origin = typing.get_origin(hint) or hint
    if origin is tuple or origin is list:
        return pa.list_(pa.string()), False
    if isinstance(origin, type) and issubclass(origin, Mapping):
        return pa.string(), True
    simple = {
        bool: pa.bool_(),
        int: pa.int64(),
        float: pa.float64(),
        str: pa.string(),
        datetime: pa.timestamp("us", tz="UTC"),
        date: pa.date32(),
    }
    if hint in simple:
        return simple[hint], False
    raise TypeError(f"no Arrow type for {hint!r}")


def _batches(records: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _json_cells(batch: list[Mapping[str, Any]], names: list[str]) -> list[Mapping[str, Any]]:
    if not names:
        return batch
    return [
        {
            **record,
            **{
                name: None if record[name] is None else json.dumps(record[name], ensure_ascii=False)
                for name in names
            },
        }
        for record in batch
    ]
