"""Idempotent writes: each function is an upsert keyed by a unique constraint."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from newsflow.db import bodies, models
from newsflow.db.dialect import insert_for, rowcount_of
from newsflow.db.stems import index_article
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from newsflow.article import Article
from newsflow.edits import changed_fields
from newsflow.failures import default_code
from newsflow.page import FetchedPage
from newsflow.registry import Source
from newsflow.runs import RunStatus, parse_kind
from newsflow.settings import get_settings


class Outcome(StrEnum):
    """What storing an article did."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


# The per-article statements are built once (per dialect) and run with parameters: building
# one per call, its cache key and its ORM parameter handling, cost more than the write itself.
_EXISTING_ARTICLE = (
    select(models.Article)
    .where(
        models.Article.source_id == bindparam("source_id"),
        models.Article.url == bindparam("url"),
    )
    .with_for_update()
)
_PAGE_ID = select(models.Page.id).where(
    models.Page.url == bindparam("url"), models.Page.body_sha256 == bindparam("body_sha256")
)
_PREPARED: dict[tuple[str, Callable[[Session], Any]], Any] = {}


def _prepared(session: Session, build: Callable[[Session], Any]) -> Any:
    """The statement ``build`` makes for the session's dialect, made once."""
    key = (session.get_bind().dialect.name, build)
    if key not in _PREPARED:
        _PREPARED[key] = build(session)
    return _PREPARED[key]


def _page_insert(session: Session) -> Any:
    pages = cast(Any, models.Page.__table__)  # the table: Core, not the ORM's bulk insert
    insert = insert_for(session, pages).on_conflict_do_nothing(
        index_elements=["url", "body_sha256"]
    )
    return insert.returning(pages.c.id)


def _article_insert(session: Session) -> Any:
    articles = cast(Any, models.Article.__table__)
    insert = insert_for(session, articles).on_conflict_do_nothing(
        index_elements=["source_id", "url"]
    )
    return insert.returning(articles.c.id)


def sync_sources(session: Session, sources: Iterable[Source]) -> int:
    """Upsert the registry's sources; returns how many were synced."""
    count = 0
    for source in sources:
        values = {
            "id": source.id,
            "agency": source.agency.id,
            "name": source.name,
            "homepage": str(source.agency.homepage),
            "language": source.language,
            "timezone": source.agency.timezone,
            "schedule": source.schedule,
            "enabled": source.edition.enabled,
            "country": source.agency.country,
            "owner": source.agency.owner,
            "collections": list(source.agency.collections),
            "synced_at": datetime.now(UTC),
        }
        stmt = insert_for(session, models.Source).values(**values)
        session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
        count += 1
    return count


def start_run(
    session: Session,
    source_id: str,
    kind: str,
    window: tuple[date, date] | None = None,
    flow_run_id: str | None = None,
    *,
    parent_run_id: int | None = None,
    partitions: int | None = None,
) -> int:
    """Open a crawl run and return its id; ``kind`` must be a RunKind (RunParameterError).

    A backfill partition names its backfill's run (``parent_run_id``); a partitioned
    backfill's own run says how many partitions it has, and beats from the start.
    """
    run = models.CrawlRun(
        source_id=source_id,
        kind=str(parse_kind(kind)),
        window_start=window[0] if window else None,
        window_end=window[1] if window else None,
        flow_run_id=flow_run_id,
        counts={},
        parent_run_id=parent_run_id,
        partitions=partitions,
        heartbeat_at=datetime.now(UTC) if partitions is not None else None,
    )
    session.add(run)
    session.flush()
    return run.id


def mark_interrupted(session: Session, source_id: str) -> int:
    """Close the source's runs left 'running' by a process that is gone.

    A run a live lease holds the source for is never touched (db/leases.py): callers hold the
    source's lease themselves, so any other run still 'running' lost its process. A partitioned
    backfill's own run holds no lease (its partitions do, in turn): its process beats instead
    (``beat``), and it is gone once its beat is older than a lease lasts.
    """
    now = datetime.now(UTC)
    live = select(models.SourceLease.run_id).where(
        models.SourceLease.source_id == source_id,
        models.SourceLease.run_id.is_not(None),
        models.SourceLease.expires_at > now,
    )
    stale = now - timedelta(seconds=get_settings().runs.lease_seconds)
    beat = func.coalesce(models.CrawlRun.heartbeat_at, models.CrawlRun.started_at)
    result = session.execute(
        update(models.CrawlRun)
        .where(
            models.CrawlRun.source_id == source_id,
            models.CrawlRun.status == RunStatus.RUNNING,
            models.CrawlRun.id.not_in(live),
            models.CrawlRun.partitions.is_(None) | (beat < stale),
        )
        .values(status=RunStatus.INTERRUPTED, finished_at=now)
    )
    return rowcount_of(result)


