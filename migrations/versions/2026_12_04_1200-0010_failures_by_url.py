"""failures by url: coverage asks, per listed URL, whether it failed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 12:00:00+00:00

Coverage checks each discovery of its window against the failures of its URL; without an index
on the URL that check read every failure of the source. An index only: no table is recreated,
so SQLite keeps the views of 0008 valid.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_failures_source_url", "failures", ["source_id", "url"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_failures_source_url", table_name="failures")
