"""query contract: the downstream views, full-text search, indexes for their hot queries

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:00:00+00:00

Views are the contract downstream users read (docs/schema.md, described in db/views.py); the
SQL below is frozen here and spelt per dialect where SQLite and PostgreSQL differ. Nothing here
recreates a table: on SQLite a table copy would break the views and the FTS triggers on it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = ("article_view", "daily_counts", "source_health", "story_articles")
# ISO 639-1 → PostgreSQL text search configuration; languages without one use `simple`, so
# every script (Arabic on old servers, Chinese, Persian) is still searchable word by word.
LANGUAGE_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
# tsvector holds at most 1 MB of lexemes: longer bodies are indexed up to this many characters.
INDEXED_BODY_CHARS = 200_000
STALE_FEED_HOURS = 48
COMPLETED = sa.text("status = 'completed'")

# The agency-local day: the publication instant shifted by the page's own offset (UTC when the
# offset is unknown). Spelt exactly as ix_articles_source_day indexes it.
LOCAL_DAY = {
    "sqlite": "date(published_at, COALESCE(published_offset_minutes, 0) || ' minutes')",
    "postgresql": "((timezone('UTC', published_at) "
    "+ make_interval(mins => COALESCE(published_offset_minutes, 0)))::date)",
}
AGO = {
    "sqlite": "datetime('now', '-{hours} hours')",
    "postgresql": "(now() - interval '{hours} hours')",
}
# A JSON array of one enricher's values for an article (a duplicate: its original's rows).
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


def _list(dialect: str, enricher: str, kind: str, column: str) -> str:
    where = ENRICHED.format(enricher=enricher, kind=kind)
    return JSON_LIST[dialect].format(column=column, where=where)


def _article_view(dialect: str) -> str:
    day = LOCAL_DAY[dialect].replace("published_", "a.published_")
    return f"""
CREATE VIEW article_view AS
SELECT a.id AS id, a.source_id AS source, s.agency AS agency, a.url AS url,
       COALESCE({DETECTED}, a.language) AS language,
       {DETECTED} AS detected_language, a.language AS declared_language,
       a.title AS title, a.body AS body, a.authors AS authors,
       a.published_at AS published_at, a.published_offset_minutes AS published_offset_minutes,
       {day} AS published_day, a.modified_at AS modified_at,
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
       a.provenance AS provenance
FROM articles a JOIN sources s ON s.id = a.source_id
"""


def _daily_counts(dialect: str) -> str:
    day = LOCAL_DAY[dialect].replace("published_", "a.published_")
    return f"""
CREATE VIEW daily_counts AS
SELECT d.source AS source, d.agency AS agency, d.language AS language, d.day AS day,
       count(*) AS articles,
       sum(CASE WHEN d.duplicate_of IS NULL THEN 1 ELSE 0 END) AS originals,
       sum(CASE WHEN d.duplicate_of IS NOT NULL THEN 1 ELSE 0 END) AS duplicates,
       sum(CASE WHEN d.removed_at IS NOT NULL THEN 1 ELSE 0 END) AS removed
FROM (SELECT a.source_id AS source, s.agency AS agency,
             COALESCE({DETECTED}, a.language) AS language, {day} AS day,
             a.duplicate_of_id AS duplicate_of, a.removed_at AS removed_at
      FROM articles a JOIN sources s ON s.id = a.source_id) d
GROUP BY d.source, d.agency, d.language, d.day
"""


def _source_health(dialect: str) -> str:
    day, week = AGO[dialect].format(hours=24), AGO[dialect].format(hours=24 * 7)
    stale_since = AGO[dialect].format(hours=STALE_FEED_HOURS)
    stale = (
        f"f.error IS NOT NULL OR (f.kind = 'feed' AND "
        f"(f.last_success_at IS NULL OR f.last_success_at < {stale_since}))"
    )
    return f"""
