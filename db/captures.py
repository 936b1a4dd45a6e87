"""Web-archive captures linked to stored articles: a deletion is evidence, not a hole."""

from __future__ import annotations

from datetime import datetime

from newsflow.db import models
from sqlalchemy.orm import Session


def link_last_capture(session: Session, article_id: int, url: str, captured_at: datetime) -> bool:
    """Link a removed article to its last capture; False when the article is gone from the store.

    A later lookup replaces an earlier link only with a capture at least as recent.
    """
    row = session.get(models.Article, article_id)
    if row is None:
        return False
    if row.archived_capture_at is None or row.archived_capture_at <= captured_at:
        row.archived_capture_url, row.archived_capture_at = url, captured_at
    return True
