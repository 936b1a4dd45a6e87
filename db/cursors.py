"""Sync cursors: named positions in the change log, moved only once an export was written.

``sync`` reads a cursor's position, hands the changes after it to a writer, and moves the
cursor to the window's end only when the writer returned (all written): a crash or a failed
write leaves the cursor where it was, and the next sync emits those changes again. The move
is a compare-and-set, so two syncs of one cursor at once cannot both move it: the second is
told (CursorMoved), and its output repeats changes rather than skipping any.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from newsflow.db.changes import Window, change_records, change_select, window_after
from newsflow.db.dialect import insert_for, rowcount_of
from newsflow.db.export import stream
from newsflow.db.models import SyncCursor
from newsflow.db.session import session_scope
from sqlalchemy import update
from sqlalchemy.orm import Session

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
NAME_RULE = "1-64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit"


class CursorError(ValueError):
    """A cursor name that cannot be one, or a cursor resumed with other filters."""


class CursorMoved(RuntimeError):
    """Another sync moved the cursor while this one wrote; this one left it there."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """A cursor as stored; a new one (``stored`` False) starts at the log's beginning."""

    name: str
    position: int = 0
    filters: dict[str, Any] = field(default_factory=dict)
    stored: bool = False


@dataclass(frozen=True, slots=True)
class Synced:
    """What a sync did: records written, and its window (the cursor moved to its end)."""

    count: int
    window: Window


def check_name(name: str) -> str:
    """The name, or CursorError saying what a name may hold."""
    if not NAME.fullmatch(name):
        raise CursorError(f"cursor name {name!r} is not {NAME_RULE}")
    return name


def stored_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters as a cursor keeps them: set ones only, days as ISO text, sources sorted."""
    kept: dict[str, Any] = {}
    for key, value in sorted(filters.items()):
        if value is None or value == [] or value == ():
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = sorted(value)
        kept[key] = value
    return kept


def read_cursor(session: Session, name: str) -> Cursor:
    """The cursor of this name, or a new one at position 0."""
    row = session.get(SyncCursor, check_name(name))
    if row is None:
        return Cursor(name)
    return Cursor(name, row.position, dict(row.filters or {}), stored=True)


def advance(
    session: Session,
    cursor: Cursor,
    position: int,
    emitted: int,
) -> bool:
    """Move the cursor from where it was read to ``position``; False if it moved meanwhile."""
    now = datetime.now(UTC)
    if not cursor.stored:
        values = {
            "name": cursor.name,
            "position": position,
            "filters": cursor.filters,
            "created_at": now,
            "synced_at": now,
            "emitted": emitted,
        }
        stmt = insert_for(session, SyncCursor).values(**values).on_conflict_do_nothing()
        # RETURNING, not rowcount: drivers need not count the rows of an INSERT.
        made = session.execute(stmt.returning(SyncCursor.name)).scalar_one_or_none()
        return made is not None
    moved = session.execute(
        update(SyncCursor)
        .where(SyncCursor.name == cursor.name, SyncCursor.position == cursor.position)
        .values(position=position, synced_at=now, emitted=emitted)
    )
    return rowcount_of(moved) == 1


def sync(
    name: str,
    filters: Mapping[str, Any],
    write: Callable[[Iterator[dict[str, Any]]], int],
    url: str | None = None,
    partitioned: bool = False,
) -> Synced:
    """Hand the changes after cursor ``name`` to ``write``; then, and only then, move it.

    ``filters`` are ``change_select``'s keyword arguments; a stored cursor must be resumed
    with the filters it was made with (CursorError). ``write`` gets the records (CHANGE_VIEW
    columns) and returns how many it wrote; whatever it raises leaves the cursor unmoved.
    """
    wanted = stored_filters(filters)
    with session_scope(url) as session:
        cursor = read_cursor(session, name)
        if cursor.stored and cursor.filters != wanted:
            raise CursorError(
                f"cursor {name!r} was made with filters {_shown(cursor.filters)}, not "
                f"{_shown(wanted)}: pass the same ones, or name a new cursor"
            )
        cursor = replace(cursor, filters=wanted)
        window = window_after(session, cursor.position)
        query = change_select(window, partitioned=partitioned, **filters)
        count = write(change_records(stream(session, query)))
    assert window.end is not None
    with session_scope(url) as session:
        if not advance(session, cursor, window.end, count):
            raise CursorMoved(
                f"cursor {name!r} was moved by another sync while this one wrote: it stays "
                "where that one put it, and this output repeats changes that one emitted"
            )
    return Synced(count, window)


def _shown(filters: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in filters.items()) or "none"
