"""One crawl per source, whatever starts it: a lease row in ``source_leases``.

Every entry point (the ingest flow under the CLI, ``newsflow serve`` or a worker, and a bare
Scrapy crawl) takes the source's lease before it opens a run, renews it from a heartbeat while
it works, and deletes it when it closes the run.

Why a row and not PostgreSQL advisory locks: the row works the same on SQLite and PostgreSQL;
it names its holder and run, so a refused run can say who crawls the source and since when;
it needs no connection held open for the hours a backfill takes (an advisory lock dies with its
connection, so a pooled or PgBouncer-fronted connection would drop it silently); and a crashed
holder frees it by itself, at once when the holder was a process on this machine that is gone,
else when its lease expires.

Times are the writers' clocks (UTC); hosts sharing a database are assumed NTP-synchronised to
well within ``lease_seconds``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.db import models
from newsflow.db.dialect import insert_for, rowcount_of
from newsflow.db.session import session_scope
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from newsflow.settings import get_settings

log = logging.getLogger(__name__)
HOST = socket.gethostname()


class SourceBusy(RuntimeError):
    """Another run holds the source; the message names it and says to try again later."""


@dataclass(frozen=True)
class Lease:
    """A hold on one source, identified by its token."""

    source_id: str
    token: str
    holder: str
    url: str | None = None  # the database it lives in (None: the configured one)


def this_holder() -> str:
    """This process as a lease holder: host, pid and process start (pids are reused)."""
    pid = os.getpid()
    return f"{HOST}:{pid}:{_process_start(pid)}"


def holder_gone(holder: str) -> bool:
    """Whether ``holder`` is a process of this host that no longer runs (other hosts: unknown)."""
    host, _, rest = holder.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, under another user
    now = _process_start(pid)
    return now == "zombie" or bool(started and now and now != started)


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), "zombie", or "" (unknown)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()  # the command name may hold spaces
    return "zombie" if fields[0] in ("Z", "X") else fields[19]


def acquire(
    source_id: str,
    *,
    url: str | None = None,
    wait: float | None = None,
    ttl: float | None = None,
) -> Lease:
    """Take the source's lease, waiting up to ``wait`` seconds; SourceBusy if it stays held."""
    runs = get_settings().runs
    wait = runs.busy_wait_seconds if wait is None else wait
    lease = Lease(source_id, secrets.token_hex(16), this_holder(), url)
    deadline, announced = time.monotonic() + wait, False
    while True:
        with session_scope(url) as session:
            if _take(session, lease, ttl or runs.lease_seconds):
                return lease
            busy = describe(session, source_id)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SourceBusy(f"{busy}; try again later")
        if not announced:
            log.warning("%s; waiting up to %.0fs", busy, remaining)
            announced = True
        time.sleep(min(1.0, remaining))


def _take(session: Session, lease: Lease, ttl: float) -> bool:
    """Insert the lease, or take over one that expired or whose holder is gone."""
    now = datetime.now(UTC)
    values = {
        "source_id": lease.source_id,
        "token": lease.token,
        "holder": lease.holder,
        "run_id": None,
        "acquired_at": now,
        "expires_at": now + timedelta(seconds=ttl),
    }
    # The write comes first: on SQLite it takes the write lock before anything is read.
    # RETURNING, not rowcount: psycopg reports -1 for an ORM INSERT … ON CONFLICT.
    stmt = insert_for(session, models.SourceLease).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["source_id"])
    if session.execute(stmt.returning(models.SourceLease.token)).first() is not None:
        return True
    held = session.get(models.SourceLease, lease.source_id, populate_existing=True)
    if held is None or (held.expires_at > now and not holder_gone(held.holder)):
        return False
    log.warning(
        "taking over the lease on %s from %s (expired or gone)", held.source_id, held.holder
    )
    taken = session.execute(
        update(models.SourceLease)
        .where(
            models.SourceLease.source_id == lease.source_id,
            models.SourceLease.token == held.token,  # nobody took it over in between
        )
        .values(**values)
    )
    return rowcount_of(taken) == 1


