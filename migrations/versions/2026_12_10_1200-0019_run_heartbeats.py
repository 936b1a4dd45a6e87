"""a partitioned backfill's run beats

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 12:00:00+00:00

- ``crawl_runs.heartbeat_at``: a partitioned backfill's own run holds no lease (its months take
  the source in turn), so its process renews this instead while it lives; a run whose beat
  stopped for longer than a lease lasts is closed ``interrupted`` by the next run of its source,
  as a run whose lease lapsed is (db/store.py ``mark_interrupted``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "crawl_runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("crawl_runs", "heartbeat_at")
