"""source leases: one crawl per source, whatever starts it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:00:00+00:00

A new table only: nothing here recreates a table, so SQLite keeps the views of 0008 valid.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_leases",
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_leases_source_id_sources")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_source_leases_run_id_crawl_runs")
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_leases")),
    )


def downgrade() -> None:
    op.drop_table("source_leases")