def beat(session: Session, run_id: int) -> None:
    """A partitioned backfill's own run is alive (its process says so every heartbeat)."""
    session.execute(
        update(models.CrawlRun)
        .where(models.CrawlRun.id == run_id, models.CrawlRun.status == RunStatus.RUNNING)
        .values(heartbeat_at=datetime.now(UTC))
    )


def finish_run(
    session: Session, run_id: int, counts: dict[str, int], status: str, error: str | None = None
) -> bool:
    """Close a running run with its counts and final status; False if it was closed already.

    A run another process closed as interrupted (it took over an expired lease) stays so.
    """
    closed = session.execute(
        update(models.CrawlRun)
        .where(models.CrawlRun.id == run_id, models.CrawlRun.status == RunStatus.RUNNING)
        .values(
            counts=counts,
            status=str(RunStatus(status)),
            error=error,
            finished_at=datetime.now(UTC),
        )
    )
    return rowcount_of(closed) == 1


def save_page(session: Session, run_id: int | None, source_id: str, page: FetchedPage) -> int:
    """Store a response (compressed) once per distinct body; returns the page id."""
    digest = page.body_sha256  # hashed anew at each read of the property
    values = {
        "run_id": run_id,
        "source_id": source_id,
        "kind": str(page.kind),
        "url": page.url,
        "final_url": page.final_url,
        "status": page.status,
        "headers": page.headers,
        "fetched_at": page.fetched_at,
        "body": bodies.compress(page.body),
        "body_sha256": digest,
    }
    new_id = session.execute(_prepared(session, _page_insert), values).scalar_one_or_none()
    if new_id is not None:
        return int(new_id)
    found = session.execute(_PAGE_ID, {"url": page.url, "body_sha256": digest})
    return int(found.scalar_one())


def load_page_body(page: models.Page) -> bytes:
    """The stored body of a page, decompressed."""
    return bodies.decompress(page.body)


def save_article(
    session: Session, article: Article, page_id: int | None, seen_at: datetime | None = None
) -> Outcome:
    """Insert or update an article by (source, canonical URL); an edit keeps the old version.

    Only a changed title, body, authors or date (``newsflow.edits``) makes a new version; a
    re-crawl that differs only in whitespace, counters, teasers or furniture refreshes the
    row in place and reports UNCHANGED. Text that is not Unicode (a lone surrogate, which
    extraction never keeps) raises the driver's ``UnicodeEncodeError``.
    """
    if article.source is None:
        raise ValueError("an article needs its source to be stored")
    seen_at = seen_at or datetime.now(UTC)
    existing = session.execute(
        _EXISTING_ARTICLE, {"source_id": article.source, "url": article.url}
    ).scalar_one_or_none()
    values = _article_values(article, page_id)
    if existing is None:
        row = {**values, "first_seen_at": seen_at, "last_seen_at": seen_at, "version": 1}
        new_id = session.execute(_prepared(session, _article_insert), row).scalar_one_or_none()
        if new_id is None:
            return Outcome.UNCHANGED
        index_article(session, new_id, *_searched(values))
        return Outcome.NEW
    # A re-read of an older page (reprocess) must not move the times back.
    existing.last_seen_at = max(existing.last_seen_at, seen_at)
    existing.checked_at = max(existing.checked_at or seen_at, seen_at)
    changed = changed_fields(existing, article)
    if changed:
        keep_version(session, existing, changed, seen_at)
    if "published_at" not in changed:  # a lost or rounded date is no new date: keep it
        del values["published_at"], values["published_offset_minutes"]
    searched = _searched(values)
    restem = searched != (existing.language, existing.title, existing.body, existing.authors)
    for key, value in values.items():
        setattr(existing, key, value)
    if restem:  # the update first: its trigger indexes the new words unstemmed
        session.flush()
        index_article(session, existing.id, *searched)
    return Outcome.UPDATED if changed else Outcome.UNCHANGED


