"""The process's warm forkserver: crawls and enrichment workers fork from it, ready to work.

Starting a fresh interpreter for each crawl and each enrichment worker cost seconds of CPU
each, again and again: a crawl's imports 1.6 s, an enrichment worker's gazetteers and models
3.6 s, and both re-imported the main module of the process that started them (the `newsflow`
CLI 0.9 s, Prefect's engine in a worker's flow run 2 s). multiprocessing's forkserver, started
by this process when it first needs one, does that work once: it imports the crawler
(crawlers/warm.py) and builds the enrichers' data (enrichment/warm.py), then forks each crawl and
each enrichment worker from there. It holds no reactor, thread or connection, so a fork of it is
as clean as a new interpreter, and the pages it built are shared by every child until one
writes to them (the collector leaves them alone: they are frozen).

multiprocessing keeps one forkserver a process, with the preload of whoever started it first.
The newsflow worker (flows/worker.py) and ``serve`` (flows/warm_start.py) fork their flow runs
from a forkserver that preloaded this too, so a run's crawls and enrichment workers fork from
that one (``warm_context``): one warm process for all of a worker's runs, not one a run.

A forked crawl's extraction workers fork from that same forkserver (``parent_forkserver``):
left to itself, multiprocessing in a child would start a forkserver of its own, and a spawned
worker imported the extractor again, a second of CPU for each crawl.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from multiprocessing import forkserver, resource_tracker
from multiprocessing.context import ForkServerContext
from typing import Any

__all__ = [
    "PRELOAD",
    "in_this_environment",
    "parent_forkserver",
    "show_as",
    "start_forkserver",
    "take_environment",
    "warm_context",
]

PRELOAD = ["newsflow.crawlers.warm", "newsflow.enrichment.warm"]


def warm_context() -> ForkServerContext | None:
    """multiprocessing's forkserver context, preloading what crawls and enrichment need; None
    where the platform has no forkserver (Windows).

    A process forked from a forkserver that preloaded them (a flow run of the newsflow worker
    or of ``serve``) forks from that one: its own would import and build them all again.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    inherited = parent_forkserver() if all(name in sys.modules for name in PRELOAD) else None
    if inherited is not None:
        return inherited
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # once it started, later calls change nothing
    return context


def start_forkserver(preload: Sequence[str]) -> ForkServerContext | None:
    """multiprocessing's forkserver with ``preload`` imported, started now (not by the first
    process that needs it); None where the platform has none. For a process that forks flow
    runs from it (flows/worker.py, flows/warm_start.py)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    first = context.Process(target=_nothing)
    first.start()
    first.join()
    return context


def _nothing() -> None:
    """A first process, so the forkserver starts (and imports) before a run needs it."""


def parent_forkserver() -> ForkServerContext | None:
    """In a child of a warm forkserver (a forked crawl), a context whose processes fork from
    that forkserver too; None in any other process, whose workers are then spawned.

    A forkserver's child knows the server's address and holds the alive pipe its starter
    handed over, all a client needs, but not the server's pid: multiprocessing would take the
    server for dead and start another. The server is not this process's to wait for or start
    again, only to ask, so asking it first checks only the resource tracker (shared as well).
    Python 3.14 authenticates forkserver clients with a key the child is not given: there,
    and wherever these internals differ, workers are spawned as before.
    """
    if sys.version_info >= (3, 14) or "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    server: Any = forkserver._forkserver  # type: ignore[attr-defined]
    if server._forkserver_pid is not None or server._forkserver_address is None:
        return None  # the forkserver's starter, or a process no forkserver forked
    if server._forkserver_alive_fd is None:
        return None
    server.ensure_running = resource_tracker.ensure_running
    return multiprocessing.get_context("forkserver")


def show_as(module: str, *argv: str) -> None:
    """In a child forked from the forkserver: show it in ps and /proc as ``python -m module
    argv…``, not as the forkserver. First thing, before it takes another environment: the title
    goes within the forkserver's long command line's room, leaving the environment area (which
    ps and /proc still show as the forkserver's) alone."""
    os.environ["SPT_NOENV"] = "1"
    from setproctitle import setproctitle

    setproctitle(" ".join([sys.executable, "-m", module, *argv]))


def take_environment(env: Mapping[str, str], cwd: str) -> None:
    """In a child forked from the forkserver: take the environment and directory of the process
    it works for, and read afresh the settings and registry it found cached from the
    forkserver's."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    from newsflow.registry import forget_loaded
    from newsflow.settings import get_settings

    get_settings.cache_clear()
    forget_loaded()


def in_this_environment(warm_up: Callable[[], Any] | None) -> Callable[[], Any]:
    """A worker's warm-up that first takes this process's environment (``take_environment``):
    a worker forked from the forkserver has the forkserver's, where a spawned one had ours.
    Every budget pool forked from a forkserver starts its workers so (newsflow/budget.py)."""
    return partial(_warm_up_in, dict(os.environ), os.getcwd(), warm_up)


def _warm_up_in(env: Mapping[str, str], cwd: str, warm_up: Callable[[], Any] | None) -> None:
    take_environment(env, cwd)
    if warm_up is not None:
        warm_up()
