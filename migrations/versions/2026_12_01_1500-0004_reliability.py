"""reliability: failure reason codes, a discovery queue that survives a kill, hot-path indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("done_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_failures_source_code", ["source_id", "code"], unique=False)
    with op.batch_alter_table("discoveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index("ix_discoveries_run_id", ["run_id"], unique=False)
        batch_op.create_index(
            "ix_discoveries_pending",
            ["source_id"],
            unique=False,
            postgresql_where=PENDING,
            sqlite_where=PENDING,
        )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.create_index("ix_pages_final_url", ["final_url"], unique=False)
    # Discoveries made before this revision were handled by the runs that found them.
    op.execute("UPDATE discoveries SET done_at = discovered_at")


def downgrade() -> None:
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index("ix_pages_final_url")
    with op.batch_alter_table("discoveries", schema=None) as batch_op:
        batch_op.drop_index("ix_discoveries_pending")
        batch_op.drop_index("ix_discoveries_run_id")
        batch_op.drop_column("attempts")
        batch_op.drop_column("done_at")
    with op.batch_alter_table("failures", schema=None) as batch_op:
        batch_op.drop_index("ix_failures_source_code")
        batch_op.drop_column("code")
