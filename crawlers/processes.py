"""Crawl child processes: each in its own process group, stopped as a whole and in time.

A crawl child runs in a new session (crawlers/forking.py), so a signal meant for the
parent (a cancelled flow run, Ctrl-C in a terminal) does not reach it half-way: the parent
decides, and stops the whole group — SIGTERM first, so Scrapy closes the spider and writes its
counts, then SIGKILL for whatever is left after a grace period. A child whose parent died
without stopping it (SIGKILL) notices and stops itself.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsflow.crawlers.forking import Child

log = logging.getLogger(__name__)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group still exists (an unreaped exited leader counts)."""
    return _answers(os.killpg, pgid)


def _answers(send: Callable[[int, int], None], target: int) -> bool:
    """Whether signal 0 finds ``target`` (a process or a group; one not ours counts)."""
    try:
        send(target, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(child: Child, grace: float) -> None:
    """SIGTERM the child's process group; SIGKILL what is left after ``grace`` seconds."""
    pgid = child.pid  # the leader of its own session
    if not _signal(pgid, signal.SIGTERM):
        child.poll()
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        child.poll()  # reap the leader, or it counts as alive
        if not group_alive(pgid):
            return
        time.sleep(0.05)
    log.warning("crawl process group %s outlived %.0fs after SIGTERM: killing it", pgid, grace)
    _signal(pgid, signal.SIGKILL)
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:  # uninterruptible sleep; the kernel delivers it later
        log.error("crawl process %s did not exit after SIGKILL", pgid)
    # The crawl's workers (extraction, multiprocessing's resource tracker) are in its group
    # too; once their parent is gone, init reaps them, a moment after the leader.
    deadline = time.monotonic() + 5
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _signal(pgid: int, signum: int) -> bool:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


class Watchdog:
    """Stops a child's group when its time is up or ``stop`` is set; ``reason`` says which."""

    def __init__(
        self,
        child: Child,
        timeout: float | None,
        grace: float,
        stop: threading.Event | None = None,
    ) -> None:
        self.child, self.timeout, self.grace, self.stop = child, timeout, grace, stop
        self.reason: str | None = None  # "timed_out" or "stopped" once it acted
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="crawl-watchdog", daemon=True)

    def start(self) -> Watchdog:
        """Begin watching."""
        self._thread.start()
        return self

    def cancel(self) -> None:
        """The child ended on its own: stop watching."""
        self._done.set()
        self._thread.join(timeout=self.grace + 10)

    def _watch(self) -> None:
        deadline = time.monotonic() + self.timeout if self.timeout else None
        while not self._done.wait(0.2):
            if self.stop is not None and self.stop.is_set():
                self.reason = "stopped"
            elif deadline is not None and time.monotonic() >= deadline:
                self.reason = "timed_out"
            else:
                continue
            stop_group(self.child, self.grace)
            return


def stop_with_parent(parent_pid: int, grace: float) -> None:
    """In a crawl child: stop this process when its parent is gone (killed without stopping it).

    SIGTERM lets Scrapy close the spider; if that takes longer than ``grace``, exit hard.
    """

    # A forked crawl's parent is the forkserver (newsflow/warm.py), which outlives the process
    # that started the crawl while any child of it lives: that process is watched by its pid.
    first = os.getppid()

    def watch() -> None:
        while os.getppid() == first and _answers(os.kill, parent_pid):
            time.sleep(1.0)
        log.error("the process that started this crawl (pid %s) is gone: stopping", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