def keep_version(
    session: Session, article: models.Article, changed: list[str], seen_at: datetime
) -> None:
    """Keep the article's current values as an earlier version and number the next one."""
    session.add(
        models.ArticleVersion(
            article_id=article.id,
            version=article.version,
            title=article.title,
            body=article.body,
            content_hash=article.content_hash,
            authors=list(article.authors),
            published_at=article.published_at,
            changed_fields=changed,
            replaced_at=seen_at,
        )
    )
    article.version += 1


def _searched(values: dict[str, Any]) -> tuple[Any, ...]:
    """What the search index is made of (db/stems.py), in ``index_article``'s order."""
    return values["language"], values["title"], values["body"], values["authors"]


def _article_values(article: Article, page_id: int | None) -> dict[str, Any]:
    return {
        "source_id": article.source,
        "url": article.url,
        "title": article.title,
        "body": article.body,
        "authors": list(article.authors),
        "published_at": article.published_at,
        "published_offset_minutes": article.utc_offset_minutes,
        "modified_at": article.modified_at,
        "dateline": article.dateline,
        "language": article.language,
        "section": article.section,
        "tags": list(article.tags),
        "provenance": dict(article.provenance),
        "content_hash": article.content_hash,
        "page_id": page_id,
        "via": article.via and str(article.via),
        "capture_url": article.capture_url,
        "captured_at": article.captured_at,
    }


def known_article_urls(session: Session, source_id: str, urls: Iterable[str]) -> set[str]:
    """Which of these URLs were already fetched as articles of the source.

    A URL is known when it is a stored article's canonical URL, or an article page was
    requested at it or redirected to it (legacy host → archive host).
    """
    wanted = list(dict.fromkeys(urls))
    known: set[str] = set()
    page = models.Page
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        known.update(
            session.execute(
                select(models.Article.url).where(
                    models.Article.source_id == source_id, models.Article.url.in_(chunk)
                )
            ).scalars()
        )
        for column in (page.url, page.final_url):
            # ``source_id || ''`` keeps SQLite (no statistics) on the URL's index instead of
            # reading every page of the source; PostgreSQL filters the few rows either way.
            same_source = page.source_id.concat("") == source_id
            known.update(
                session.execute(
                    select(column).where(same_source, page.kind == "article", column.in_(chunk))
                ).scalars()
            )
    return known


def record_failure(
    session: Session,
    run_id: int | None,
    source_id: str,
    url: str,
    stage: str,
    reason: str,
    http_status: int | None = None,
    code: str | None = None,
) -> None:
    """Record why a URL failed at a stage (once per run, URL and stage), with its reason code."""
    values = {
        "run_id": run_id,
        "source_id": source_id,
        "url": url,
        "stage": stage,
        "code": str(code or default_code(stage)),
        "reason": reason[:2000],
        "http_status": http_status,
        "occurred_at": datetime.now(UTC),
    }
    stmt = insert_for(session, models.Failure).values(**values)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["run_id", "url", "stage"]))


def feed_validators(session: Session, url: str) -> tuple[str | None, str | None]:
    """The stored (ETag, Last-Modified) of a feed, for a conditional GET."""
    feed = session.get(models.Feed, url)
    return (feed.etag, feed.last_modified) if feed else (None, None)


def update_feed(
    session: Session,
    url: str,
    source_id: str,
    kind: str,
    status: int,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    item_count: int | None = None,
    newest_item_at: datetime | None = None,
    error: str | None = None,
    conditional: bool = True,
) -> None:
    """Record a feed fetch; a 304 keeps the stored validators (servers may omit them).

    ``conditional=False`` forgets them: a document whose listed URLs are not queued (a sitemap
    index) must be read in full each time, or a run killed after it would lose its children.
    """
    now = datetime.now(UTC)
    feed = session.get(models.Feed, url) or models.Feed(url=url, source_id=source_id, kind=kind)
    feed.last_status, feed.last_fetched_at, feed.error = status, now, error
    if not conditional:
        feed.etag = feed.last_modified = etag = last_modified = None
    if etag:
        feed.etag = etag
    if last_modified:
        feed.last_modified = last_modified
    if error is None and status in (200, 304):
        feed.last_success_at = now
    if item_count is not None:
        feed.item_count = item_count
    if newest_item_at is not None:
        feed.newest_item_at = newest_item_at
    session.add(feed)


