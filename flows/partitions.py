"""A long backfill as month partitions, each a flow run of its own.

A backfill window over more than one calendar month runs one month at a time: each month is
a ``backfill`` flow run with ``parent_run`` set, which crawls only that month and takes the
source's lease like any run, so one source is never crawled twice at once. Deployed (a worker
runs the backfill), each month goes through ``run_deployment`` to whichever worker is free;
from the command line, it is a subflow in this process. The backfill's own run row
(``crawl_runs.partitions`` set) holds no lease; its partitions name it (``parent_run_id``), and
its process keeps its ``heartbeat_at`` fresh, so the next run of the source closes one whose
process died.

Resumable by month: a month some earlier backfill completed is not crawled again, so running
the same backfill after a failure re-runs only the months that failed. A month whose flow run
failed or whose worker died is tried again once, after its lease had time to lapse.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from newsflow.db import leases, models, queries, store
from newsflow.db.session import outlasting_outages, session_scope
from newsflow.flows import runs
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from newsflow.registry import load_registry
from newsflow.runs import RunKind, RunStatus
from newsflow.settings import get_settings

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

__all__ = ["Month", "MonthsFailed", "months", "partitioned"]

log = logging.getLogger(__name__)
ATTEMPTS = 2
POLL_SECONDS = 2.0  # a month that ended waits at most this long for the next to start


class MonthsFailed(RuntimeError):
    """Some months of a backfill failed twice; the message names them."""


@dataclass(frozen=True)
class Month:
    """One partition: the days of one calendar month inside the backfill's window."""

    since: date
    until: date

    def __str__(self) -> str:
        return f"{self.since:%Y-%m}"


def months(since: date, until: date) -> list[Month]:
    """The window cut at month boundaries, oldest first."""
    parts, start = [], since
    while start <= until:
        next_month = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = min(until, next_month - timedelta(days=1))
        parts.append(Month(start, end))
        start = next_month
    return parts


def partitioned(
    source: str, since: date, until: date, base_url: str | None, from_archive: bool = False
) -> dict[str, Any]:
    """Run the window's months in turn under one backfill run; returns its summary.

    ``from_archive``: each month lists its articles from the source's web archive's index.
    """
    parts = months(since, until)
    parent = _open(source, since, until, len(parts))
    try:
        with _beating(parent):
            results = [_month(source, part, base_url, parent, from_archive) for part in parts]
    except BaseException as exc:
        status, error = runs.stopped(exc)
        outlasting_outages(lambda: _close(parent, status, error), f"backfill run {parent}")
        raise
    failed = [str(part) for part, result in zip(parts, results, strict=True) if result == "failed"]
    error = f"months that failed: {', '.join(failed)}; run the backfill again" if failed else None
    status = RunStatus.FAILED if failed else RunStatus.COMPLETED
    done_before = {"partitions_done_before": results.count("done")}
    summary = outlasting_outages(
        lambda: _close(parent, status, error, done_before), f"backfill run {parent}"
    )
    if failed:
        raise MonthsFailed(f"backfill of {source}: {error}")
    return summary


@contextmanager
def _beating(parent: int, every: float | None = None) -> Iterator[None]:
    """The backfill's own run beats (each ``every`` seconds, by default the heartbeat setting)
    while its months run: a run whose process died stops beating, and the next run of its
    source closes it (db/store.py ``mark_interrupted``)."""
    stop = threading.Event()
    every = every or get_settings().runs.heartbeat_seconds

    def beat() -> None:
        while not stop.wait(every):
            try:
                with session_scope() as session:
                    store.beat(session, parent)
            except SQLAlchemyError as exc:  # a blip: the beat outlasts it as a lease does
                log.info("run %s could not beat: %s", parent, exc)

    thread = threading.Thread(target=beat, name=f"backfill-run-{parent}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _month(
    source: str, part: Month, base_url: str | None, parent: int, from_archive: bool = False
) -> str:
    """One month: 'done' before, 'completed' or 'failed' now (after a second attempt).

    A month that could not start (its source busy with a scheduled run, a busy database) has
    no crawl run: it waits and starts again without using an attempt, for at most the crawl
    timeout.
    """
    runs.go_on()
    # A month the site's backfill completed may still hold articles only the archive has.
    if not from_archive and _done_before(source, part):
        log.info("%s %s: completed by an earlier backfill", source, part)
        return "done"
    attempt, deadline = 1, time.monotonic() + 60 * get_settings().runs.crawl_timeout_minutes
    while True:
        status = _run_month(source, part, base_url, parent, from_archive)
        if status == RunStatus.COMPLETED:
            return "completed"
        if status is None and time.monotonic() < deadline:
            log.info("%s %s: could not start; trying again", source, part)
            time.sleep(POLL_SECONDS)
            continue
        log.warning("%s %s: attempt %d of %d ended %s", source, part, attempt, ATTEMPTS, status)
        if attempt == ATTEMPTS or status is None:
            return "failed"
        attempt += 1
        time.sleep(_lapse_seconds())  # a dead worker's lease must lapse first


def _run_month(
    source: str, part: Month, base_url: str | None, parent: int, from_archive: bool = False
) -> str | None:
    """Run the month's flow run to its end; the status its crawl run closed with (None: it
    opened none)."""
    from newsflow.flows.backfill import backfill
    from prefect import runtime

    parameters = {"source": source, "since": part.since, "until": part.until}
    parameters |= {"base_url": base_url, "parent_run": parent, "from_archive": from_archive}
    after = _newest_run()  # this try's crawl run, if it opens one, is newer
    if runtime.deployment.id:  # a worker runs this backfill: a free one takes the month
        deployment = f"backfill/{runtime.deployment.name}"
        return _deployed_month(deployment, parameters, parent, part, after)
    backfill(**parameters, return_state=True)
    return _month_status(parent, part, after)


