"""Coverage per source and day: what was discovered, what got stored, what is still missing.

A listed URL is missing until it is an article URL or was fetched as an article page without
an extraction failure; agencies list one article under several URLs (SANA's legacy and archive
hosts), so counting missing URLs, not discovered minus stored, is what shows real gaps.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newsflow.db import models
from newsflow.db.dialect import insert_for
from sqlalchemy import Exists, exists, select
from sqlalchemy.orm import Session

# Days between two touched ones that are counted with them (empty days show as gaps).
_MAX_GAP = timedelta(days=31)
# A run's count once it recounted coverage, for its own days and every uncounted earlier run's.
COUNTED = "coverage_days"


def heal_coverage(
    session: Session,
    source_id: str,
    run_id: int,
    tz: ZoneInfo,
    window: tuple[date, date] | None = None,
) -> int:
    """Recount every day this run touched, and every day the source's runs since the last one
    that counted touched: a killed, failed or cancelled run's days are counted by the next.

    Returns the days written, which the caller stores as the run's ``coverage_days`` count
    once this has committed.
    """
    days = touched_days(session, source_id, uncounted_runs(session, source_id, run_id), tz)
    if window:
        days.update(_days(*window))
    # Spans of days, not one from the first to the last: one article dated years off would
    # make it decades of days to rewrite. Shorter gaps are counted too (as empty days).
    return sum(refresh_coverage(session, source_id, *span, tz) for span in day_spans(days))


def uncounted_runs(session: Session, source_id: str, run_id: int) -> list[int]:
    """This run and the source's runs before it, back to the last that recounted coverage."""
    found = [run_id]
    earlier = session.execute(
        select(models.CrawlRun.id, models.CrawlRun.counts)
        .where(models.CrawlRun.source_id == source_id, models.CrawlRun.id < run_id)
        .order_by(models.CrawlRun.id.desc())
        .execution_options(yield_per=100)
    )
    for earlier_id, counts in earlier:
        if counts and COUNTED in counts:
            break
        found.append(earlier_id)
    return found


def touched_days(session: Session, source_id: str, run_ids: list[int], tz: ZoneInfo) -> set[date]:
    """The days the runs listed an article for, or stored one published on (local days)."""
    # By run alone: the runs are the source's, and the source's index would read all of it.
    listed = session.execute(
        select(models.Discovery.listed_on).distinct().where(models.Discovery.run_id.in_(run_ids))
    ).scalars()
    article, page = models.Article, models.Page
    published = session.execute(
        select(article.published_at)
        .join(page, (article.source_id == source_id) & (article.url == page.url))
        .where(page.run_id.in_(run_ids))
    ).scalars()
    days = {day for day in listed if day is not None}
    return days | {aware(moment).astimezone(tz).date() for moment in published if moment}


def day_spans(days: set[date]) -> list[tuple[date, date]]:
    """The days as (first, last) spans, a gap of up to ``_MAX_GAP`` inside a span."""
    spans: list[tuple[date, date]] = []
    for day in sorted(days):
        if spans and day - spans[-1][1] <= _MAX_GAP:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def aware(moment: datetime) -> datetime:
    """A stored moment as UTC-aware (SQLite returns it naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def refresh_coverage(
    session: Session, source_id: str, since: date, until: date, tz: ZoneInfo
) -> int:
    """Recount every day of the window; days are the agency's local days. Returns days written."""
    days = 0
    for values in count_coverage(session, source_id, since, until, tz):
        stmt = insert_for(session, models.Coverage).values(**values)
        keys = ("discovered", "stored", "failed", "missing", "updated_at")
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["source_id", "day"], set_={k: values[k] for k in keys}
            )
        )
        days += 1
    return days


def count_coverage(
    session: Session, source_id: str, since: date, until: date, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """Every day of the window counted, as the coverage rows ``refresh_coverage`` stores."""
    discovered = _discovered_per_day(session, source_id, since, until)
    stored = _stored_per_day(session, source_id, since, until, tz)
    missing, failed = _missing_per_day(session, source_id, since, until)
    now = datetime.now(UTC)
    return [
        {
            "source_id": source_id,
            "day": day,
            "discovered": discovered[day],
            "stored": stored[day],
            "failed": failed[day],
            "missing": missing[day],
            "updated_at": now,
        }
        for day in _days(since, until)
    ]


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
    """A day is a gap when listed articles are missing, or nothing at all was found."""
    return row.missing > 0 or (row.discovered == 0 and row.stored == 0)


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


def _missing_per_day(
    session: Session, source_id: str, since: date, until: date
) -> tuple[Counter[date], Counter[date]]:
    """Per listing day: discovered URLs not (yet) stored, and how many of those failed.

    Every check is one index lookup per discovery of the window (articles by source and URL,
    pages by URL and by final URL apart, failures by source and URL), so the cost follows the
    window, never the store: an OR of the two page columns would be one subplan reading all
    of the source's pages.
    """
    found = models.Discovery
    rows = session.execute(
        select(found.listed_on, _failed(found, "fetch", "extract", "store")).where(
            found.source_id == source_id,
            found.listed_on.between(since, until),
            ~_is_article(found),
            ~(
                (_fetched_at(found, models.Page.url) | _fetched_at(found, models.Page.final_url))
                & ~_failed(found, "extract")
            ),
        )
    ).all()
    missing = Counter(day for day, _ in rows if day is not None)
    return missing, Counter(day for day, has_failed in rows if day is not None and has_failed)


def _failed(found: type[models.Discovery], *stages: str) -> Exists:
    failure = models.Failure
    return exists().where(
        failure.source_id == found.source_id, failure.url == found.url, failure.stage.in_(stages)
    )


def _is_article(found: type[models.Discovery]) -> Exists:
    article = models.Article
    return exists().where(article.source_id == found.source_id, article.url == found.url)


def _fetched_at(found: type[models.Discovery], column: Any) -> Exists:
    """An article page was requested at (``pages.url``) or redirected to (``final_url``) it.

    The source is compared as an expression no index serves (``source_id || ''``): SQLite,
    which keeps no statistics unless asked, would otherwise pick the source's index and read
    every page of the source for each URL, where the URL's own index finds one row.
    """
    page = models.Page
    return exists().where(
        column == found.url, page.source_id.concat("") == found.source_id, page.kind == "article"
    )
