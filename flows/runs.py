"""A crawl run's life inside a flow: its kind, its hold on the source, how it closes, its report.

``begin`` takes the source's lease (db/leases.py) before the run row exists and keeps it alive
from a heartbeat thread; ``end`` closes the row and lets the source go in one transaction. The
lease lives in this process, so the tasks of one flow run share it by run id.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import date
from typing import Any

from newsflow.crawlers.run import CrawlError, CrawlStopped, CrawlTimedOut
from newsflow.db import leases, models, queries, store
from newsflow.db.session import session_scope
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from newsflow.budget import apply_memory_ceiling
from newsflow.runs import RunKind, RunStatus, parse_kind
from newsflow.settings import get_settings

log = logging.getLogger(__name__)
_HELD: dict[int, tuple[leases.Lease, leases.Heartbeat]] = {}
_HELD_LOCK = threading.Lock()
# Set while a flow running several sources at once is being stopped (flows/parallel.py): a
# signal reaches the main thread only, so the sources' threads learn it from here.
_INTERRUPTED = threading.Event()


class Interrupted(Exception):
    """The flow running this source was stopped; the run closes as cancelled."""


def interrupt() -> None:
    """Stop every run of this process: their crawls stop, and they close as cancelled."""
    _INTERRUPTED.set()
    with _HELD_LOCK:
        for _, heartbeat in _HELD.values():
            heartbeat.lost.set()  # what a crawl watches: its child's group is stopped


def resume() -> None:
    """Let runs start again once an interrupted flow's sources have all stopped."""
    _INTERRUPTED.clear()


def interrupted() -> bool:
    """Whether the flow running this process's runs is being stopped."""
    return _INTERRUPTED.is_set()


def go_on() -> None:
    """Between a run's stages: raise Interrupted when the flow is being stopped."""
    if _INTERRUPTED.is_set():
        raise Interrupted("stopped with the flow running it")


def cap_memory() -> None:
    """Put this flow process (and the crawl and workers it starts) under the memory ceiling."""
    apply_memory_ceiling(get_settings().runs.memory_ceiling_mb)


def this_run_kind(kind: RunKind | str | None) -> RunKind:
    """The kind to record: as given, else scheduled when a schedule created this flow run."""
    if kind is not None:
        return parse_kind(kind)
    return RunKind.SCHEDULED if from_schedule() else RunKind.MANUAL


def from_schedule() -> bool:
    """Whether Prefect's scheduler created the current flow run (or the flow run it is in)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    flow_run = getattr(context, "flow_run", None)
    return bool(flow_run is not None and flow_run.auto_scheduled)


def begin(
    source_id: str,
    kind: RunKind,
    window: tuple[date, date] | None,
    flow_run_id: str | None,
    parent_run_id: int | None = None,
) -> int:
    """Take the source (waiting a bounded time, else SourceBusy) and open the run."""
    go_on()
    lease = leases.acquire(source_id)
    try:
        with session_scope() as session:
            store.mark_interrupted(session, source_id)
            run_id = store.start_run(
                session, source_id, kind, window, flow_run_id, parent_run_id=parent_run_id
            )
            leases.attach_run(session, lease, run_id)
    except BaseException:
        leases.release(lease)
        raise
    with _HELD_LOCK:
        _HELD[run_id] = (lease, leases.Heartbeat(lease).start())
    return run_id


def lost(run_id: int) -> threading.Event | None:
    """Set when the run's lease slipped away (its crawl must stop); None if not held here."""
    held = _HELD.get(run_id)
    return held[1].lost if held else None


def add_counts(run_id: int, counts: dict[str, int]) -> None:
    """Add ``counts`` to the run row's, as a crawl child's RunCounts does (a skipped crawl).

    Stored, not passed to ``end``: a revisit that runs next adds its own to the row's.
    """
    with session_scope() as session:
        run = session.get(models.CrawlRun, run_id)
        if run is not None:
            stored = dict(run.counts or {})
            added = {key: int(stored.get(key, 0)) + value for key, value in counts.items()}
            run.counts = {**stored, **added}


