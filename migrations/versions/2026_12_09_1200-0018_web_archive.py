"""web archives: where an article's text came from, and its last capture once it is gone

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-09 12:00:00+00:00

- ``articles.via``: NULL or ``site`` when fetched from the site, ``web-archive`` when read from
  a web archive's capture (the site failed, or a backfill found it only in the archive),
  ``warc`` when imported from a WARC file. ``capture_url`` and ``captured_at`` name the capture
  the text came from (NULL for the site).
- ``articles.archived_capture_url`` / ``archived_capture_at``: once a revisit found the article
  removed, its last capture in the source's web archive, so a deletion is evidence, not a hole.

Columns added in place (no table copy, so SQLite keeps the views of 0008 and the FTS triggers
valid). ``article_view`` lists its columns, so it gets the new ones at its end (PostgreSQL:
replaced in place, so grants on it stay; SQLite: dropped and created again).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("via", "capture_url", "captured_at", "archived_capture_url", "archived_capture_at")

# The view of 0008, frozen as it was there, with {extra} at its end.
LOCAL_DAY = {
    "sqlite": "date(a.published_at, COALESCE(a.published_offset_minutes, 0) || ' minutes')",
    "postgresql": "((timezone('UTC', a.published_at) "
    "+ make_interval(mins => COALESCE(a.published_offset_minutes, 0)))::date)",
}
JSON_LIST = {
    "sqlite": "(SELECT json_group_array(x) FROM (SELECT e.{column} AS x FROM enrichments e "
    "WHERE {where} ORDER BY e.id))",
    "postgresql": "(SELECT COALESCE(json_agg(e.{column} ORDER BY e.id), '[]'::json) "
    "FROM enrichments e WHERE {where})",
}
ENRICHED = (
    "e.article_id = COALESCE(a.duplicate_of_id, a.id) AND e.enricher = '{enricher}' "
    "AND e.kind = '{kind}'"
)
DETECTED = (
    "(SELECT e.label FROM enrichments e WHERE "
    + ENRICHED.format(enricher="language", kind="language")
    + " ORDER BY e.id LIMIT 1)"
)
EXTRA = (
    ",\n       COALESCE(a.via, 'site') AS via, a.capture_url AS capture_url,"
    " a.captured_at AS captured_at,\n"
    "       a.archived_capture_url AS archived_capture_url,"
    " a.archived_capture_at AS archived_capture_at"
)


def _list(dialect: str, enricher: str, kind: str, column: str) -> str:
    where = ENRICHED.format(enricher=enricher, kind=kind)
    return JSON_LIST[dialect].format(column=column, where=where)


def _article_view(dialect: str, create: str, extra: str) -> str:
    return f"""
{create} VIEW article_view AS
SELECT a.id AS id, a.source_id AS source, s.agency AS agency, a.url AS url,
       COALESCE({DETECTED}, a.language) AS language,
       {DETECTED} AS detected_language, a.language AS declared_language,
       a.title AS title, a.body AS body, a.authors AS authors,
       a.published_at AS published_at, a.published_offset_minutes AS published_offset_minutes,
       {LOCAL_DAY[dialect]} AS published_day, a.modified_at AS modified_at,
       a.dateline AS dateline, a.section AS section, a.tags AS tags,
       a.duplicate_of_id AS duplicate_of, a.duplicate_similarity AS duplicate_similarity,
       a.duplicate_method AS duplicate_method, COALESCE(a.duplicate_of_id, a.id) AS original_id,
       (SELECT min(m.story_id) FROM story_members m
        WHERE m.article_id = COALESCE(a.duplicate_of_id, a.id)) AS story_id,
       a.version AS version, (a.removed_at IS NOT NULL) AS removed,
       a.removed_at AS removed_at, a.removed_reason AS removed_reason,
       a.first_seen_at AS first_seen_at, a.last_seen_at AS last_seen_at,
       {_list(dialect, "places", "country", "label")} AS countries,
       {_list(dialect, "places", "place", "value")} AS places,
       {_list(dialect, "entities", "person", "value")} AS people,
       {_list(dialect, "entities", "organisation", "value")} AS organisations,
       {_list(dialect, "keywords", "keyword", "value")} AS keywords,
       a.provenance AS provenance{extra}
FROM articles a JOIN sources s ON s.id = a.source_id
"""


def _replace_view(extra: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql" and extra:
        op.execute(_article_view(dialect, "CREATE OR REPLACE", extra))
        return
    # PostgreSQL cannot drop a view's columns by replacing it; SQLite cannot replace at all.
    op.execute("DROP VIEW article_view")
    op.execute(_article_view(dialect, "CREATE", extra))


def upgrade() -> None:
    op.add_column("articles", sa.Column("via", sa.String(length=16), nullable=True))
    op.add_column("articles", sa.Column("capture_url", sa.String(length=2000), nullable=True))
    op.add_column("articles", sa.Column("captured_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "articles", sa.Column("archived_capture_url", sa.String(length=2000), nullable=True)
    )
    op.add_column(
        "articles", sa.Column("archived_capture_at", sa.DateTime(timezone=True), nullable=True)
    )
    _replace_view(EXTRA)


def downgrade() -> None:
    # The view first: SQLite refuses to drop a column a view still reads.
    _replace_view("")
    for column in reversed(COLUMNS):
        op.drop_column("articles", column)
