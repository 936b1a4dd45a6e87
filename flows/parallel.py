"""Several sources at once in one flow run, with Prefect's own thread pool task runner.

One task per source runs that source's flow as a subflow. The threads mostly wait: each crawl
is a child process (its own core for fetching and extraction), enrichment a process pool, and
requests to one host keep its pace across all of them (crawlers/pace.py). How many at once:
``runs.parallel_sources``, by default as many as free memory holds at ``source_memory_mb``
each.

A signal reaches the main thread only. When the flow is stopped there (Ctrl-C, SIGTERM, a
cancelled flow run), every source's crawl is stopped and its run closed as cancelled before
the flow itself stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from newsflow.flows import runs
from prefect import Task
from prefect.futures import PrefectFuture, wait
from prefect.task_runners import ThreadPoolTaskRunner

from newsflow.machine import free_memory_bytes
from newsflow.settings import get_settings

__all__ = ["for_each_source", "outcome", "sources_at_once"]

log = logging.getLogger(__name__)
# Past this many at once, one machine's file descriptors and database connections run short
# before its memory does; more sources take more workers (README "Scaling out").
MOST_AT_ONCE = 32


def sources_at_once(count: int) -> int:
    """How many of ``count`` sources to crawl at once: the setting, else what memory holds."""
    settings = get_settings().runs
    width = settings.parallel_sources
    if not width:
        width = min(MOST_AT_ONCE, free_memory_bytes() // (settings.source_memory_mb * 1024 * 1024))
    return max(1, min(count, width))


def for_each_source(
    task: Task[..., dict[str, Any]], sources: Sequence[str], **parameters: Any
) -> list[dict[str, Any]]:
    """``task(source=…, **parameters)`` for every source, several at once; their results in
    the sources' order."""
    width = sources_at_once(len(sources))
    log.info("%d source(s), %d at once", len(sources), width)
    # Prefect's runner is generic in its futures, which mypy cannot infer from the call.
    with ThreadPoolTaskRunner(max_workers=width) as runner:  # type: ignore[var-annotated]
        futures: list[PrefectFuture[Any]] = [
            runner.submit(task, {"source": s, **parameters}) for s in sources
        ]
        try:
            return [future.result() for future in futures]
        except BaseException:
            runs.interrupt()  # every crawl stops; each run closes itself as cancelled
            wait(futures, timeout=_settle_seconds())
            raise
        finally:
            runs.resume()


def _settle_seconds() -> float:
    """How long stopped sources get to close their runs: the crawl's grace, and then some."""
    return 2 * get_settings().runs.stop_grace_seconds + 30


def outcome(source: str, start: Callable[[], Any]) -> dict[str, Any]:
    """A source flow's summary: ``start()`` runs it and returns its final state. A failure,
    or an error of Prefect's API starting it (a busy server answering 503), says why without
    stopping the other sources."""
    try:
        state = start()
    except Exception as exc:  # the subflow never ran: its source is this one's failure
        if runs.interrupted():
            raise
        return _failed(source, f"{type(exc).__name__}: {exc}")
    if state.is_completed():
        return dict(state.result())
    if runs.interrupted():  # stopped with the flow: its run says so, the flow's stop says why
        return {"source": source, "status": "cancelled", "error": None, "counts": {}}
    return _failed(source, str(state.message or state.name))


def _failed(source: str, error: str) -> dict[str, Any]:
    # INFO, not ERROR: the command's summary prints the failure once, as its one line; a
    # worker's log and Prefect's own flow run state keep it too.
    log.info("%s failed: %s", source, error)
    return {"source": source, "status": "failed", "error": error, "counts": {}}
