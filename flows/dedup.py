"""Exact deduplication: articles of a source that say the same thing under different URLs."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import models
from db.dialect import rowcount_of


def mark_exact_duplicates(session: Session, source_id: str) -> int:
    """Point every later article with an already-seen content hash at the first one."""
    first = (
        select(models.Article.content_hash, func.min(models.Article.id).label("first_id"))
        .where(models.Article.source_id == source_id)
        .group_by(models.Article.content_hash)
        .having(func.count() > 1)
        .subquery()
    )
    marked = 0
    for content_hash, first_id in session.execute(select(first.c.content_hash, first.c.first_id)):
        result = session.execute(
            update(models.Article)
            .where(
                models.Article.source_id == source_id,
                models.Article.content_hash == content_hash,
                models.Article.id != first_id,
                models.Article.duplicate_of_id.is_distinct_from(first_id),
            )
            .values(duplicate_of_id=first_id)
        )
        marked += rowcount_of(result)
    return marked