def _deployed_month(
    name: str, parameters: dict[str, Any], parent: int, part: Month, after: int
) -> str | None:
    """Start the month on the work pool and watch it; a month whose worker died (its crawl
    run's lease lapsed) is marked crashed in Prefect and counts as failed."""
    from prefect import runtime
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.states import Crashed

    with get_client(sync_client=True) as client:
        # The backfill's job variables (its environment: database, mirror) go to its months.
        job_variables = client.read_flow_run(runtime.flow_run.id).job_variables
        # Called from sync code, Prefect's sync_compatible function returns the flow run.
        flow_run = cast(
            "FlowRun",
            run_deployment(name, parameters=parameters, job_variables=job_variables, timeout=0),
        )
        running_since = None
        while True:
            runs.go_on()
            state = client.read_flow_run(flow_run.id).state
            if state is not None and state.is_final():
                return _month_status(parent, part, after)
            if state is not None and state.is_running() and running_since is None:
                running_since = time.monotonic()
            lost = _worker_lost(str(flow_run.id), running_since)
            if lost:
                client.set_flow_run_state(flow_run.id, Crashed(message=lost), force=True)
                opened = _month_status(parent, part, after) is not None
                return RunStatus.INTERRUPTED if opened else None  # None: no attempt used
            time.sleep(POLL_SECONDS)


def _worker_lost(flow_run_id: str, running_since: float | None) -> str | None:
    """Why the month's flow run is dead though Prefect says it runs, or None while it lives:
    its crawl run is 'running' with no live lease, or it has run for longer than opening
    one can take (waiting for a busy source included) without opening one."""
    with session_scope() as session:
        run = session.execute(
            select(models.CrawlRun).where(models.CrawlRun.flow_run_id == flow_run_id)
        ).scalar_one_or_none()
        if run is None:
            settings = get_settings().runs
            opening = settings.busy_wait_seconds + settings.lease_seconds + 60
            if running_since is not None and time.monotonic() - running_since > opening:
                return f"its worker stopped: no crawl run opened in {opening:.0f} s"
            return None
        if run.status != RunStatus.RUNNING:
            return None  # closed: Prefect's state will say
        lease = session.get(models.SourceLease, run.source_id)
        if lease is None or lease.run_id != run.id:
            return "its worker stopped: its crawl run lost the source"
        if lease.expires_at < datetime.now(UTC) or leases.holder_gone(lease.holder):
            return "its worker stopped: the crawl run's lease lapsed"
        return None


def _month_status(parent: int, part: Month, after: int) -> str | None:
    """How the month's crawl run newer than run ``after`` closed; None if it opened none."""
    with session_scope() as session:
        return session.execute(
            select(models.CrawlRun.status)
            .where(
                models.CrawlRun.parent_run_id == parent,
                models.CrawlRun.id > after,
                _window(part),
            )
            .order_by(models.CrawlRun.id.desc())
            .limit(1)
        ).scalar_one_or_none()


def _newest_run() -> int:
    with session_scope() as session:
        return session.execute(select(func.coalesce(func.max(models.CrawlRun.id), 0))).scalar_one()


def _done_before(source: str, part: Month) -> bool:
    with session_scope() as session:
        done = session.execute(
            select(models.CrawlRun.id).where(
                models.CrawlRun.source_id == source,
                models.CrawlRun.parent_run_id.is_not(None),
                models.CrawlRun.status == RunStatus.COMPLETED,
                _window(part),
            )
        )
        return done.first() is not None


def _window(part: Month) -> Any:
    return (models.CrawlRun.window_start == part.since) & (models.CrawlRun.window_end == part.until)


def _lapse_seconds() -> float:
    return get_settings().runs.lease_seconds + 1


def _open(source: str, since: date, until: date, count: int) -> int:
    """The backfill's own run; an earlier one of this window left running is closed first."""
    from prefect import runtime

    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
        session.execute(
            update(models.CrawlRun)
            .where(
                models.CrawlRun.source_id == source,
                models.CrawlRun.partitions.is_not(None),
                models.CrawlRun.status == RunStatus.RUNNING,
                (models.CrawlRun.window_start == since) & (models.CrawlRun.window_end == until),
            )
            .values(status=RunStatus.INTERRUPTED, finished_at=datetime.now(UTC))
        )
        return store.start_run(
            session,
            source,
            RunKind.BACKFILL,
            (since, until),
            runtime.flow_run.id,
            partitions=count,
        )


def _close(
    parent: int, status: RunStatus, error: str | None, extra: dict[str, int] | None = None
) -> dict[str, Any]:
    """Close the backfill's run with its partitions' counts summed; returns its summary."""
    with session_scope() as session:
        children = (
            session.execute(select(models.CrawlRun).where(models.CrawlRun.parent_run_id == parent))
            .scalars()
            .all()
        )
        counts: Counter[str] = Counter()
        for child in children:
            counts.update({k: v for k, v in (child.counts or {}).items() if isinstance(v, int)})
        counts.update(queries.partition_progress(session, parent) | (extra or {}))
        store.finish_run(session, parent, dict(counts), status, error)
        run = session.get(models.CrawlRun, parent)
        assert run is not None
        return {
            "run_id": parent,
            "source": run.source_id,
            "kind": RunKind.BACKFILL.value,
            "status": str(status),
            "error": error,
            "counts": dict(counts),
            "window": [str(run.window_start), str(run.window_end)],
            "partition_runs": [child.id for child in children],
        }
