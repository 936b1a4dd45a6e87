"""Web-archive captures linked to stored articles: a deletion is evidence, not a hole."""

from __future__ import annotations

from datetime import datetime

from newsflow.db import models
from sqlalchemy import update
from sqlalchemy.orm import Session


def link_last_capture(session: Session, article_id: int, url: str, captured_at: datetime) -> bool:
    """Link a removed article to its last capture; False when the article is gone from the store.

    A later lookup replaces an earlier link only with a capture at least as recent.
    """
    row = session.get(models.Article, article_id)
    if row is None:
        return False
    if row.archived_capture_at is not None and row.archived_capture_at > captured_at:
        return True
    session.execute(
        update(models.Article)
        .where(models.Article.id == article_id)
        .values(archived_capture_url=url, archived_capture_at=captured_at)
    )
    return True