def end(
    run_id: int, status: RunStatus, error: str | None = None, extra: dict[str, int] | None = None
) -> dict[str, Any]:
    """Close the run with its counts so far and give the source back; returns its summary.

    The run stays held here until its row is closed, so a call that failed (the database
    away) can be made again and still let the source go.
    """
    with _HELD_LOCK:
        lease, heartbeat = _HELD.get(run_id, (None, None))
    if heartbeat is not None:
        heartbeat.stop()
    with session_scope() as session:
        counts = {**counts_so_far(session, run_id), **(extra or {})}
        if not store.finish_run(session, run_id, counts, status, error):
            log.warning("run %s was closed by another run before it ended (%s)", run_id, status)
        if lease is not None:
            leases.release(lease, session)
        run = session.get(models.CrawlRun, run_id)
        summary = {
            "run_id": run_id,
            "source": run.source_id if run else None,
            "kind": run.kind if run else None,
            "status": str(status),
            "error": error,
            "counts": counts,
            "window": [str(d) for d in (run.window_start, run.window_end) if d] if run else [],
        }
    with _HELD_LOCK:
        _HELD.pop(run_id, None)
    return summary


def counts_so_far(session: store.Session, run_id: int) -> dict[str, int]:
    """The run's counts: the crawl's report and failures, pages counted if the crawl died first."""
    counts = queries.run_counts(session, run_id)
    if "pages_fetched" not in counts:  # killed before it could write its report
        pages = select(func.count()).select_from(models.Page).where(models.Page.run_id == run_id)
        counts["pages_fetched"] = session.execute(pages).scalar_one()
    return counts


def stopped(exc: BaseException) -> tuple[RunStatus, str]:
    """How a run that raised ``exc`` ends, and the error it records."""
    if isinstance(exc, CrawlTimedOut):
        return RunStatus.TIMED_OUT, str(exc).splitlines()[0]
    if not isinstance(exc, Exception):  # a cancelled flow run, SIGTERM, Ctrl-C
        return RunStatus.CANCELLED, f"stopped by {type(exc).__name__}"
    if isinstance(exc, Interrupted | CrawlStopped) and _INTERRUPTED.is_set():
        return RunStatus.CANCELLED, "stopped with the flow running it"
    return RunStatus.FAILED, f"{type(exc).__name__}: {exc}"


def transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry condition: only what may pass by itself is retried.

    A crawl child that crashed and a database that went away are; a timeout, a lost source,
    and a bad parameter (ValueError and the like) fail at once.
    """
    exc = state.result(raise_on_failure=False)
    if isinstance(exc, CrawlTimedOut | CrawlStopped):
        return False
    return isinstance(exc, CrawlError | OperationalError)


def publish(summary: dict[str, Any]) -> None:
    """The run's summary table as a Prefect markdown artifact, one key per source."""
    from prefect.artifacts import create_markdown_artifact

    source = str(summary.get("source") or "unknown")
    key = "run-" + re.sub(r"[^a-z0-9-]+", "-", source.lower())
    try:
        create_markdown_artifact(
            markdown=summary_markdown(summary),
            key=key,
            description=f"newsflow run {summary.get('run_id')} of {source}",
        )
    except Exception as exc:  # the report is a courtesy: the run row is already closed
        log.warning("could not publish the summary of run %s: %s", summary.get("run_id"), exc)


def summary_markdown(summary: dict[str, Any]) -> str:
    """A run summary as a markdown table (what the artifact shows)."""
    window = " to ".join(summary.get("window") or []) or "-"
    lines = [
        f"### {summary.get('source')}: run {summary.get('run_id')} {summary.get('status')}",
        "",
        f"kind **{summary.get('kind')}**, window {window}",
        "",
        "| count | value |",
        "|---|---:|",
        *(f"| {key} | {value} |" for key, value in sorted(summary.get("counts", {}).items())),
    ]
    if summary.get("error"):
        lines += ["", f"error: `{summary['error'][:500]}`"]
    return "\n".join(lines)
