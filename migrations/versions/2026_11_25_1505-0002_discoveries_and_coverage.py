"""discoveries and coverage

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:05:26.577963+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coverage",
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("discovered", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_coverage_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", "day", name=op.f("pk_coverage")),
    )
    op.create_table(
        "discoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_discoveries_run_id_crawl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_discoveries_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discoveries")),
        sa.UniqueConstraint("source_id", "url", name=op.f("uq_discoveries_source_id_url")),
    )
    with op.batch_alter_table("discoveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_discoveries_source_listed", ["source_id", "listed_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("discoveries", schema=None) as batch_op:
        batch_op.drop_index("ix_discoveries_source_listed")

    op.drop_table("discoveries")
    op.drop_table("coverage")
