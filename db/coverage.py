"""Coverage per source and day: what was discovered, what got stored, what failed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models
from db.store import _insert


def refresh_coverage(
    session: Session, source_id: str, since: date, until: date, tz: ZoneInfo
) -> int:
    """Recount every day of the window; days are the agency's local days. Returns days written."""
    discovered = _discovered_per_day(session, source_id, since, until)
    stored = _stored_per_day(session, source_id, since, until, tz)
    failed = _failed_per_day(session, source_id, since, until)
    now = datetime.now(UTC)
    days = 0
    for day in _days(since, until):
        values = {
            "source_id": source_id,
            "day": day,
            "discovered": discovered[day],
            "stored": stored[day],
            "failed": failed[day],
            "updated_at": now,
        }
        stmt = _insert(session, models.Coverage).values(**values)
        keys = ("discovered", "stored", "failed", "updated_at")
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["source_id", "day"], set_={k: values[k] for k in keys}
            )
        )
        days += 1
    return days


def coverage_rows(
    session: Session, source_id: str, since: date, until: date
) -> list[models.Coverage]:
    """Stored coverage rows of the window, oldest first."""
    return list(
        session.execute(
            select(models.Coverage)
            .where(
                models.Coverage.source_id == source_id, models.Coverage.day.between(since, until)
            )
            .order_by(models.Coverage.day)
        ).scalars()
    )


def is_gap(row: models.Coverage) -> bool:
    """A day is a gap when nothing was found, or fewer articles were stored than listed."""
    nothing = row.discovered == 0 and row.stored == 0
    return nothing or row.stored < row.discovered or row.failed > 0


def _days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def _discovered_per_day(
    session: Session, source_id: str, since: date, until: date
) -> Counter[date]:
    rows = session.execute(
        select(models.Discovery.listed_on).where(
            models.Discovery.source_id == source_id,
            models.Discovery.listed_on.between(since, until),
        )
    ).scalars()
    return Counter(day for day in rows if day is not None)


def _stored_per_day(
    session: Session, source_id: str, since: date, until: date, tz: ZoneInfo
) -> Counter[date]:
    start = datetime.combine(since, time.min, tz).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tz).astimezone(UTC)
    rows = session.execute(
        select(models.Article.published_at).where(
            models.Article.source_id == source_id,
            models.Article.published_at >= start,
            models.Article.published_at < end,
            models.Article.duplicate_of_id.is_(None),
        )
    ).scalars()
    return Counter(moment.astimezone(tz).date() for moment in rows if moment is not None)


def _failed_per_day(session: Session, source_id: str, since: date, until: date) -> Counter[date]:
    rows = session.execute(
        select(models.Discovery.listed_on, models.Failure.url)
        .join(
            models.Failure,
            (models.Failure.url == models.Discovery.url)
            & (models.Failure.source_id == models.Discovery.source_id),
        )
        .where(
            models.Discovery.source_id == source_id,
            models.Discovery.listed_on.between(since, until),
        )
        .distinct()
    ).all()
    return Counter(day for day, _ in rows if day is not None)
