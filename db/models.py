"""SQLAlchemy 2 ORM models. Unique constraints carry identity, so every write is an upsert."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC; SQLite gets them back aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


def utcnow() -> datetime:
    return datetime.now(UTC)


class Source(Base):
    """The registry as last synced."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    homepage: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    schedule: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Kept by triggers on articles (migration 0011): a count that costs nothing to read.
    articles_stored: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # How analysts group sources (registry: country, owner type, collections; migration 0016).
    country: Mapped[str | None] = mapped_column(String(2))
    owner: Mapped[str | None] = mapped_column(String(16))
    collections: Mapped[list[str] | None] = mapped_column(JSON)


class CrawlRun(Base):
    """One flow run over one source: what it did and how it ended."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # newsflow.runs.RunKind
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    # A backfill partition's run: the backfill it is a month of (migration 0017).
    parent_run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    partitions: Mapped[int | None]  # a partitioned backfill's own run: how many it has
    # Renewed by a partitioned backfill's own run while its process lives (migration 0019).
    heartbeat_at: Mapped[datetime | None]


class HostPace(Base):
    """When the next request to a host may go, shared by every crawl (crawlers/pace.py)."""

    __tablename__ = "host_pace"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch, database clock


class SourceLease(Base):
    """The one run crawling a source now; a heartbeat keeps ``expires_at`` ahead (db/leases.py)."""

    __tablename__ = "source_leases"

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))  # this hold on the source, for compare-and-set
    holder: Mapped[str] = mapped_column(String(300))  # host:pid:process start
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Page(Base):
    """A fetched response, body compressed (db/bodies.py); one row per distinct body of a URL."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("url", "body_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(2000))
    final_url: Mapped[str] = mapped_column(String(2000), index=True)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fetched_at: Mapped[datetime]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    body_sha256: Mapped[str] = mapped_column(String(64))


