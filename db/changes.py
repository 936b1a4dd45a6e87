"""The change log: which article changed, how and when, for incremental exports.

Triggers (migration 0015) append a row to ``article_changes`` inside the writing transaction
whenever an article is stored (``new``), gets a new version (``edited``), is found gone from
its site (``removed``) or found again (``restored``), or what newsflow derives about it
changes (``enriched``: an enricher ran on it, or its duplicate verdict or story changed).
Whoever writes is logged (the crawler, a re-enrich, COPY, hand-run SQL), and a change commits
with its log row or not at all.

**Positions.** An incremental export reads the changes after a position and returns the next
one; the next export starts there. A position must not skip a change that commits late:

* Times cannot be positions. ``changed_at`` (and any time the application writes) is taken
  before the commit, so a transaction that takes a while commits a change dated before a
  position an export already moved past; clocks of several hosts differ, and a backfill
  stores articles seen long ago.
* Log ids cannot be positions on PostgreSQL. A sequence hands out ids when rows are written,
  not when they commit: a transaction that wrote id 100 may commit after another wrote and
  committed id 101, and an export that saw 101 and moved its position there would never emit
  100.
* So on PostgreSQL each log row carries the id of its writing transaction (``txid``, the
  64-bit ``pg_current_xact_id()``, which never wraps), and a position is a transaction
  horizon: every transaction of this database below it has ended (committed or rolled back),
  and every one yet to write will be above it. It is the lowest id of a transaction this
  database still runs as the export reads (or the next id to hand out when none runs).
  Transactions of other databases of the server (``pg_stat_activity``, prepared ones) are
  left out: they never write this log, and a long one would hold every sync back. The
  changes of the transactions in [previous horizon, new horizon) are final when read, so
  each change falls in exactly one export's window. A change committed by a transaction at
  or above the horizon waits for the next export (a write transaction left open holds the
  horizon back: it delays what commits after it, and loses nothing).
* On SQLite one connection writes at a time, and the log's ids (AUTOINCREMENT, never reused)
  are handed out under that write lock: every id at or below the largest committed one is
  committed or will never exist. A position is that largest id.

Either way an export emits a change at least once: a crash after its output was written but
before its cursor moved emits the same changes again (downstream merges by article id).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsflow.db.export import PARTITION_ORDER, Moment, article_filters
from newsflow.db.models import Article, UTCDateTime
from newsflow.db.names import named_articles
from newsflow.db.views import ARTICLE_VIEW, View, ViewColumn, table
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    func,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

NEW, EDITED, REMOVED, RESTORED, ENRICHED = "new", "edited", "removed", "restored", "enriched"
KINDS = (NEW, EDITED, REMOVED, RESTORED, ENRICHED)

# Apart from db.models' metadata: the log is written by triggers only, never through the ORM.
METADATA = MetaData()
ARTICLE_CHANGES = Table(
    "article_changes",
    METADATA,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("article_id", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("txid", BigInteger),  # PostgreSQL: the writing transaction; SQLite: NULL
)

CHANGE_VIEW = View(
    "article_changes",
    "one row per article changed in the export's window: its current article_view row",
    (
        ViewColumn(
            "change",
            "text",
            "`new` (first stored in the window), else the last change: `edited`, `removed`, "
            "`restored` or `enriched`",
        ),
        ViewColumn("changed_at", "timestamp", "when the database recorded the last change, UTC"),
        ViewColumn("changes", "list", "every kind of change in the window, in the order above"),
        *ARTICLE_VIEW.columns,
    ),
)


@dataclass(frozen=True, slots=True)
class Window:
    """The changes an export emits: after ``start`` up to ``end`` (a position), or since a time.

    Positions are dialect-specific (the module's docstring): a transaction horizon on
    PostgreSQL, the last log id on SQLite. ``since`` (a time) is for one-off pulls only.
    """

    start: int | None = None
    end: int | None = None
    since: datetime | None = None
    postgresql: bool = False

    def where(self) -> ColumnElement[bool]:
        """The WHERE term on ``article_changes`` picking this window's rows."""
        log = ARTICLE_CHANGES.c
        if self.since is not None:
            return log.changed_at >= self.since
        assert self.start is not None and self.end is not None
        if self.postgresql:  # transactions in [start, end): all of them ended
            return and_(log.txid >= self.start, log.txid < self.end)
        return and_(log.id > self.start, log.id <= self.end)


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# The lowest transaction this database runs, or the next to start: every transaction below
# it has ended. Another database's transaction is left out only when positively known as such
# (a 32-bit backend_xid, matched to the 64-bit ids of the snapshot); anything unknown counts,
# which can only delay. A standby has no list of running transactions: its xmin stands in.
PG_HORIZON = """
WITH s AS (SELECT pg_current_snapshot() AS snap),
elsewhere AS (
    SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL
      AND datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL
    SELECT transaction::text::bigint FROM pg_prepared_xacts
    WHERE database <> current_database()
)
SELECT CASE WHEN pg_is_in_recovery() THEN pg_snapshot_xmin(snap)::text::bigint
       ELSE LEAST(
           pg_snapshot_xmax(snap)::text::bigint,
           (SELECT min(x::text::bigint) FROM pg_snapshot_xip(snap) AS x
            WHERE x::text::bigint % 4294967296 NOT IN (SELECT xid FROM elsewhere)))
       END
FROM s
"""


def horizon(session: Session) -> int:
    """The position now: below it (PostgreSQL) or up to it (SQLite), every change is final."""
    if is_postgresql(session):
        return int(session.execute(text(PG_HORIZON)).scalar_one())
    latest = select(func.coalesce(func.max(ARTICLE_CHANGES.c.id), 0))
    return int(session.execute(latest).scalar_one())


def window_after(session: Session, position: int) -> Window:
    """The changes after ``position`` (0: all), up to the position now."""
    end = max(horizon(session), position)
    return Window(start=position, end=end, postgresql=is_postgresql(session))


def window_since(since: datetime) -> Window:
    """The changes the database recorded at or after ``since`` (an aware datetime)."""
    if since.tzinfo is None:
        raise ValueError(f"naive datetime {since!r}: pass an aware one")
    return Window(since=since)


def change_select(
    window: Window,
    sources: Sequence[str] = (),
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    include_copies: bool = True,
    name: str | None = None,
    partitioned: bool = False,
) -> Select[Any]:
    """One row per article changed in ``window``: its change flags and its article_view row.

    A copy changes with its original's enrichments (it shows them), so an ``enriched``
    original brings its copies along. Filters are those of ``db.export.article_select``.
    Ordered by last change (``partitioned``: by publication day and source, so a writer
    finishes one partition before the next).
    """
    log = ARTICLE_CHANGES
    picked = (
        select(log.c.id, log.c.article_id, log.c.kind, log.c.changed_at)
        .where(window.where())
        .cte("picked")
    )
    articles = Article.__table__
    copies = (
        select(picked.c.id, articles.c.id.label("article_id"), picked.c.kind, picked.c.changed_at)
        .join(articles, articles.c.duplicate_of_id == picked.c.article_id)
        .where(picked.c.kind == ENRICHED)
    )
    events = union_all(select(picked), copies).subquery("events")
    latest = func.row_number().over(
        partition_by=events.c.article_id, order_by=(events.c.changed_at.desc(), events.c.id.desc())
    )
    ranked = select(events, latest.label("rank")).subquery("ranked")
    flags = [
        func.max(case((ranked.c.kind == kind, 1), else_=0)).label(f"is_{kind}") for kind in KINDS
    ]
    changed = (
        select(
            ranked.c.article_id,
            func.max(ranked.c.changed_at).label("changed_at"),
            func.max(case((ranked.c.rank == 1, ranked.c.kind))).label("last_kind"),
            *flags,
        )
        .group_by(ranked.c.article_id)
        .subquery("changed")
    )
    view = table("article_view")
    flag_columns = [changed.c[f"is_{kind}"] for kind in KINDS]
    query = (
        select(changed.c.changed_at, changed.c.last_kind, *flag_columns, view)
        .join(view, view.c.id == changed.c.article_id)
        .where(*article_filters(sources, language, since, until))
    )
    if not include_copies:
        query = query.where(view.c.duplicate_of.is_(None))
    if name is not None:
        query = query.where(named_articles(view.c.id, name))
    if partitioned:
        return query.order_by(*PARTITION_ORDER)
    return query.order_by(changed.c.changed_at, view.c.id)


def change_records(rows: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows of ``change_select`` as records: ``change``, ``changed_at``, ``changes``, the view's
    columns (CHANGE_VIEW)."""
    for row in rows:
        kinds = [kind for kind in KINDS if row[f"is_{kind}"]]
        record = {
            "change": NEW if NEW in kinds else row["last_kind"],
            "changed_at": row["changed_at"],
            "changes": kinds,
        }
        record.update((column, row[column]) for column in ARTICLE_VIEW.names)
        yield record
