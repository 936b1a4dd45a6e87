"""Articles as plain records for downstream tools, streamed so memory stays flat."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models

COLUMNS = (
    "source",
    "url",
    "title",
    "published_at",
    "published_offset_minutes",
    "authors",
    "dateline",
    "language",
    "section",
    "tags",
    "body",
    "duplicate_of",
    "version",
    "provenance",
)


def article_records(
    session: Session,
    sources: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    batch: int = 500,
) -> Iterator[dict[str, Any]]:
    """Stored articles, oldest first, as JSON-ready dicts (UTC times; the page offset beside)."""
    query = select(models.Article).order_by(models.Article.published_at, models.Article.id)
    if sources:
        query = query.where(models.Article.source_id.in_(sources))
    if since:
        query = query.where(models.Article.published_at >= datetime.combine(since, time.min, UTC))
    if until:
        end = datetime.combine(until + timedelta(days=1), time.min, UTC)
        query = query.where(models.Article.published_at < end)
    for article in session.scalars(query.execution_options(yield_per=batch)):
        yield _record(article)


def _record(article: models.Article) -> dict[str, Any]:
    return {
        "source": article.source_id,
        "url": article.url,
        "title": article.title,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "published_offset_minutes": article.published_offset_minutes,
        "authors": article.authors,
        "dateline": article.dateline,
        "language": article.language,
        "section": article.section,
        "tags": article.tags,
        "body": article.body,
        "duplicate_of": article.duplicate_of_id,
        "version": article.version,
        "provenance": article.provenance,
    }
