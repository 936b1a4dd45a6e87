"""Statements SQLite and PostgreSQL spell apart, or that SQLAlchemy types apart, in one place."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, cast

from newsflow.db.models import Base
from sqlalchemy import (
    BigInteger,
    CursorResult,
    Result,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_for(session: Session, model: type[Base]) -> Any:
    """INSERT … ON CONFLICT for the session's dialect (both share the on_conflict API)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def rowcount_of(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE touched."""
    return cast(CursorResult[Any], result).rowcount or 0


def one_of(session: Session, column: Any, values: Sequence[Any], type_: Any = BigInteger) -> Any:
    """``column IN values`` with the list bound as one parameter (thousands of band keys).

    PostgreSQL takes an array (``= ANY``); SQLite reads a JSON array with ``json_each``. Both
    use the column's index, and neither compiles or binds a parameter per value.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(type_)))
    items = func.json_each(bindparam(None, json.dumps(list(values)))).table_valued("value")
    return column.in_(select(items.c.value))


def copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-insert plain rows in the session's transaction: COPY on PostgreSQL."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    driver = session.connection().connection.driver_connection  # psycopg, in this transaction
    assert driver is not None
    cursor = driver.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def one_writer_at_a_time(session: Session, name: str) -> None:
    """Hold the lock ``name`` until this transaction ends: such transactions run in turn.

    PostgreSQL: a transaction-level advisory lock, keyed by the name. SQLite: nothing to do,
    its writers already take turns.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(
            hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
        )
        session.execute(select(func.pg_advisory_xact_lock(key)))
