"""A progress line for long runs, read from the database while the crawl writes to it."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType

import click
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from db import models
from db.session import session_scope


class ProgressWatcher:
    """Prints discovered / stored / failed counts for a source every few seconds."""

    def __init__(self, source: str, since: date, until: date, every: float = 2.0) -> None:
        self.source, self.every = source, every
        self.start = datetime.combine(since, time.min, UTC) - timedelta(days=1)
        self.end = datetime.combine(until, time.max, UTC) + timedelta(days=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._started = datetime.now(UTC)

    def __enter__(self) -> ProgressWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                line = self._line()
            except Exception:  # the schema may not exist yet, or the database is busy
                continue
            click.echo(line, err=True)

    def _line(self) -> str:
        article, failure, found = models.Article, models.Failure, models.Discovery
        with session_scope() as session:
            stored = _count(
                session,
                article,
                article.source_id == self.source,
                article.published_at.between(self.start, self.end),
            )
            failed = _count(
                session,
                failure,
                failure.source_id == self.source,
                failure.occurred_at >= self._started,
            )
            listed = _count(
                session, found, found.source_id == self.source, found.discovered_at >= self._started
            )
        elapsed = (datetime.now(UTC) - self._started).seconds
        return (
            f"[{elapsed:>4}s] {self.source}: {listed} URLs found, "
            f"{stored} articles in window, {failed} failures"
        )


def _count(session: Session, model: type[models.Base], *where: ColumnElement[bool]) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
