"""Stored raw pages read back in the order they were stored, for the WARC export.

The one read of the ``pages`` table itself rather than a view: a WARC holds the responses as
fetched (status, headers, body), which no view exposes. Rows stream a batch at a time
(``db.export.stream``), one decompressed body in hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from newsflow.db import models
from newsflow.db.export import Moment, instant, stream
from newsflow.db.store import load_page_body
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from newsflow.page import FetchedPage, PageKind
from newsflow.warc.writer import StoredPage

BATCH = 200  # pages per fetch: bodies are the bulk of each row


def page_select(
    sources: Sequence[str] = (), since: Moment | None = None, until: Moment | None = None
) -> Select[Any]:
    """Stored pages in the order they were stored, narrowed by source and fetch time.

    A day bounds the window by whole UTC days (``until`` inclusive), as ``article_select``'s
    publication window does.
    """
    page = models.Page
    query = select(page).order_by(page.id)
    if sources:
        query = query.where(page.source_id.in_(list(sources)))
    if since is not None:
        query = query.where(page.fetched_at >= instant(since))
    if until is not None:
        query = query.where(page.fetched_at < instant(until, after=True))
    return query


def stored_pages(session: Session, query: Select[Any]) -> Iterator[StoredPage]:
    """The query's pages as fetched, a batch of rows from the database at a time."""
    for row in stream(session, query, BATCH):
        page = row["Page"]
        yield StoredPage(
            FetchedPage(
                url=page.url,
                final_url=page.final_url,
                status=page.status,
                kind=PageKind(page.kind),
                fetched_at=page.fetched_at,
                body=load_page_body(page),
                headers=dict(page.headers or {}),
            ),
            page.source_id,
        )
        session.expunge(page)  # the ORM keeps no row it has handed out
