"""near duplicates and stories: LSH band keys, duplicate similarity/method, a dedup queue, stories

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("dedup_hash IS NULL OR dedup_hash <> content_hash")


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_similarity", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_method", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("dedup_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_articles_duplicate_of_id", ["duplicate_of_id"], unique=False)
        batch_op.create_index(
            "ix_articles_dedup_pending",
            ["source_id"],
            unique=False,
            postgresql_where=PENDING,
            sqlite_where=PENDING,
        )
    # Links made before this revision came from equal content hashes. Every article stays
    # queued (dedup_hash NULL), so the next run of its source stores its band keys.
    op.execute(
        "UPDATE articles SET duplicate_method = 'exact', duplicate_similarity = 1.0 "
        "WHERE duplicate_of_id IS NOT NULL"
    )
    op.create_table(
        "article_bands",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_bands_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "band", name=op.f("pk_article_bands")),
    )
    with op.batch_alter_table("article_bands", schema=None) as batch_op:
        batch_op.create_index("ix_article_bands_key", ["key", "article_id"], unique=False)
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stories_first_published_at"), ["first_published_at"], unique=False
        )
    op.create_table(
        "story_members",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_members_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_members_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "article_id", name=op.f("pk_story_members")),
    )
    with op.batch_alter_table("story_members", schema=None) as batch_op:
        batch_op.create_index("ix_story_members_article_id", ["article_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("story_members", schema=None) as batch_op:
        batch_op.drop_index("ix_story_members_article_id")
    op.drop_table("story_members")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_first_published_at"))
    op.drop_table("stories")
    with op.batch_alter_table("article_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_article_bands_key")
    op.drop_table("article_bands")
    # Dropped in place (SQLite ≥ 3.35 can): copying the table would break its self-reference
    # (duplicate_of_id) while foreign keys are enforced.
    with op.batch_alter_table("articles", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_articles_dedup_pending")
        batch_op.drop_index("ix_articles_duplicate_of_id")
        batch_op.drop_column("dedup_hash")
        batch_op.drop_column("duplicate_method")
        batch_op.drop_column("duplicate_similarity")