def record_discoveries(
    session: Session,
    run_id: int | None,
    source_id: str,
    found: Iterable[tuple[str, date | None, str]],
) -> int:
    """Remember article URLs a feed, sitemap or listing named: (url, listed_on, via).

    One multi-row INSERT … ON CONFLICT per chunk, not a statement per URL; a URL named twice
    in one call is one row, with the first date it was given.
    """
    now = datetime.now(UTC)
    rows: dict[str, dict[str, Any]] = {}
    for url, listed_on, via in found:
        row = rows.setdefault(url, {"source_id": source_id, "url": url, "listed_on": None})
        row.setdefault("via", via)
        row["listed_on"] = row["listed_on"] or listed_on
        row.update(run_id=run_id, discovered_at=now)
    values = list(rows.values())
    for start in range(0, len(values), _DISCOVERY_CHUNK):
        chunk = values[start : start + _DISCOVERY_CHUNK]
        stmt = insert_for(session, models.Discovery).values(chunk)
        # A later listing with a date fills in a discovery first seen undated.
        stmt = stmt.on_conflict_do_update(
            index_elements=["source_id", "url"],
            set_={"listed_on": func.coalesce(models.Discovery.listed_on, stmt.excluded.listed_on)},
        )
        session.execute(stmt)
    return len(values)


# Rows per INSERT: six parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535.
_DISCOVERY_CHUNK = 1000


# A URL whose fetch keeps failing for passing reasons is given up after this many runs.
MAX_ATTEMPTS = 5


def pending_discoveries(session: Session, source_id: str, limit: int) -> list[str]:
    """The source's queue: listed URLs neither stored nor settled, oldest first (``limit``)."""
    found = models.Discovery
    urls = session.execute(
        select(found.url)
        .where(found.source_id == source_id, found.done_at.is_(None))  # ix_discoveries_pending
        .order_by(found.id)
        .limit(limit)
    )
    return list(urls.scalars())


def settle_discoveries(
    session: Session,
    source_id: str,
    urls: Iterable[str],
    *,
    retry: bool = False,
    max_attempts: int = MAX_ATTEMPTS,
) -> int:
    """Take these URLs off the source's queue; returns how many were taken off.

    Settled means handled for good: stored, recorded as no article, or failed in a way a refetch
    would not change. ``retry`` marks a passing failure (timeout, 5xx, database error): it only
    counts an attempt, and the URL stays queued for the next run until ``max_attempts``.
    """
    settled, wanted = 0, list(dict.fromkeys(u for u in urls if u))
    for start in range(0, len(wanted), 500):
        queued: dict[str, Any] = {"source": source_id, "urls": wanted[start : start + 500]}
        if retry:
            session.execute(_COUNT_ATTEMPT, queued)
        given = {**queued, "settled_at": datetime.now(UTC), "most_attempts": max_attempts}
        settled += rowcount_of(session.execute(_GIVE_UP if retry else _SETTLE, given))
    return settled


_DISCOVERIES = models.Discovery.__table__
# Parameters of an UPDATE must not be named after its table's columns.
_QUEUED = (
    _DISCOVERIES.c.source_id == bindparam("source"),
    _DISCOVERIES.c.url.in_(bindparam("urls", expanding=True)),
    _DISCOVERIES.c.done_at.is_(None),
)
_COUNT_ATTEMPT = update(_DISCOVERIES).where(*_QUEUED).values(attempts=_DISCOVERIES.c.attempts + 1)
_SETTLE = update(_DISCOVERIES).where(*_QUEUED).values(done_at=bindparam("settled_at"))
_GIVE_UP = _SETTLE.where(_DISCOVERIES.c.attempts >= bindparam("most_attempts"))


def follows_cut_run(session: Session, source_id: str, run_id: int) -> bool:
    """Whether work before this run may have been cut short (a killed run, a retried crawl).

    True when the source's previous run did not complete, or when an earlier attempt of this
    same run (a retried crawl task) already fetched pages.
    """
    run = models.CrawlRun
    previous = session.execute(
        select(run.status)
        # A revisit run re-checks stored articles only, an import reads WARC files: neither
        # proves anything about discovery.
        .where(run.source_id == source_id, run.id < run_id, run.kind.not_in(("revisit", "import")))
        .order_by(run.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if previous not in (None, "completed"):
        return True
    fetched = select(models.Page.id).where(models.Page.run_id == run_id).limit(1)
    return session.execute(fetched).first() is not None
