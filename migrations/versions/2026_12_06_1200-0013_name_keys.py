"""name keys: enrichments.key, one key for a name in Latin, Cyrillic and Arabic script

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 12:00:00+00:00

Dmitry Peskov, Дмитрий Песков and ديمتري بيسكوف are one person: ``enrichments.key`` holds the
key they share (``newsflow.enrichment.keys.name_key``: ``bskf dmtr``, surname first), indexed
with the kind, so a query by name in any script finds the stories of all three languages, and
a query by surname reads a range of the index. On PostgreSQL the column compares bytes
(``COLLATE "C"``), as SQLite does: a locale's order ignores the spaces that range relies on.

Person and organisation rows stored before get their key here, computed from their value in
batches, so an existing database can be queried by name at once. The column is added in place
(no table copy, so SQLite keeps the views of 0008 valid); the view article_enrichments, which
lists its columns, gets the key at its end (PostgreSQL: replaced in place, so grants on it stay).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_KINDS = ("person", "organisation")
BATCH = 2000  # rows read and updated per statement: memory stays flat however many are stored
INDEX = "ix_enrichments_kind_key"
# The view of 0006, with {key} at its end.
VIEW = """
{create} VIEW article_enrichments AS
SELECT a.id AS article_id, a.source_id, a.published_at, e.enricher, e.version, e.kind,
       e.value, e.label, e.start_offset, e.end_offset, e.evidence, e.score,
       e.article_id AS enriched_article_id{key}
FROM articles a
JOIN enrichments e ON e.article_id = COALESCE(a.duplicate_of_id, a.id)
"""
_ENRICHMENTS = sa.table(
    "enrichments", sa.column("id"), sa.column("kind"), sa.column("value"), sa.column("key")
)


def upgrade() -> None:
    collation = "C" if _postgres() else None
    op.add_column(
        "enrichments", sa.Column("key", sa.String(length=200, collation=collation), nullable=True)
    )
    backfill(op.get_bind())
    # Built after the backfill: one sort of the keys rather than an index entry per update.
    # Partial (models.py says why); a comparison on key implies it is not null, so name
    # queries still use it.
    keyed = sa.text("key IS NOT NULL")
    op.create_index(
        INDEX,
        "enrichments",
        ["kind", "key", "article_id"],
        postgresql_where=keyed,
        sqlite_where=keyed,
    )
    if _postgres():
        op.execute(VIEW.format(create="CREATE OR REPLACE", key=", e.key AS key"))
    else:
        op.execute("DROP VIEW article_enrichments")
        op.execute(VIEW.format(create="CREATE", key=", e.key AS key"))


def backfill(connection: sa.Connection, batch: int = BATCH) -> int:
    """Give every person and organisation row without a key its key; how many got one.

    Rows are read in id order, ``batch`` at a time, and updated in one executemany each.
    """
    rows = _ENRICHMENTS.c
    update = (
        sa.update(_ENRICHMENTS)
        .where(rows.id == sa.bindparam("b_id"))
        .values(key=sa.bindparam("b_key"))
    )
    filled, after = 0, 0
    while True:
        found = connection.execute(
            sa.select(rows.id, rows.kind, rows.value)
            .where(rows.kind.in_(NAME_KINDS), rows.key.is_(None), rows.id > after)
            .order_by(rows.id)
            .limit(batch)
        ).all()
        if not found:
            return filled
        keys = _keys(found)
        if keys:
            connection.execute(update, keys)
        filled += len(keys)
        after = found[-1].id


def _keys(found: Sequence[Any]) -> list[dict[str, object]]:
    # Imported only when there are rows: the enrichment package is slow to import, and the
    # keys must be today's, those queries compute.
    from newsflow.enrichment.keys import name_key

    keys = [(row.id, name_key(row.value, row.kind)) for row in found]
    return [{"b_id": row_id, "b_key": key} for row_id, key in keys if key]


def downgrade() -> None:
    # A view cannot lose a column in place: dropped and made again without it.
    op.execute("DROP VIEW article_enrichments")
    op.drop_index(INDEX, table_name="enrichments")
    # Not a batch (a copy of the table): SQLite 3.35+ drops a column in place, as PostgreSQL.
    op.execute("ALTER TABLE enrichments DROP COLUMN key")
    op.execute(VIEW.format(create="CREATE", key=""))


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"