CREATE VIEW source_health AS
SELECT s.id AS source, s.agency AS agency, s.name AS name, s.enabled AS enabled,
       r.id AS last_run_id, r.kind AS last_run_kind, r.status AS last_run_status,
       r.started_at AS last_run_started_at, r.finished_at AS last_run_finished_at,
       (SELECT max(c.finished_at) FROM crawl_runs c
        WHERE c.source_id = s.id AND c.status = 'completed') AS last_completed_at,
       (SELECT max(a.first_seen_at) FROM articles a
        WHERE a.source_id = s.id) AS last_new_article_at,
       (SELECT count(*) FROM failures x
        WHERE x.source_id = s.id AND x.occurred_at >= {day}) AS failures_24h,
       (SELECT count(*) FROM failures x
        WHERE x.source_id = s.id AND x.occurred_at >= {week}) AS failures_7d,
       (SELECT count(*) FROM feeds f WHERE f.source_id = s.id) AS feeds,
       (SELECT count(*) FROM feeds f WHERE f.source_id = s.id AND ({stale})) AS stale_feeds,
       (SELECT min(f.last_success_at) FROM feeds f
        WHERE f.source_id = s.id AND f.kind = 'feed') AS oldest_feed_success_at
FROM sources s
LEFT JOIN crawl_runs r ON r.id = (SELECT max(c.id) FROM crawl_runs c WHERE c.source_id = s.id)
"""


STORY_ARTICLES = """
CREATE VIEW story_articles AS
SELECT m.story_id AS story_id, m.article_id AS article_id, m.method AS method, m.score AS score,
       m.added_at AS added_at, st.language AS story_language, st.size AS story_size,
       st.first_published_at AS first_published_at, st.last_published_at AS last_published_at
FROM story_members m JOIN stories st ON st.id = m.story_id
"""

SQLITE_FTS = (
    'CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content="articles", '
    "content_rowid=\"id\", tokenize='porter unicode61 remove_diacritics 2')",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body)
  VALUES ('delete', old.id, old.title, old.body);
END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, body)
  VALUES ('delete', old.id, old.title, old.body);
  INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
)


def _postgres_search(available: set[str]) -> tuple[str, ...]:
    cases = " ".join(
        f"WHEN '{code}' THEN '{config}'::regconfig"
        for code, config in sorted(LANGUAGE_CONFIGS.items())
        if config in available
    )
    vector = (
        "setweight(to_tsvector(newsflow_search_config(language), COALESCE(title, '')), 'A') || "
        "setweight(to_tsvector(newsflow_search_config(language), "
        f"left(COALESCE(body, ''), {INDEXED_BODY_CHARS})), 'B')"
    )
    return (
        "CREATE FUNCTION newsflow_search_config(language text) RETURNS regconfig "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE "
        f"lower(substring(language from '^[A-Za-z]+')) {cases} ELSE 'simple'::regconfig END $$",
        f"ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) "
        "STORED",
        "CREATE INDEX ix_articles_search ON articles USING gin (search_vector)",
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_index("ix_articles_source_first_seen", "articles", ["source_id", "first_seen_at"])
    op.create_index("ix_failures_source_occurred", "failures", ["source_id", "occurred_at"])
    # source_health: a source's newest run and newest completed run, however many it has had.
    op.create_index("ix_crawl_runs_source_run", "crawl_runs", ["source_id", "id"])
    op.create_index(
        "ix_crawl_runs_source_completed",
        "crawl_runs",
        ["source_id", "finished_at"],
        postgresql_where=COMPLETED,
        sqlite_where=COMPLETED,
    )
    op.execute(f"CREATE INDEX ix_articles_source_day ON articles (source_id, {LOCAL_DAY[dialect]})")
    if dialect == "postgresql":
        rows = op.get_bind().execute(sa.text("SELECT cfgname FROM pg_ts_config"))
        statements = _postgres_search({row[0] for row in rows})
    else:
        statements = SQLITE_FTS
    for statement in statements:
        op.execute(statement)
    for create in (_article_view, _daily_counts, _source_health):
        op.execute(create(dialect))
    op.execute(STORY_ARTICLES)


def downgrade() -> None:
    # Views first: on SQLite they would stop the tables under them from changing.
    for view in reversed(VIEWS):
        op.execute(f"DROP VIEW {view}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_articles_search")
        op.execute("ALTER TABLE articles DROP COLUMN search_vector")
        op.execute("DROP FUNCTION newsflow_search_config(text)")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER articles_fts_{trigger}")
        op.execute("DROP TABLE articles_fts")
    op.drop_index("ix_articles_source_day", table_name="articles")
    op.drop_index("ix_crawl_runs_source_completed", table_name="crawl_runs")
    op.drop_index("ix_crawl_runs_source_run", table_name="crawl_runs")
    op.drop_index("ix_failures_source_occurred", table_name="failures")
    op.drop_index("ix_articles_source_first_seen", table_name="articles")
