"""Flow runs under ``newsflow serve`` start by forking a warm process, not a fresh interpreter.

Prefect's runner starts each run of a served deployment with multiprocessing's "spawn": a new
interpreter that imports Prefect and the flow's modules again, 2 to 4 s on two cores, more than
an idle scheduled run itself costs (`make bench`: 3.1 s a run spawned, 1.25 s forked). Here
those processes come from multiprocessing's forkserver instead: one process that imported them
once, at ``serve`` start, and forks each run from there. It imports only, starts no thread and
opens no connection, so the fork is safe; each run is still its own process, so cancellation,
crashes and memory stay as isolated as with spawn.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing.context import BaseContext
from typing import Any

from newsflow import warm

# What a flow run imports before its first line runs: Prefect's engine, the flows, and what
# their crawls and enrichment workers need (they fork from here too: newsflow/warm.py). Then
# what a run imports only once it needs it, which each forked run imported again (`make
# bench`, scaling, under py-spy: 0.9 CPU s a run): Prefect's task engine, the store's driver,
# the schema check's Alembic, dedup's MinHash.
RUN_PRELOAD = (
    "prefect.flow_engine",
    "prefect.task_engine",
    "newsflow.flows.deployments",
    *warm.PRELOAD,
    "psycopg",
    "alembic.script",
    "alembic.runtime.migration",
    "datasketch",
)
PRELOAD = ("__main__", *RUN_PRELOAD)


class _ForkServerContexts:
    """Stands in for the ``multiprocessing`` module inside ``prefect.flow_engine``.

    Prefect asks it for the "spawn" context to start a flow run; it answers with the
    forkserver's. Anything else is the real module's.
    """

    def __init__(self, context: BaseContext) -> None:
        self._context = context

    def get_context(self, method: str | None = None) -> BaseContext:
        return self._context if method == "spawn" else multiprocessing.get_context(method)

    def __getattr__(self, name: str) -> Any:
        return getattr(multiprocessing, name)


def start_runs_by_fork(preload: Sequence[str] = PRELOAD) -> BaseContext:
    """Make this process's Prefect runner fork flow runs from a warm forkserver, started now.

    The forkserver's imports happen here, before the first schedule is due, not in its run.
    Where the platform has no forkserver, runs start as Prefect starts them (spawned).
    """
    import prefect.flow_engine as engine

    context = warm.start_forkserver(preload)
    if context is None:
        return multiprocessing.get_context("spawn")
    engine.multiprocessing = _ForkServerContexts(context)  # type: ignore[assignment]
    return context
