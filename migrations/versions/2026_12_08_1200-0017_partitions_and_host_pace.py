"""partitioned backfills and per-host pacing

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 12:00:00+00:00

- ``crawl_runs.parent_run_id``: a backfill partition's run names the backfill it belongs to;
  ``crawl_runs.partitions``: how many a partitioned backfill's own run has (else NULL). Such a
  run holds no lease (its partitions take the source in turn), so no other run may take it for
  one left behind. Plain columns, no foreign key: SQLite can add a column in place but not a
  constraint, and rebuilding ``crawl_runs`` would invalidate the views of 0008 that read it.
- ``host_pace``: per host, the earliest time (seconds since the epoch, on the database's clock)
  the next request may go; every crawl of every worker reserves its requests' times here, so
  editions sharing a host share its rate (crawlers/pace.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("crawl_runs", sa.Column("parent_run_id", sa.Integer(), nullable=True))
    op.add_column("crawl_runs", sa.Column("partitions", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_crawl_runs_parent_run_id"), "crawl_runs", ["parent_run_id"])
    op.create_table(
        "host_pace",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_host_pace")),
    )


def downgrade() -> None:
    op.drop_table("host_pace")
    op.drop_index(op.f("ix_crawl_runs_parent_run_id"), table_name="crawl_runs")
    op.drop_column("crawl_runs", "partitions")
    op.drop_column("crawl_runs", "parent_run_id")
