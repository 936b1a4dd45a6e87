"""articles stored per source: a counter kept by triggers, so `status` counts nothing

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:00:00+00:00

`status` and `newsflow report` counted each source's articles: a read of its whole index, one
that grows with the store. The count now lives on the source's row, kept by triggers on every
insert, delete and truncate, whoever writes (the crawler, COPY, a hand-run SQL). PostgreSQL:
statement-level triggers with transition tables, one UPDATE a statement rather than one a row.
A column added, no table recreated, so SQLite keeps the views of 0008 valid.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER articles_stored_insert AFTER INSERT ON articles BEGIN
        UPDATE sources SET articles_stored = articles_stored + 1 WHERE id = NEW.source_id;
    END""",
    """CREATE TRIGGER articles_stored_delete AFTER DELETE ON articles BEGIN
        UPDATE sources SET articles_stored = articles_stored - 1 WHERE id = OLD.source_id;
    END""",
)

POSTGRES_FUNCTION = """
CREATE FUNCTION articles_stored_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE sources SET articles_stored = 0;
    ELSIF TG_OP = 'INSERT' THEN
        UPDATE sources SET articles_stored = articles_stored + n.added
        FROM (SELECT source_id, count(*) AS added FROM new_rows GROUP BY source_id) AS n
        WHERE sources.id = n.source_id;
    ELSE
        UPDATE sources SET articles_stored = articles_stored - o.removed
        FROM (SELECT source_id, count(*) AS removed FROM old_rows GROUP BY source_id) AS o
        WHERE sources.id = o.source_id;
    END IF;
    RETURN NULL;
END $$
"""

POSTGRES_TRIGGERS = (
    "CREATE TRIGGER articles_stored_insert AFTER INSERT ON articles "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_stored_count()",
    "CREATE TRIGGER articles_stored_delete AFTER DELETE ON articles "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION articles_stored_count()",
    # TRUNCATE fires no DELETE trigger (SQLite has none: its DELETE without WHERE fires them).
    "CREATE TRIGGER articles_stored_truncate AFTER TRUNCATE ON articles "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_stored_count()",
)

BACKFILL = (
    "UPDATE sources SET articles_stored = "
    "(SELECT count(*) FROM articles WHERE articles.source_id = sources.id)"
)


def upgrade() -> None:
    op.add_column(
        "sources",
        sa.Column("articles_stored", sa.BigInteger(), nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # No article may land between the count and the triggers.
        op.execute("LOCK TABLE articles IN SHARE MODE")
        op.execute(POSTGRES_FUNCTION)
        for trigger in POSTGRES_TRIGGERS:
            op.execute(trigger)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    op.execute(BACKFILL)


def downgrade() -> None:
    triggers = ["articles_stored_insert", "articles_stored_delete"]
    for trigger in triggers + (["articles_stored_truncate"] if _postgres() else []):
        op.execute(f"DROP TRIGGER {trigger}" + (" ON articles" if _postgres() else ""))
    if _postgres():
        op.execute("DROP FUNCTION articles_stored_count()")
    # Not a batch (a copy of the table): SQLite 3.35+ drops a column in place, as PostgreSQL.
    op.execute("ALTER TABLE sources DROP COLUMN articles_stored")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"
