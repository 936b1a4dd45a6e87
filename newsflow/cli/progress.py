"""A progress bar for long runs, read from the database while the crawl writes to it.

The bar counts the window's listed URLs (``discoveries`` listed on a day of the window) and how
many of them are settled (stored, or recorded as failed for good); the rate is what this
command settled per second, the ETA what is left at that rate. The window's total grows while
listings and sitemaps are still being read.
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType

import click
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from newsflow.db import models
from newsflow.db.session import session_scope


class ProgressWatcher:
    """Prints a bar (settled of listed, rate, ETA) and found / stored / failed counts."""

    def __init__(self, source: str, since: date, until: date, every: float = 2.0) -> None:
        self.source, self.every = source, every
        self.since, self.until = since, until
        self.start = datetime.combine(since, time.min, UTC) - timedelta(days=1)
        self.end = datetime.combine(until, time.max, UTC) + timedelta(days=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._started = datetime.now(UTC)
        self._baseline: tuple[int, float] | None = None  # settled, at elapsed seconds
        self._redraw = sys.stderr.isatty()  # a terminal gets one line redrawn, a log one per tick
        self._first_new = 0  # the id the first URL found while we watch gets (or a later one)

    def __enter__(self) -> ProgressWatcher:
        self._first_new = _next_discovery_id()
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self._redraw:
            click.echo("", err=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                line = self._line()
            except Exception:  # the schema may not exist yet, or the database is busy
                continue
            if self._redraw:
                click.echo("\r\x1b[2K" + line, err=True, nl=False)
            else:
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
            # Found while we watch: a range of the primary key, not every discovery of the
            # source (``|| ''`` keeps SQLite, which has no statistics, off the source's index).
            new = (found.id >= self._first_new, found.source_id.concat("") == self.source)
            listed = _count(session, found, *new)
            total, settled = self._window(session)
        elapsed = (datetime.now(UTC) - self._started).total_seconds()
        if self._baseline is None:  # the rate counts what settles while we watch
            self._baseline = (settled, elapsed)
        base, since = self._baseline
        bar = progress_bar(total, settled, settled - base, elapsed - since)
        return (
            f"[{elapsed:>4.0f}s] {bar}  {self.source}: {listed} URLs found, "
            f"{stored} articles in window, {failed} failures"
        )

    def _window(self, session: Session) -> tuple[int, int]:
        """The window's listed URLs, and how many of them are settled."""
        found = models.Discovery
        in_window = (
            found.source_id == self.source,
            found.listed_on.between(self.since, self.until),
        )
        total = _count(session, found, *in_window)
        return total, _count(session, found, *in_window, found.done_at.is_not(None))


def progress_bar(total: int, done: int, done_here: int, elapsed: float, width: int = 20) -> str:
    """``[#####-----] 50/100 URLs  2.5/s  ETA 20s``: the rate is what ``elapsed`` settled."""
    filled = round(width * done / total) if total else 0
    rate = done_here / elapsed if elapsed > 0 else 0.0
    left = max(total - done, 0)
    eta = _duration(left / rate) if rate > 0 else ("0s" if total and not left else "?")
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total} URLs  {rate:.1f}/s  ETA {eta}"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _next_discovery_id() -> int:
    """The id the next discovery will get at the least (0 when there is no table yet)."""
    try:
        with session_scope() as session:
            return (session.execute(select(func.max(models.Discovery.id))).scalar() or 0) + 1
    except Exception:  # the schema may not exist yet: every discovery is new, then
        return 0


def _count(session: Session, model: type[models.Base], *where: ColumnElement[bool]) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
