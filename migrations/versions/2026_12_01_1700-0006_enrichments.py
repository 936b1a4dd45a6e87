"""enrichments: versioned enricher results, the runs that made them, an enrichment queue

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("enriched_hash IS NULL OR enriched_hash <> content_hash")
# What an analyst joins on: every article with the results it carries, a duplicate its
# original's (enrichment skips duplicates; their original's rows stand for them).
VIEW = """
CREATE VIEW article_enrichments AS
SELECT a.id AS article_id, a.source_id, a.published_at, e.enricher, e.version, e.kind,
       e.value, e.label, e.start_offset, e.end_offset, e.evidence, e.score,
       e.article_id AS enriched_article_id
FROM articles a
JOIN enrichments e ON e.article_id = COALESCE(a.duplicate_of_id, a.id)
"""


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enriched_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_articles_enrich_pending",
            ["source_id"],
            unique=False,
            postgresql_where=PENDING,
            sqlite_where=PENDING,
        )
    op.create_table(
        "enrichments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("enricher", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("start_offset", sa.Integer(), nullable=True),
        sa.Column("end_offset", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.String(length=500), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_enrichments_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrichments")),
    )
    with op.batch_alter_table("enrichments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enrichments_article_enricher", ["article_id", "enricher"], unique=False
        )
        batch_op.create_index("ix_enrichments_kind_label", ["kind", "label"], unique=False)
        batch_op.create_index("ix_enrichments_kind_value", ["kind", "value"], unique=False)
    op.create_table(
        "enrichment_runs",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("enricher", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("enriched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_enrichment_runs_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "enricher", name=op.f("pk_enrichment_runs")),
    )
    with op.batch_alter_table("enrichment_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enrichment_runs_enricher_version", ["enricher", "version"], unique=False
        )
    op.execute(VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW article_enrichments")
    with op.batch_alter_table("enrichment_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_enrichment_runs_enricher_version")
    op.drop_table("enrichment_runs")
    with op.batch_alter_table("enrichments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrichments_kind_value")
        batch_op.drop_index("ix_enrichments_kind_label")
        batch_op.drop_index("ix_enrichments_article_enricher")
    op.drop_table("enrichments")
    # Dropped in place (SQLite ≥ 3.35 can): copying the table would break its self-reference
    # (duplicate_of_id) while foreign keys are enforced.
    with op.batch_alter_table("articles", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_articles_enrich_pending")
        batch_op.drop_column("enriched_hash")
