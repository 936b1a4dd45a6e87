"""Work on one article under a budget, in worker processes that can be stopped.

A thread cannot be stopped in Python, and one pathological page or text can keep a parser or an
enricher busy for ever or make it eat gigabytes. So the work on one article runs in a pool of
worker processes (pebble): an article past its time budget has its worker killed and replaced,
and before each article a worker's address space is capped at what it holds plus the memory
budget, so an article past it fails with ``MemoryError`` (or takes down only its worker). The
caller gets ``OverBudget`` for that article and the pool goes on with the next one.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import resource
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, TimeoutError
from dataclasses import dataclass
from multiprocessing.context import BaseContext, ForkServerContext
from multiprocessing.util import Finalize
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

from newsflow.warm import in_this_environment

__all__ = [
    "BoundedPool",
    "Budget",
    "OverBudget",
    "address_space",
    "apply_memory_ceiling",
    "cap_address_space",
    "shared_pool",
    "warm_and_freeze",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
_MB = 1024 * 1024
# In a worker: the address-space limit it inherited, which no article's cap may lift.
_CEILING = resource.RLIM_INFINITY
# Workers run below their owners' priority: a crawl's reactor woken late by a busy core sends
# its host's request late (a start lost, or the next request too soon after it), while an
# article's work finished a few milliseconds later costs nothing. Idle cores still go to them.
WORKER_NICENESS = 10
EXIT_PRIORITY = 10  # shared pools close among multiprocessing's first exit finalizers


@dataclass(frozen=True, slots=True)
class Budget:
    """What one article may cost a worker: wall-clock seconds and memory on top of its own."""

    seconds: float
    memory_mb: int

    def __str__(self) -> str:
        return f"{self.seconds:g} s, {self.memory_mb} MB"


class OverBudget(Exception):
    """One article went over its budget or took its worker down; the message says which."""


class BoundedPool:
    """A pool of worker processes running one article's work at a time each, under a budget.

    ``warm_up`` runs once in each new worker (imports, gazetteers) before its first article,
    outside the budget. Workers are spawned, or forked from a forkserver (``context``), never
    forked from their owner: the processes that own a pool run Prefect's and Twisted's threads,
    which a fork would copy mid-flight. A worker forked from a forkserver first takes its
    owner's environment (newsflow/warm.py), as a spawned one inherits it.
    """

    def __init__(
        self,
        workers: int,
        budget: Budget,
        warm_up: Callable[[], Any] | None = None,
        context: BaseContext | None = None,
    ) -> None:
        self.budget = budget
        if isinstance(context, ForkServerContext):
            warm_up = in_this_environment(warm_up)
        self._start = lambda: ProcessPool(
            max_workers=max(1, workers),
            initializer=_start_worker,
            initargs=(warm_up,),
            context=context or multiprocessing.get_context("spawn"),
        )
        self._pool = self._start()
        # A process started by multiprocessing (a forked flow run or crawl) ends with os._exit,
        # no atexit. Before that, multiprocessing waits for its live children, these workers
        # among them, which wait for their task pipe to close: a process that never ends. Its
        # finalizers with an exit priority run first, in every process, its own only.
        Finalize(self, _close_if_alive, args=(weakref.ref(self),), exitpriority=EXIT_PRIORITY)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``fn(*args)`` in a worker; the future raises ``OverBudget`` past the budget."""
        if not self._pool.active:  # a worker died outside any article (in its warm-up, say)
            log.error("worker pool broken; starting a new one")
            self._pool.stop()
            self._pool = self._start()
        inner = self._pool.schedule(
            _bounded_call, (self.budget.memory_mb, fn, args), timeout=self.budget.seconds
        )
        outer: Future[T] = Future()
        inner.add_done_callback(lambda done: _settle(outer, done, self.budget))
        return outer

    def close(self) -> None:
        """Stop the workers (work still queued is cancelled) and wait for them to go."""
        self._pool.stop()
        self._pool.join()


def _close_if_alive(owner: weakref.ref[BoundedPool]) -> None:
    """At exit: close the pool unless it was collected (held weakly: no pool kept for this)."""
    pool = owner()
    if pool is not None:
        pool.close()


