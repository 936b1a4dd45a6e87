"""collections: sources grouped by country, owner and collection; attention over time

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 14:00:00+00:00

The registry now says each agency's country, owner type and collections; ``sources`` keeps
them as last synced, and the view ``source_view`` shows them to SQL users. ``attention_daily``
counts, per local day and source, the articles naming each person, organisation or place
(their cross-script key, else the value): attention over time without a query of one's own.
``article_enrichments`` says ``source`` as every other view does (it said ``source_id``).
Only ADD COLUMN and views: no table copy, so SQLite keeps the triggers and views of earlier
revisions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Migration 0008's local publication day (the page's own offset), for articles aliased ``a``.
LOCAL_DAY = {
    "sqlite": "date(a.published_at, COALESCE(a.published_offset_minutes, 0) || ' minutes')",
    "postgresql": "((timezone('UTC', a.published_at) "
    "+ make_interval(mins => COALESCE(a.published_offset_minutes, 0)))::date)",
}
SOURCE_VIEW = """
CREATE VIEW source_view AS
SELECT s.id AS source, s.agency AS agency, s.name AS name, s.language AS language,
       s.country AS country, s.owner AS owner, s.collections AS collections,
       s.homepage AS homepage, s.timezone AS timezone, s.enabled AS enabled,
       s.articles_stored AS articles_stored
FROM sources s
"""
ATTENTION_DAILY = """
CREATE VIEW attention_daily AS
SELECT {day} AS day, a.source_id AS source, s.agency AS agency, e.kind AS kind,
       COALESCE(e.key, e.value) AS key, min(e.value) AS name,
       count(DISTINCT a.id) AS articles
FROM articles a
JOIN sources s ON s.id = a.source_id
JOIN enrichments e ON e.article_id = COALESCE(a.duplicate_of_id, a.id)
WHERE e.kind IN ('person', 'organisation', 'place', 'country') AND a.removed_at IS NULL
GROUP BY {day}, a.source_id, s.agency, e.kind, COALESCE(e.key, e.value)
"""
# 0013's view, its first columns named as every other view names them ({source}).
ENRICHMENTS_VIEW = """
CREATE VIEW article_enrichments AS
SELECT a.id AS article_id, a.source_id AS {source}, a.published_at, e.enricher, e.version,
       e.kind, e.value, e.label, e.start_offset, e.end_offset, e.evidence, e.score,
       e.article_id AS enriched_article_id, e.key AS key
FROM articles a
JOIN enrichments e ON e.article_id = COALESCE(a.duplicate_of_id, a.id)
"""


def upgrade() -> None:
    op.add_column("sources", sa.Column("country", sa.String(length=2), nullable=True))
    op.add_column("sources", sa.Column("owner", sa.String(length=16), nullable=True))
    op.add_column("sources", sa.Column("collections", sa.JSON(), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(SOURCE_VIEW)
    op.execute(ATTENTION_DAILY.format(day=LOCAL_DAY[dialect]))
    op.execute("DROP VIEW article_enrichments")
    op.execute(ENRICHMENTS_VIEW.format(source="source"))


def downgrade() -> None:
    op.execute("DROP VIEW article_enrichments")
    op.execute(ENRICHMENTS_VIEW.format(source="source_id"))
    op.execute("DROP VIEW attention_daily")
    op.execute("DROP VIEW source_view")
    # SQLite 3.35+ drops a column in place, as PostgreSQL does: no table copy.
    for column in ("collections", "owner", "country"):
        op.execute(f"ALTER TABLE sources DROP COLUMN {column}")
