"""The retry queue seen per listing day: URLs waiting for another try, and URLs given up.

A listed URL whose fetch failed for a passing reason (a timeout, a 5xx, a database error) stays
on the source's queue (``discoveries.done_at`` empty) with its ``attempts`` counted, and each
run fetches it again; after ``store.MAX_ATTEMPTS`` failed runs it is settled, given up. Both are
counted from ``discoveries`` as they stand, so nothing here needs a column of its own: queued
rows through the small pending index, given-up ones through the (source, listed day) index,
never a scan of the source's whole history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from newsflow.db import models
from newsflow.db.store import MAX_ATTEMPTS
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

_FOUND = models.Discovery
# Waiting for a retry: not settled, and failed at least once.
_QUEUED = (_FOUND.done_at.is_(None), _FOUND.attempts > 0)
# Given up: settled by the failure that reached the cap (settle_discoveries' _GIVE_UP).
_GIVEN_UP = (_FOUND.done_at.is_not(None), _FOUND.attempts >= MAX_ATTEMPTS)


@dataclass(frozen=True)
class RetryDay:
    """One source's listing day: URLs queued for a retry, and URLs given up."""

    source_id: str
    day: date | None  # None: listed without a day (a feed item with no date)
    queued: int = 0
    given_up: int = 0


def retries_per_day(
    session: Session, source_id: str, since: date, until: date
) -> dict[date, RetryDay]:
    """The window's days that have queued or given-up URLs (the others have neither)."""
    in_window = _FOUND.listed_on.between(since, until)
    queued = _count(session, source_id, in_window, *_QUEUED)
    given_up = _count(session, source_id, in_window, *_GIVEN_UP)
    days = sorted(set(queued) | set(given_up), key=_order)
    return {
        day: RetryDay(source_id, day, queued.get(day, 0), given_up.get(day, 0))
        for day in days
        if day is not None
    }


def retry_days(session: Session, source_ids: list[str], given_up_since: date) -> list[RetryDay]:
    """Per source and listing day, newest first: every URL queued for a retry, and the URLs
    given up that were listed on ``given_up_since`` or later (or without a day)."""
    recent = or_(_FOUND.listed_on >= given_up_since, _FOUND.listed_on.is_(None))
    found: list[RetryDay] = []
    for source_id in source_ids:
        queued = _count(session, source_id, *_QUEUED)
        given_up = _count(session, source_id, recent, *_GIVEN_UP)
        days = sorted(set(queued) | set(given_up), key=_order, reverse=True)
        found += [
            RetryDay(source_id, day, queued.get(day, 0), given_up.get(day, 0)) for day in days
        ]
    return found


def _count(session: Session, source_id: str, *where: ColumnElement[bool]) -> dict[date | None, int]:
    rows = session.execute(
        select(_FOUND.listed_on, func.count())
        .where(_FOUND.source_id == source_id, *where)
        .group_by(_FOUND.listed_on)
    )
    return {day: count for day, count in rows}


def _order(day: date | None) -> date:
    """Undated rows sort as the newest: they come from feeds, which list the latest."""
    return day or date.max
