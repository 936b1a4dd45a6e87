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
The process that forks flow runs under ``serve`` (flows/warm_start.py) runs no crawl and
enriches nothing itself: each flow run is a process of its own, with its own warm forkserver.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import ForkServerContext

__all__ = ["PRELOAD", "warm_context"]

PRELOAD = ["newsflow.crawlers.warm", "newsflow.enrichment.warm"]


def warm_context() -> ForkServerContext | None:
    """multiprocessing's forkserver context, preloading what crawls and enrichment need; None
    where the platform has no forkserver (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # once it started, later calls change nothing
    return context
