"""Typed reads of the query contract (docs/schema.md) for programs that do not want SQL.

Each function reads one view through the same filters as ``newsflow export`` and
``newsflow search`` and yields frozen dataclasses, one per view row; lists come back as tuples.
They read the configured database (``NEWSFLOW_DATABASE_URL``), or ``database_url``::

    from datetime import date
    from newsflow import query

    for article in query.articles(source="sana-en", since=date(2016, 10, 1)):
        print(article.published_at, article.title, article.countries)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from newsflow.db.search import Hit as SearchHit

__all__ = [
    "ArticleRow",
    "DailyCount",
    "SearchHit",
    "SourceHealth",
    "articles",
    "daily_counts",
    "search",
    "source_health",
]

Moment = date | datetime
Sources = str | Sequence[str] | None
_Row = TypeVar("_Row")


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One row of ``article_view``: an article, its copy and story links, its enrichments."""

    id: int
    source: str
    agency: str
    url: str
    language: str | None
    detected_language: str | None
    declared_language: str | None
    title: str
    body: str
    authors: tuple[str, ...]
    published_at: datetime | None
    published_offset_minutes: int | None
    published_day: date | None
    modified_at: datetime | None
    dateline: str | None
    section: str | None
    tags: tuple[str, ...]
    duplicate_of: int | None
    duplicate_similarity: float | None
    duplicate_method: str | None
    original_id: int
    story_id: int | None
    version: int
    removed: bool
    removed_at: datetime | None
    removed_reason: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    countries: tuple[str, ...]
    places: tuple[str, ...]
    people: tuple[str, ...]
    organisations: tuple[str, ...]
    keywords: tuple[str, ...]
    provenance: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DailyCount:
    """One row of ``daily_counts``: a source's articles of one language and agency-local day."""

    source: str
    agency: str
    language: str | None
    day: date | None
    articles: int
    originals: int
    duplicates: int
    removed: int


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One row of ``source_health``: a source's last run, newest article, failures, feeds."""

    source: str
    agency: str
    name: str
    enabled: bool
    last_run_id: int | None
    last_run_kind: str | None
    last_run_status: str | None
    last_run_started_at: datetime | None
    last_run_finished_at: datetime | None
    last_completed_at: datetime | None
    last_new_article_at: datetime | None
    failures_24h: int
    failures_7d: int
    feeds: int
    stale_feeds: int
    oldest_feed_success_at: datetime | None


def articles(
    *,
    source: Sources = None,
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    include_copies: bool = False,
    story: int | None = None,
    name: str | None = None,
    database_url: str | None = None,
) -> Iterator[ArticleRow]:
    """Articles oldest first, streamed; copies only with ``include_copies``.

    ``since``/``until`` as days bound whole UTC days (``until`` inclusive); as aware datetimes
    they are instants (``until`` exclusive). ``story`` keeps one story's originals. ``name``
    keeps the articles naming a person or organisation, written in any script: "Peskov",
    "Песков" and "بيسكوف" all find Dmitry Peskov (one word matches a surname; a name without
    letters raises ValueError).
    """
    from newsflow.db.export import article_select

    query = article_select(
        _sources(source), language, since, until, include_copies, story, name=name
    )
    yield from _read(ArticleRow, query, database_url)


def daily_counts(
    *,
    source: Sources = None,
    language: str | None = None,
    since: date | None = None,
    until: date | None = None,
    database_url: str | None = None,
) -> Iterator[DailyCount]:
    """Counts per source, language and agency-local day, by day then source (days inclusive)."""
    from sqlalchemy import select

    from newsflow.db.views import table

    view = table("daily_counts")
    query = select(view).order_by(view.c.day, view.c.source, view.c.language)
    if sources := _sources(source):
        query = query.where(view.c.source.in_(sources))
    if language:
        query = query.where(view.c.language == language)
    if since:
        query = query.where(view.c.day >= since)
    if until:
        query = query.where(view.c.day <= until)
    yield from _read(DailyCount, query, database_url)


def source_health(*, database_url: str | None = None) -> list[SourceHealth]:
    """Every source's health, by source id."""
    from sqlalchemy import select

    from newsflow.db.views import table

    view = table("source_health")
    return list(_read(SourceHealth, select(view).order_by(view.c.source), database_url))


def search(
    text: str,
    *,
    source: Sources = None,
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    all_copies: bool = False,
    limit: int = 20,
    name: str | None = None,
    database_url: str | None = None,
) -> list[SearchHit]:
    """Ranked full-text matches with snippets, one per story or original unless ``all_copies``.

    ``text`` is web-search syntax: words (all required), "phrases", OR, -excluded. ``name``
    keeps the articles naming a person or organisation in any script, as in ``articles``.
    """
    from newsflow.db import search as fts
    from newsflow.db.session import session_scope

    with session_scope(database_url) as session:
        return fts.search(
            session,
            text,
            sources=_sources(source),
            language=language,
            since=since,
            until=until,
            all_copies=all_copies,
            limit=limit,
            name=name,
        )


def _sources(source: Sources) -> list[str]:
    if source is None:
        return []
    return [source] if isinstance(source, str) else list(source)


def _read(kind: type[_Row], query: Any, database_url: str | None) -> Iterator[_Row]:
    from newsflow.db.export import stream
    from newsflow.db.session import session_scope

    with session_scope(database_url) as session:
        for record in stream(session, query):
            yield kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in record.items()})
