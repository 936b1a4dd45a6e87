"""The query contract: every view downstream users read, column by column, in one place.

Migrations create the views (their SQL is frozen there); this module describes them. The
description generates ``docs/schema.md`` (``python -m newsflow.db.views``), gives SQLAlchemy
tables for typed reads on both databases, and a test checks it against the real views' columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsflow.db.models import UTCDateTime
from sqlalchemy import JSON, Boolean, Column, Date, Float, Integer, MetaData, Table, Text
from sqlalchemy.types import TypeEngine

# type name in the docs → SQLAlchemy type that reads it alike on SQLite and PostgreSQL
TYPES: dict[str, TypeEngine[Any]] = {
    "integer": Integer(),
    "float": Float(),
    "text": Text(),
    "boolean": Boolean(),
    "date": Date(),
    "timestamp": UTCDateTime(),
    "list": JSON(),  # a JSON array of strings
    "json": JSON(),  # a JSON object
}
TYPE_MEANINGS = {
    "integer": "whole number",
    "float": "real number",
    "text": "string",
    "boolean": "true / false (SQLite: 1 / 0)",
    "date": "calendar day (SQLite: `YYYY-MM-DD` text)",
    "timestamp": "instant in UTC (SQLite: `YYYY-MM-DD HH:MM:SS.ffffff` text, UTC)",
    "list": "JSON array of strings (SQLite: JSON text; PostgreSQL: `json`)",
    "json": "JSON object (SQLite: JSON text; PostgreSQL: `json`)",
}


@dataclass(frozen=True, slots=True)
class ViewColumn:
    """One column of a view: its name, type (a key of TYPES) and what it means."""

    name: str
    type: str
    meaning: str


@dataclass(frozen=True, slots=True)
class View:
    """A view of the contract: one sentence on what a row is, then its columns in order."""

    name: str
    row: str
    columns: tuple[ViewColumn, ...]

    @property
    def names(self) -> list[str]:
        """Column names in view order."""
        return [column.name for column in self.columns]


@dataclass(frozen=True, slots=True)
class DocumentedQuery:
    """A hot query the docs show, with example parameters and the index PostgreSQL uses."""

    title: str
    sql: str
    params: dict[str, Any]
    index: str


def _columns(*rows: tuple[str, str, str]) -> tuple[ViewColumn, ...]:
    return tuple(ViewColumn(*row) for row in rows)


ARTICLE_VIEW = View(
    "article_view",
    "one row per stored article (current version), duplicates included and marked",
    _columns(
        ("id", "integer", "article id; stable for the article's life"),
        ("source", "text", "source (edition) id from the registry, e.g. `sana-en`"),
        ("agency", "text", "agency id, e.g. `sana`"),
        ("url", "text", "canonical URL (unique within the source)"),
        ("language", "text", "ISO 639-1 language: detected by enrichment, else declared"),
        ("detected_language", "text", "language the `language` enricher detected; NULL before"),
        ("declared_language", "text", "language the page or the edition declares"),
        ("title", "text", "headline"),
        ("body", "text", "article text, paragraphs separated by a blank line"),
        ("authors", "list", "bylines, people first"),
        ("published_at", "timestamp", "publication instant in UTC; NULL when undated"),
        ("published_offset_minutes", "integer", "UTC offset the page gave (or agency zone)"),
        (
            "published_day",
            "date",
            "agency-local publication day: `published_at` shifted by its offset (UTC if unknown)",
        ),
        ("modified_at", "timestamp", "last modification the page declared, UTC"),
        ("dateline", "text", "place the story was filed from, e.g. `Moscow`"),
        ("section", "text", "site section, e.g. `Politics`"),
        ("tags", "list", "the site's own tags"),
        ("duplicate_of", "integer", "id of the original this article copies; NULL for originals"),
        ("duplicate_similarity", "float", "shingle Jaccard similarity to the original (0–1)"),
        ("duplicate_method", "text", "how the copy was found: `exact` or `near`"),
        ("original_id", "integer", "`duplicate_of` for a copy, its own `id` for an original"),
        ("story_id", "integer", "story (same event across sources) of the original; NULL if none"),
        ("version", "integer", "current version number (1 + earlier versions kept)"),
        ("removed", "boolean", "a revisit found the article gone from the site"),
        ("removed_at", "timestamp", "when the removal was found, UTC"),
        ("removed_reason", "text", "what the revisit saw: a 404/410, a redirect to a listing, …"),
        ("first_seen_at", "timestamp", "when newsflow first stored the article, UTC"),
        ("last_seen_at", "timestamp", "when newsflow last fetched it, UTC"),
        ("countries", "list", "ISO 3166-1 codes of countries mentioned, most mentioned first"),
        ("places", "list", "places mentioned (gazetteer names), first mention first"),
        ("people", "list", "people named, first mention first"),
        ("organisations", "list", "organisations named, first mention first"),
        ("keywords", "list", "key phrases, most relevant first"),
        ("provenance", "json", "per field, the page element its value came from"),
        (
            "via",
            "text",
            "where the text was read: `site`, `web-archive` (a capture) or `warc` (an import)",
        ),
        ("capture_url", "text", "the capture or WARC record the text came from; NULL for `site`"),
        ("captured_at", "timestamp", "when that capture was made, UTC"),
        (
            "archived_capture_url",
            "text",
            "a removed article's last capture in the source's web archive; NULL if none",
        ),
        ("archived_capture_at", "timestamp", "when that last capture was made, UTC"),
    ),
)

DAILY_COUNTS = View(
    "daily_counts",
    "one row per source, language and agency-local day (the day in the page's own UTC offset; "
    "UTC when unknown; NULL for undated articles)",
    _columns(
        ("source", "text", "source id"),
        ("agency", "text", "agency id"),
        ("language", "text", "language as in `article_view.language`"),
        ("day", "date", "agency-local publication day, as `article_view.published_day`"),
        ("articles", "integer", "articles stored for the day, copies included"),
        ("originals", "integer", "articles that copy no other"),
        ("duplicates", "integer", "exact or near copies of an earlier article"),
        ("removed", "integer", "articles since removed from the site"),
    ),
)

SOURCE_HEALTH = View(
    "source_health",
    "one row per source in the registry as last synced",
    _columns(
        ("source", "text", "source id"),
        ("agency", "text", "agency id"),
        ("name", "text", "display name"),
        ("enabled", "boolean", "whether the schedule crawls it"),
        ("last_run_id", "integer", "the newest crawl run; NULL before any"),
        (
            "last_run_kind",
            "text",
            "`scheduled`, `manual`, `backfill`, `revisit`, `reprocess` or `import`",
        ),
        (
            "last_run_status",
            "text",
            "`running`, `completed`, `failed`, `cancelled`, `timed_out` or `interrupted`",
        ),
        ("last_run_started_at", "timestamp", "start of the newest run, UTC"),
        ("last_run_finished_at", "timestamp", "end of the newest run, UTC; NULL while running"),
        ("last_completed_at", "timestamp", "end of the newest completed run, UTC"),
        ("last_new_article_at", "timestamp", "when the newest article was first stored, UTC"),
        ("failures_24h", "integer", "fetch/parse/extract failures recorded in the last 24 hours"),
        ("failures_7d", "integer", "failures recorded in the last 7 days"),
        ("feeds", "integer", "feeds and sitemaps known for the source"),
        (
            "stale_feeds",
            "integer",
            "feeds or sitemaps whose last fetch failed, plus feeds without a success in 48 hours",
        ),
        ("oldest_feed_success_at", "timestamp", "the least recent last success among its feeds"),
    ),
)

STORY_ARTICLES = View(
    "story_articles",
    "one row per original article in a story (its copies: `article_view.original_id`)",
    _columns(
        ("story_id", "integer", "story id"),
        ("article_id", "integer", "an original article of the story (`article_view.id`)"),
        ("method", "text", "what joined it to the story, e.g. `text`"),
        ("score", "float", "the similarity that joined it"),
        ("added_at", "timestamp", "when it joined, UTC"),
        ("story_language", "text", "the story's language; NULL once languages mix"),
        ("story_size", "integer", "articles in the story"),
        ("first_published_at", "timestamp", "earliest publication in the story, UTC"),
        ("last_published_at", "timestamp", "latest publication in the story, UTC"),
    ),
)

SOURCE_VIEW = View(
    "source_view",
    "one row per source in the registry as last synced, with how analysts group it",
    _columns(
        ("source", "text", "source id, e.g. `sana-en`"),
        ("agency", "text", "agency id, e.g. `sana`"),
        ("name", "text", "display name"),
        ("language", "text", "the edition's declared language (ISO 639-1)"),
        ("country", "text", "the agency's home country (ISO 3166-1 alpha-2); NULL if unset"),
        ("owner", "text", "`state`, `public`, `private` or `wire`; NULL if unset"),
        ("collections", "list", "the agency's collections (registry `collections`)"),
        ("homepage", "text", "the agency's homepage"),
        ("timezone", "text", "IANA zone of the agency's local times"),
        ("enabled", "boolean", "whether the schedule crawls it"),
        ("articles_stored", "integer", "articles stored for the source"),
    ),
)

ARTICLE_ENRICHMENTS = View(
    "article_enrichments",
    "one row per enrichment of a stored article (a copy: its original's rows)",
    _columns(
        ("article_id", "integer", "the article (`article_view.id`)"),
        ("source", "text", "the article's source id"),
        ("published_at", "timestamp", "the article's publication instant, UTC"),
        ("enricher", "text", "`language`, `entities`, `places`, `keywords`, …"),
        ("version", "integer", "the enricher's version that wrote the row"),
        ("kind", "text", "`person`, `organisation`, `place`, `country`, `keyword`, …"),
        ("value", "text", "the name or term as written (places: the canonical name)"),
        ("label", "text", "a code or class (a place's country code, a language code)"),
        ("start_offset", "integer", "where the mention starts in title + body; NULL if none"),
        ("end_offset", "integer", "where it ends"),
        ("evidence", "text", "what found it (a rule, a model, a gazetteer)"),
        ("score", "float", "confidence or weight, where the enricher gives one"),
        ("enriched_article_id", "integer", "the article the rows were computed on (original)"),
        ("key", "text", "cross-script key of a person or organisation; NULL for other kinds"),
    ),
)

ATTENTION_DAILY = View(
    "attention_daily",
    "one row per local day, source and name: how many articles named it (attention over time)",
    _columns(
        ("day", "date", "publication day in the page's own time zone"),
        ("source", "text", "source id"),
        ("agency", "text", "agency id"),
        ("kind", "text", "`person`, `organisation`, `place` or `country`"),
        ("key", "text", "the name's cross-script key (people, organisations), else its value"),
        ("name", "text", "one spelling of it as stored"),
        ("articles", "integer", "articles of that day and source naming it (removed left out)"),
    ),
)

VIEWS = (
    ARTICLE_VIEW,
    DAILY_COUNTS,
    SOURCE_HEALTH,
    STORY_ARTICLES,
    SOURCE_VIEW,
    ARTICLE_ENRICHMENTS,
    ATTENTION_DAILY,
)

QUERIES = (
    DocumentedQuery(
        "Articles of a source in a window",
        "SELECT * FROM article_view WHERE source = :source\n"
        "  AND published_at >= :since AND published_at < :until ORDER BY published_at",
        {"source": "sana-en", "since": "2016-10-01", "until": "2016-11-01"},
        "ix_articles_source_published",
    ),
    DocumentedQuery(
        "Daily counts of a source",
        "SELECT * FROM daily_counts WHERE source = :source\n"
        "  AND day BETWEEN :first AND :last ORDER BY day",
        {"source": "sana-en", "first": "2016-10-01", "last": "2016-10-31"},
        "ix_articles_source_day",
    ),
    DocumentedQuery(
        "Articles of a story",
        "SELECT v.* FROM story_articles s JOIN article_view v ON v.id = s.article_id\n"
        "  WHERE s.story_id = :story",
        {"story": 1},
        "pk_story_members",
    ),
    DocumentedQuery(
        "Copies of an article",
        "SELECT * FROM article_view WHERE duplicate_of = :original",
        {"original": 1},
        "ix_articles_duplicate_of_id",
    ),
)


def _table(view: View, metadata: MetaData) -> Table:
    return Table(view.name, metadata, *(Column(c.name, TYPES[c.type]) for c in view.columns))


# Apart from db.models' metadata, so Alembic never mistakes a view for a table to create.
METADATA = MetaData()
TABLES: dict[str, Table] = {view.name: _table(view, METADATA) for view in VIEWS}


def table(name: str) -> Table:
    """The SQLAlchemy table of a view, typed so values read alike on both databases."""
    return TABLES[name]


if __name__ == "__main__":
    from newsflow.db.schema_doc import write_schema_doc

    print(f"wrote {write_schema_doc()}")