class Feed(Base):
    """Conditional-GET state and health of one feed or sitemap URL."""

    __tablename__ = "feeds"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_fetched_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    newest_item_at: Mapped[datetime | None]
    item_count: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class Article(Base):
    """The current version of an article, unique by canonical URL within its source."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("source_id", "url"),
        Index("ix_articles_source_published", "source_id", "published_at"),
        Index("ix_articles_duplicate_of_id", "duplicate_of_id"),
        # The queues, read in id order (migration 0012): new articles, and articles whose text
        # changed since dedup or the enrichers last saw it.
        Index(
            "ix_articles_dedup_pending",
            "source_id",
            "id",
            postgresql_where=text("dedup_pending"),
            sqlite_where=text("dedup_pending = 1"),
        ),
        Index(
            "ix_articles_enrich_pending",
            "source_id",
            "id",
            postgresql_where=text("enrich_pending"),
            sqlite_where=text("enrich_pending = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(default=list)
    published_at: Mapped[datetime | None]
    published_offset_minutes: Mapped[int | None] = mapped_column(Integer)
    modified_at: Mapped[datetime | None]
    dateline: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    section: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(default=list)
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    duplicate_similarity: Mapped[float | None] = mapped_column(Float)  # shingle Jaccard
    duplicate_method: Mapped[str | None] = mapped_column(String(8))  # exact | near
    # The content_hash last deduplicated: a new or edited article differs, so it is queued again.
    dedup_hash: Mapped[str | None] = mapped_column(String(64))
    # The content_hash last enriched: a new or edited article differs, so it is queued again.
    enriched_hash: Mapped[str | None] = mapped_column(String(64))
    # Computed by the database (migration 0012; SQLite spells it IS NOT): the article waits for
    # dedup / the enrichers until they have seen its current text. A column, so PostgreSQL keeps
    # statistics on it and reads a queue through its partial index.
    dedup_pending: Mapped[bool] = mapped_column(
        Boolean, Computed("dedup_hash IS DISTINCT FROM content_hash")
    )
    enrich_pending: Mapped[bool] = mapped_column(
        Boolean, Computed("enriched_hash IS DISTINCT FROM content_hash")
    )
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A revisit found the article gone (404/410, or redirected to a home or listing page).
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str | None] = mapped_column(String(32))
    checked_at: Mapped[datetime | None]  # the last revisit, changed or not
    # Where the text came from (migration 0018; newsflow.article.Via): NULL or `site`, else a
    # web archive's capture or a WARC record, named by its URL and time.
    via: Mapped[str | None] = mapped_column(String(16))
    capture_url: Mapped[str | None] = mapped_column(String(2000))
    captured_at: Mapped[datetime | None]
    # Once removed from the site: its last capture in the source's web archive, if any.
    archived_capture_url: Mapped[str | None] = mapped_column(String(2000))
    archived_capture_at: Mapped[datetime | None]


class ArticleVersion(Base):
    """An earlier version of an article, kept when a refetch changed what it says."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    authors: Mapped[list[str] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None]
    changed_fields: Mapped[list[str]] = mapped_column(default=list)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class Failure(Base):
    """A fetch, parse or extraction failure, recorded against its run and source."""

    __tablename__ = "failures"
    __table_args__ = (
        UniqueConstraint("run_id", "url", "stage"),
        Index("ix_failures_source_code", "source_id", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    stage: Mapped[str] = mapped_column(String(16))  # fetch | parse | extract | store
    code: Mapped[str | None] = mapped_column(String(32))  # stable reason code, e.g. too_large
    reason: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)


class Discovery(Base):
    """An article URL some feed, sitemap or listing named, with the date it was listed under."""

    __tablename__ = "discoveries"
    __table_args__ = (
        UniqueConstraint("source_id", "url"),
        Index("ix_discoveries_source_listed", "source_id", "listed_on"),
        Index("ix_discoveries_run_id", "run_id"),
        # The queue of listed URLs not yet stored or recorded as failed: small, so indexed apart.
        Index(
            "ix_discoveries_pending",
            "source_id",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(String(2000))
    listed_on: Mapped[date | None] = mapped_column(Date)
    via: Mapped[str] = mapped_column(String(16))  # feed | sitemap | listing
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    discovered_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]  # stored as an article or recorded as a failure
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Coverage(Base):
    """Per source and day: URLs discovered, articles stored, listed URLs missing, failures."""

    __tablename__ = "coverage"

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    discovered: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleBand(Base):
    """One LSH band key of an article's MinHash signature; shared keys make candidates."""

    __tablename__ = "article_bands"
    # The band number is folded into the key's hash, so the key alone finds candidates; a
    # (band, key) row-value IN of a batch's keys is too deep for PostgreSQL's planner.
    __table_args__ = (Index("ix_article_bands_key", "key", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    # Near-duplicate bands and story bands are numbered apart (newsflow.dedup.lsh).
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)


class Story(Base):
    """Articles of several sources about one event: a cluster apart from duplicates."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str | None] = mapped_column(String(16))  # None once languages mix
    first_published_at: Mapped[datetime | None] = mapped_column(index=True)
    last_published_at: Mapped[datetime | None]
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoryMember(Base):
    """An article in a story, with the score and method that put it there."""

    __tablename__ = "story_members"
    __table_args__ = (Index("ix_story_members_article_id", "article_id"),)

    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Float)
    # "text": same-language title and lead terms; later methods (entities, places) add members
    # across languages under their own name.
    method: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enrichment(Base):
    """One finding of an enricher about an article: its language, a place, a person, a keyword.

    ``label`` is the normalised code (ISO 3166-1 for places, ISO 639-1 for languages, a short
    name for known organisations); offsets index the article's title, a blank line, its body.
    ``key`` is the cross-script key of a person or organisation name (NULL for other kinds):
    Dmitry Peskov, Дмитрий Песков and ديمتري بيسكوف all have ``bskf dmtr`` (surname first).
    """

    __tablename__ = "enrichments"
    __table_args__ = (
        Index("ix_enrichments_article_enricher", "article_id", "enricher"),
        Index("ix_enrichments_kind_label", "kind", "label"),
        Index("ix_enrichments_kind_value", "kind", "value"),
        # Articles by name (migration 0013): a surname is a range of keys (they begin with it);
        # with article_id in the index, the match reads the index alone.
        # Partial: other kinds have no key, and a kind-first index over all rows would draw
        # the planner away from ix_enrichments_article_enricher for per-article reads.
        Index(
            "ix_enrichments_kind_key",
            "kind",
            "key",
            "article_id",
            postgresql_where=text("key IS NOT NULL"),
            sqlite_where=text("key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    enricher: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(64))
    start_offset: Mapped[int | None] = mapped_column(Integer)
    end_offset: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(String(500), default="")
    score: Mapped[float | None] = mapped_column(Float)
    # Byte order on PostgreSQL (as SQLite compares): a surname's range of keys ("bskf" to
    # "bskf!") must not follow a locale that ignores spaces.
    key: Mapped[str | None] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql")
    )


class EnrichmentRun(Base):
    """The last run of one enricher on one article: its version, the text it read, any error.

    Written even when the enricher found nothing, so a re-enrich knows what is current.
    """

    __tablename__ = "enrichment_runs"
    __table_args__ = (Index("ix_enrichment_runs_enricher_version", "enricher", "version"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    enricher: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    enriched_at: Mapped[datetime] = mapped_column(default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)


class SyncCursor(Base):
    """A named position in the change log (db/changes.py): where `export --cursor` resumes.

    ``position`` is a transaction horizon on PostgreSQL and a log id on SQLite (db/changes.py
    says why); it moves only after an export's output was written whole. ``filters`` are the
    export's, so a cursor is not resumed with other filters by mistake.
    """

    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    emitted: Mapped[int] = mapped_column(BigInteger, default=0)  # records the last sync wrote
