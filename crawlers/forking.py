"""Crawl children forked from the warm forkserver instead of started as fresh interpreters.

A crawl child's imports (Scrapy, Twisted, trafilatura, SQLAlchemy, the spider and its
components) are 1.6 CPU s of the 2.2 s it costs before its first request, paid again by every
crawl: thirty sources crawled at once spent their first minute importing on two cores
(`make bench`, politeness phase). Here each crawl forks from the process's warm forkserver
(newsflow/warm.py), which imported them once. Each crawl is still a process of its own in a
session of its own, with its own log pipe and exit status, shown in ps as the command it
stands for, and it takes this process's environment and directory as they are when it starts,
not as they were when the forkserver did.

Where there is no forkserver (Windows), or ``NEWSFLOW_RUNS__FORK_CRAWLS=false``, a crawl
starts as ``python -m newsflow.crawlers.run`` as before.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext
from typing import IO, Any, Protocol

from newsflow.warm import show_as, take_environment, warm_context

SESSION_WAIT_S = 5.0  # a forked child calls setsid first thing; this is far beyond that


class Child(Protocol):
    """What the crawl's reader and watchdog use of a child: ``subprocess.Popen``'s parts."""

    pid: int
    stdout: IO[str] | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


def start_crawl(argv: Sequence[str], env: Mapping[str, str], fork: bool) -> Child:
    """``python -m newsflow.crawlers.run *argv`` in a session of its own, its output (stdout
    and stderr) on the child's ``stdout``; forked from the warm process when ``fork``."""
    context = warm_context() if fork else None
    if context is not None:
        return ForkedCrawl(context, argv, env)
    return subprocess.Popen(
        [sys.executable, "-m", "newsflow.crawlers.run", *argv],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,  # its own process group: stopped as a whole, by us alone
    )


class ForkedCrawl:
    """A crawl forked from the forkserver: Popen's ``pid``, ``stdout``, ``poll`` and ``wait``."""

    def __init__(
        self, context: ForkServerContext, argv: Sequence[str], env: Mapping[str, str]
    ) -> None:
        reading, writing = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_crawl_main,
            args=(list(argv), dict(env), os.getcwd(), writing),
            name="newsflow-crawl",
        )
        self._process.start()
        writing.close()  # the child holds the only writing end: its exit is our end of file
        self.pid: int = self._process.pid  # type: ignore[assignment]
        self.stdout: IO[str] | None = _text(reading)
        self.returncode: int | None = None
        # Reading the exit status consumes it: the watchdog's thread and ours must take turns.
        self._lock = threading.Lock()
        self._wait_for_session()

    def poll(self) -> int | None:
        """The exit status once the child is gone (as Popen: -N for signal N), else None."""
        with self._lock:
            if self.returncode is None and not self._process.is_alive():
                self.returncode = self._process.exitcode
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child to exit; ``subprocess.TimeoutExpired`` if it outlasts ``timeout``."""
        wait([self._process.sentinel], timeout)
        code = self.poll()
        if code is None:
            raise subprocess.TimeoutExpired("newsflow crawl", timeout or 0)
        return code

    def _wait_for_session(self) -> None:
        """Return once the child leads its own process group, as Popen's child does before
        Popen returns: until then, stopping its group would miss it."""
        deadline = time.monotonic() + SESSION_WAIT_S
        while time.monotonic() < deadline and self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if os.getpgid(self.pid) == self.pid:
                    return
            time.sleep(0.001)


def _text(reading: Connection) -> IO[str]:
    """The pipe's reading end as lines of text (Popen's ``text=True, errors="replace"``)."""
    raw = os.fdopen(os.dup(reading.fileno()), "rb", buffering=0)
    reading.close()
    return io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8", errors="replace")


def _crawl_main(argv: list[str], env: dict[str, str], cwd: str, output: Connection) -> None:
    """In the forked child: become what ``python -m newsflow.crawlers.run`` would be, then run.

    The environment, directory, session and output are this crawl's; settings and the registry,
    cached from the environment, are read afresh.
    """
    os.setsid()
    show_as("newsflow.crawlers.run", *argv)
    os.dup2(output.fileno(), 1)
    os.dup2(output.fileno(), 2)
    output.close()
    take_environment(env, cwd)
    sys.modules.pop("newsflow.crawlers.settings", None)
    from newsflow.crawlers.run import main

    code: Any = 1
    try:
        code = main(argv)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code)
