"""revisits: removed articles, last revisit time, earlier versions keep authors and date

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Only ADD COLUMN and CREATE INDEX: SQLite does them in place, so views on articles stay valid.
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("removed_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("authors", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite (3.35+) drops columns in place; recreating the table would break views on it.
    with op.batch_alter_table("article_versions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("published_at")
        batch_op.drop_column("authors")
    with op.batch_alter_table("articles", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("checked_at")
        batch_op.drop_column("removed_reason")
        batch_op.drop_column("removed_at")
