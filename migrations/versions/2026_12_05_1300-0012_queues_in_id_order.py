"""queues PostgreSQL can count: pending flags as generated columns, indexed in id order

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 13:00:00+00:00

Both queues are read as "the next N pending articles of a source, in id order". The pending
test compared two columns (``dedup_hash <> content_hash``), whose selectivity PostgreSQL cannot
estimate: it took most rows for pending and walked the primary key in id order instead of the
partial index, through every article already done (11 ms at 10,000 stored, 134 ms at 100,000).
Now each queue has a generated boolean column, whose statistics ANALYZE keeps like any other,
and a partial index on (source_id, id) where it is true, which also gives the id order.
SQLite (no statistics) gets the same as virtual columns: columns added, no table recreated, so
it keeps the views of 0008 valid.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Queue index: (flag column, the hash column it compares with content_hash).
QUEUES = {
    "ix_articles_dedup_pending": ("dedup_pending", "dedup_hash"),
    "ix_articles_enrich_pending": ("enrich_pending", "enriched_hash"),
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, (flag, hashed) in QUEUES.items():
        op.drop_index(name, table_name="articles")
        if postgres:
            column = f"boolean GENERATED ALWAYS AS ({hashed} IS DISTINCT FROM content_hash) STORED"
        else:  # SQLite adds only virtual generated columns; IS NOT is its IS DISTINCT FROM
            column = f"BOOLEAN GENERATED ALWAYS AS ({hashed} IS NOT content_hash) VIRTUAL"
        op.execute(f"ALTER TABLE articles ADD COLUMN {flag} {column}")
        # As SQLAlchemy spells a boolean test on each, so the planners match the index to it.
        where = sa.text(flag if postgres else f"{flag} = 1")
        op.create_index(
            name, "articles", ["source_id", "id"], postgresql_where=where, sqlite_where=where
        )


def downgrade() -> None:
    for name, (flag, hashed) in QUEUES.items():
        op.drop_index(name, table_name="articles")
        op.execute(f"ALTER TABLE articles DROP COLUMN {flag}")
        pending = sa.text(f"{hashed} IS NULL OR {hashed} <> content_hash")
        op.create_index(
            name, "articles", ["source_id"], postgresql_where=pending, sqlite_where=pending
        )