def _settle(outer: Future[T], inner: Future[T], budget: Budget) -> None:
    """Pass the worker's result on, its budget failures as ``OverBudget``."""
    if inner.cancelled():
        outer.cancel()
        return
    error = inner.exception()
    if error is None:
        outer.set_result(inner.result())
    elif isinstance(error, TimeoutError):
        outer.set_exception(OverBudget(f"took over {budget.seconds:g} s; worker stopped"))
    elif isinstance(error, MemoryError):
        outer.set_exception(OverBudget(f"needed over {budget.memory_mb} MB"))
    elif isinstance(error, ProcessExpired):
        # A C extension that cannot allocate aborts instead of raising MemoryError.
        outer.set_exception(
            OverBudget(f"its worker died (exit code {error.exitcode}), most likely out of memory")
        )
    else:
        outer.set_exception(error)


def _start_worker(warm_up: Callable[[], Any] | None) -> None:
    """A new worker: in a session of its own, at a lower priority (``WORKER_NICENESS``), warmed
    up, what it built out of the collector's way.

    Its own session: the signals meant for its owner's process group (Ctrl-C from the terminal,
    a crawl's SIGTERM to stop) are the owner's to act on; a worker killed by one of them would
    fail the article in hand as over budget. The owner stops its workers itself, and a worker
    whose owner is gone exits when its task pipe closes.
    """
    global _CEILING
    os.setsid()
    os.nice(WORKER_NICENESS)
    _CEILING = resource.getrlimit(resource.RLIMIT_AS)[0]  # the owner's ceiling, inherited
    warm_and_freeze(warm_up)


def warm_and_freeze(warm_up: Callable[[], Any] | None) -> None:
    """Build what ``warm_up`` builds, then keep it out of the collector's way for good.

    Gazetteers and models are 10^5 objects that all live on: collections while they are built
    find nothing to free and took half the enrichment warm-up (2.8 s → 1.4 s); frozen, no full
    collection walks them again, and pages a forked child shares with its parent stay shared.
    """
    if warm_up is not None:
        gc.disable()
        try:
            warm_up()
        finally:
            gc.enable()
    gc.collect()
    gc.freeze()


def _bounded_call(memory_mb: int, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    """In a worker: cap the address space at what it holds now plus the budget, then work."""
    limit = address_space() + memory_mb * _MB
    cap_address_space(limit if _CEILING == resource.RLIM_INFINITY else min(limit, _CEILING))
    try:
        return fn(*args)
    finally:
        gc.collect(1)  # give back what the article left behind before the next cap is taken


def address_space() -> int:
    """Bytes of address space this process has mapped now (VmSize)."""
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def cap_address_space(limit: int) -> None:
    """Lower this process's soft address-space limit to ``limit`` bytes (never above the hard)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def apply_memory_ceiling(megabytes: int) -> None:
    """Cap this process, and every process it starts after, at ``megabytes`` of address space.

    Past it an allocation fails (``MemoryError``) instead of the machine swapping or the kernel
    killing whatever it picks. 0 leaves the process as it is; a lower cap already set stays.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    limit = megabytes * _MB
    if megabytes > 0 and (soft == resource.RLIM_INFINITY or soft > limit):
        cap_address_space(limit)


def shared_pool(
    kind: str,
    workers: int,
    budget: Budget,
    warm_up: Callable[[], Any],
    context: BaseContext | None = None,
) -> BoundedPool:
    """This process's pool of a kind, made on first use, remade when its settings change, and
    stopped at exit.

    Starting workers costs seconds (spawn, imports, warm-up), so flows that run one after
    another in a process share them. A pool from before a fork belongs to the parent.
    """
    config = (os.getpid(), workers, budget)
    with _POOLS_LOCK:  # the follow thread and the flow's tasks may ask at once
        entry = _POOLS.get(kind)
        if entry is not None and entry[0] == config:
            return entry[1]
        if entry is not None and entry[0][0] == os.getpid():
            entry[1].close()
        pool = BoundedPool(workers, budget, warm_up, context)
        _POOLS[kind] = (config, pool)
        return pool


def close_shared_pools() -> None:
    """Stop every pool this process made (in tests; at exit each pool closes itself)."""
    for kind, ((pid, *_), pool) in list(_POOLS.items()):
        if pid == os.getpid():
            pool.close()
        del _POOLS[kind]


_POOLS: dict[str, tuple[tuple[int, int, Budget], BoundedPool]] = {}
_POOLS_LOCK = threading.Lock()
