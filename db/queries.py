"""Read-side queries used by flows and the CLI."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from newsflow.db import models
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsflow.failures import FailureCode
from newsflow.provenance import weak_shares
from newsflow.runs import RunStatus


def run_counts(session: Session, run_id: int) -> dict[str, int]:
    """The counts a crawl recorded for a run, plus its failures from the failures table."""
    run = session.get(models.CrawlRun, run_id)
    counts = dict(run.counts or {}) if run else {}
    by_code: dict[str | None, int] = dict(
        session.execute(
            select(models.Failure.code, func.count())
            .where(models.Failure.run_id == run_id)
            .group_by(models.Failure.code)
        ).all()
    )
    counts["failures_recorded"] = sum(by_code.values())
    counts["failures_over_budget"] = by_code.get(FailureCode.BUDGET_EXCEEDED, 0)
    return counts


def over_budget(session: Session, source_id: str) -> int:
    """How many of the source's URLs ever went over an extraction or enrichment budget."""
    failure = models.Failure
    return session.execute(
        select(func.count(func.distinct(failure.url))).where(
            failure.source_id == source_id, failure.code == FailureCode.BUDGET_EXCEEDED
        )
    ).scalar_one()


def newest_articles(
    session: Session, source_ids: list[str], limit: int = 10
) -> list[models.Article]:
    """The most recently published articles of these sources; undated ones come last.

    Each source is read newest first along its (source_id, published_at) index and the few
    rows merged here: a sort of every article of the sources, or PostgreSQL's NULLS LAST
    (which that index cannot give), would read the whole store.
    """
    article = models.Article
    found: list[models.Article] = []
    for source_id in dict.fromkeys(source_ids):
        found += session.execute(
            select(article)
            .where(article.source_id == source_id, article.published_at.is_not(None))
            .order_by(article.published_at.desc(), article.id.desc())
            .limit(limit)
        ).scalars()
    found.sort(key=lambda a: (a.published_at, a.id), reverse=True)
    if len(found) < limit:
        found += _newest_undated(session, source_ids, limit - len(found))
    return found[:limit]


def _newest_undated(session: Session, source_ids: list[str], limit: int) -> list[models.Article]:
    article = models.Article
    undated: list[models.Article] = []
    for source_id in dict.fromkeys(source_ids):
        undated += session.execute(
            select(article)
            .where(article.source_id == source_id, article.published_at.is_(None))
            .order_by(article.id.desc())
            .limit(limit)
        ).scalars()
    return sorted(undated, key=lambda a: a.id, reverse=True)[:limit]


def run_failures(session: Session, run_id: int, limit: int = 20) -> list[models.Failure]:
    """Failures recorded against a run."""
    return list(
        session.execute(
            select(models.Failure)
            .where(models.Failure.run_id == run_id)
            .order_by(models.Failure.id)
            .limit(limit)
        ).scalars()
    )


def article_count(session: Session, source_id: str | None = None) -> int:
    """How many articles are stored (for one source, or all): the sources' trigger-kept
    counters, not a count of the articles."""
    stmt = select(func.coalesce(func.sum(models.Source.articles_stored), 0))
    if source_id:
        stmt = stmt.where(models.Source.id == source_id)
    return int(session.execute(stmt).scalar_one())


def source_status(session: Session) -> list[dict[str, Any]]:
    """Per source: articles stored, last run, its status and counts."""
    rows = []
    for source in session.execute(select(models.Source).order_by(models.Source.id)).scalars():
        last = session.execute(
            select(models.CrawlRun)
            .where(models.CrawlRun.source_id == source.id)
            .order_by(models.CrawlRun.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        rows.append(
            {
                "source": source,
                "articles": article_count(session, source.id),
                "last_run": last,
                "weak": weak_shares(recent_provenance(session, source.id)),
                "over_budget": over_budget(session, source.id),
            }
        )
    return rows


def recent_provenance(session: Session, source_id: str, limit: int = 500) -> list[dict[str, Any]]:
    """Field provenance of the source's most recently stored articles (by first seen).

    Read along the (source_id, first_seen_at) index: the newest ``limit`` rows, not a sort of
    the source's whole history.
    """
    return list(
        session.execute(
            select(models.Article.provenance)
            .where(models.Article.source_id == source_id)
            .order_by(models.Article.first_seen_at.desc())
            .limit(limit)
        ).scalars()
    )


def recent_runs(
    session: Session, source_id: str | None = None, failed: bool = False, limit: int = 20
) -> list[models.CrawlRun]:
    """The newest runs, of one source or all; ``failed``: only those that did not complete."""
    stmt = select(models.CrawlRun).order_by(models.CrawlRun.id.desc()).limit(limit)
    if source_id:
        stmt = stmt.where(models.CrawlRun.source_id == source_id)
    if failed:
        stmt = stmt.where(models.CrawlRun.status.not_in(("completed", "running")))
    return list(session.execute(stmt).scalars())


def partition_progress(session: Session, parent: int) -> dict[str, int]:
    """A partitioned backfill's months: how many, and how many completed, failed and running
    under it (a month tried twice counts by its last try; months an earlier backfill
    completed are not crawled again and not counted here)."""
    run = session.get(models.CrawlRun, parent)
    tries = session.execute(
        select(models.CrawlRun.window_start, models.CrawlRun.status)
        .where(models.CrawlRun.parent_run_id == parent)
        .order_by(models.CrawlRun.id)
    ).all()
    last = Counter({start: status for start, status in tries}.values())
    return {
        "partitions": (run.partitions or 0) if run else 0,
        "partitions_completed": last[RunStatus.COMPLETED],
        "partitions_running": last[RunStatus.RUNNING],
        "partitions_failed": last.total() - last[RunStatus.COMPLETED] - last[RunStatus.RUNNING],
    }


def latest_partitioned(
    session: Session, source_id: str, since: date, until: date
) -> models.CrawlRun | None:
    """The newest partitioned backfill of the source whose window meets since..until."""
    return session.execute(
        select(models.CrawlRun)
        .where(
            models.CrawlRun.source_id == source_id,
            models.CrawlRun.partitions.is_not(None),
            models.CrawlRun.window_start <= until,
            models.CrawlRun.window_end >= since,
        )
        .order_by(models.CrawlRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