def describe(session: Session, source_id: str) -> str:
    """Who holds the source now, in the words of a refusal."""
    held = session.get(models.SourceLease, source_id, populate_existing=True)
    if held is None:
        return f"{source_id} is free"
    since = f"{held.acquired_at:%Y-%m-%d %H:%M:%S}Z"
    run = session.get(models.CrawlRun, held.run_id) if held.run_id else None
    if run is None:
        return f"{source_id} is being crawled by {held.holder} since {since}"
    flow_run = f"flow run {run.flow_run_id}" if run.flow_run_id else "no flow run"
    return f"{source_id} is being crawled by run {run.id} ({run.kind}, {flow_run}) since {since}"


def attach_run(session: Session, lease: Lease, run_id: int) -> None:
    """Record the run the lease is held for (in the transaction that opens the run)."""
    session.execute(
        update(models.SourceLease)
        .where(
            models.SourceLease.source_id == lease.source_id,
            models.SourceLease.token == lease.token,
        )
        .values(run_id=run_id)
    )


def renew(lease: Lease, ttl: float | None = None) -> bool:
    """Push the lease's expiry ahead; False when it is no longer ours."""
    expires = datetime.now(UTC) + timedelta(seconds=ttl or get_settings().runs.lease_seconds)
    with session_scope(lease.url) as session:
        renewed = session.execute(
            update(models.SourceLease)
            .where(
                models.SourceLease.source_id == lease.source_id,
                models.SourceLease.token == lease.token,
            )
            .values(expires_at=expires)
        )
        return rowcount_of(renewed) == 1


def release(lease: Lease, session: Session | None = None) -> bool:
    """Give the source back; False when the lease was no longer ours."""
    stmt = delete(models.SourceLease).where(
        models.SourceLease.source_id == lease.source_id,
        models.SourceLease.token == lease.token,
    )
    if session is not None:
        return rowcount_of(session.execute(stmt)) == 1
    with session_scope(lease.url) as own:
        return rowcount_of(own.execute(stmt)) == 1


def held_run(session: Session, source_id: str) -> int | None:
    """The run a live (unexpired) lease holds the source for, if any."""
    lease = models.SourceLease
    return session.execute(
        select(lease.run_id).where(
            lease.source_id == source_id, lease.expires_at > datetime.now(UTC)
        )
    ).scalar_one_or_none()


class Heartbeat:
    """Renews a lease from a daemon thread until stopped; ``lost`` is set if it slips away."""

    def __init__(
        self,
        lease: Lease,
        every: float | None = None,
        on_lost: Callable[[], object] | None = None,
    ) -> None:
        runs = get_settings().runs
        self.lease, self.every, self.ttl = (
            lease,
            every or runs.heartbeat_seconds,
            runs.lease_seconds,
        )
        self.on_lost = on_lost
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"lease-{lease.source_id}", daemon=True
        )

    def start(self) -> Heartbeat:
        """Begin renewing."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop renewing (the lease itself stays until released or expired)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _beat(self) -> None:
        renewed_at = time.monotonic()
        while not self._stop.wait(self.every):
            try:
                if renew(self.lease, self.ttl):
                    renewed_at = time.monotonic()
                    continue
                reason = "taken over"
            except SQLAlchemyError as exc:  # a database blip: the lease lasts until it expires
                # INFO: the lease outlasts a blip, and a lost one is an error of its own; a
                # command's console shows warnings, and one line per failure is the rule there.
                log.info("could not renew the lease on %s: %s", self.lease.source_id, exc)
                if time.monotonic() - renewed_at < self.ttl:
                    continue
                reason = "expired while the database was unreachable"
            log.error("lost the lease on %s (%s)", self.lease.source_id, reason)
            self.lost.set()
            if self.on_lost:
                self.on_lost()
            return
