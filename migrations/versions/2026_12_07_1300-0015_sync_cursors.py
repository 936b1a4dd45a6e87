"""sync cursors: a change log kept by triggers, and named positions in it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00+00:00

`newsflow export --cursor NAME` emits what changed since its last sync: new, edited, removed
and restored articles, and articles whose enrichments, duplicate verdict or story changed.
Triggers append those changes to ``article_changes`` in the writing transaction, whoever
writes (the crawler, a re-enrich, COPY, hand-run SQL). On PostgreSQL each row carries its
transaction's id, so a position can be a transaction horizon rather than a log id or a time
(db/changes.py says why). ``sync_cursors`` keeps each cursor's position.

Articles stored before are logged as ``new`` at their ``first_seen_at``, so a first sync
emits every article. Nothing here recreates a table: on SQLite a table copy would drop the
triggers (and break the views of 0008).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The database's clock, UTC, as UTCDateTime stores it on SQLite (six fraction digits).
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
SQLITE_LOG = (
    "INSERT INTO article_changes (article_id, kind, changed_at) "
    f"VALUES ({{row}}, '{{kind}}', {SQLITE_NOW});"
)
# (trigger, event, table, WHEN or "", the changed article's id, kind)
REMOVAL_KEPT = "(OLD.removed_at IS NULL) = (NEW.removed_at IS NULL)"
TRIGGERS = (
    ("article_changes_new", "INSERT", "articles", "", "NEW.id", "new"),
    (
        "article_changes_edited",
        "UPDATE OF version",
        "articles",
        f"NEW.version > OLD.version AND {REMOVAL_KEPT}",
        "NEW.id",
        "edited",
    ),
    (
        "article_changes_removed",
        "UPDATE OF removed_at",
        "articles",
        "OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL",
        "NEW.id",
        "removed",
    ),
    (
        "article_changes_restored",
        "UPDATE OF removed_at",
        "articles",
        "OLD.removed_at IS NOT NULL AND NEW.removed_at IS NULL",
        "NEW.id",
        "restored",
    ),
    # A duplicate verdict: a copy shows its original's enrichments and story from then on.
    (
        "article_changes_duplicate",
        "UPDATE OF duplicate_of_id",
        "articles",
        "OLD.duplicate_of_id IS DISTINCT FROM NEW.duplicate_of_id",
        "NEW.id",
        "enriched",
    ),
    # A run of an enricher, written even when it found nothing (a re-enrich updates it).
    ("article_changes_run_insert", "INSERT", "enrichment_runs", "", "NEW.article_id", "enriched"),
    ("article_changes_run_update", "UPDATE", "enrichment_runs", "", "NEW.article_id", "enriched"),
    ("article_changes_story_join", "INSERT", "story_members", "", "NEW.article_id", "enriched"),
    ("article_changes_story_leave", "DELETE", "story_members", "", "OLD.article_id", "enriched"),
)
# PostgreSQL: one trigger function per way of naming the article; the kind is its argument.
POSTGRES_FUNCTIONS = {
    "NEW.id": "article_changes_of_article",
    "NEW.article_id": "article_changes_of_new_row",
    "OLD.article_id": "article_changes_of_old_row",
}
POSTGRES_FUNCTION = """
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_changes (article_id, kind, changed_at, txid)
    VALUES ({row}, TG_ARGV[0], clock_timestamp(), pg_current_xact_id()::text::bigint);
    RETURN NULL;
END $$
"""
BACKFILL = (
    "INSERT INTO article_changes (article_id, kind, changed_at{txid}) "
    "SELECT id, 'new', first_seen_at{txid_value} FROM articles ORDER BY id"
)


def upgrade() -> None:
    op.create_table(
        "article_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_changes")),
        # Ids never reused, even after the newest rows were deleted: a position stays valid.
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_article_changes_changed_at"), "article_changes", ["changed_at"], unique=False
    )
    op.create_table(
        "sync_cursors",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emitted", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_cursors")),
    )
    if _postgres():
        # A window of a sync is a range of transaction ids.
        op.create_index(op.f("ix_article_changes_txid"), "article_changes", ["txid"])
        # No change may land between the backfill and the triggers.
        op.execute(
            "LOCK TABLE articles, enrichment_runs, story_members IN SHARE ROW EXCLUSIVE MODE"
        )
        for name, row in POSTGRES_FUNCTIONS.items():
            op.execute(POSTGRES_FUNCTION.format(function=row, row=name))
        for trigger, event, on, when, row, kind in TRIGGERS:
            condition = f" WHEN ({when})" if when else ""
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {on} FOR EACH ROW{condition} "
                f"EXECUTE FUNCTION {POSTGRES_FUNCTIONS[row]}('{kind}')"
            )
        op.execute(
            BACKFILL.format(txid=", txid", txid_value=", pg_current_xact_id()::text::bigint")
        )
    else:
        for trigger, event, on, when, row, kind in TRIGGERS:
            condition = f" WHEN {when}" if when else ""
            body = SQLITE_LOG.format(row=row, kind=kind)
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {on} FOR EACH ROW{condition} "
                f"BEGIN {body} END"
            )
        op.execute(BACKFILL.format(txid="", txid_value=""))


def downgrade() -> None:
    for trigger, _event, on, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}" + (f" ON {on}" if _postgres() else ""))
    if _postgres():
        for function in POSTGRES_FUNCTIONS.values():
            op.execute(f"DROP FUNCTION {function}()")
    op.drop_table("sync_cursors")
    op.drop_table("article_changes")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"
