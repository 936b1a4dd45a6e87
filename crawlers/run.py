"""Run one crawl in this process: ``python -m crawlers.run --source sana-en --run-id 7``.

Exit status: 0 when the crawl completed (page failures are recorded, not fatal), 2 when it
could not start (unknown source, bad arguments, database unreachable), 1 when it stopped
early. Flows call ``crawl_in_subprocess`` so Twisted's reactor lives in a fresh child.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from crawlers.spiders.plan import MODES, parse_day
from db import models
from db.migrate import SchemaNotCurrent, require_current
from db.session import session_scope
from newsflow.registry import RegistryError, get_source

COMPLETED = frozenset({"finished", "closespider_pagecount"})
# Child log lines worth showing while a crawl runs.
PROGRESS = re.compile(r"\[scrapy\.extensions\.logstats\]|\[crawlers\.|\] (WARNING|ERROR|CRITICAL):")


class CrawlError(RuntimeError):
    """A crawl child process failed; the message carries the tail of its log."""


class CannotCrawl(RuntimeError):
    """The crawl cannot start; the message says why in the user's terms."""


def check_ready(source_id: str, run_id: int | None, database_url: str) -> None:
    """Fail early and readably: unknown source or unreachable database or unknown run."""
    try:
        get_source(source_id)
    except RegistryError as exc:
        raise CannotCrawl(str(exc)) from None
    try:
        require_current(database_url)
        with session_scope(database_url) as session:
            if run_id is not None and session.get(models.CrawlRun, run_id) is None:
                raise CannotCrawl(f"crawl run {run_id} does not exist")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise CannotCrawl(f"database unavailable: {reason}") from None
    except SchemaNotCurrent as exc:
        raise CannotCrawl(str(exc)) from None


def crawl(
    source_id: str,
    run_id: int | None,
    since: date | None,
    until: date | None,
    mode: str | None = None,
) -> str:
    """Run the agency spider to the end in this process; returns Scrapy's finish reason."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawlers.spiders.agency import AgencySpider

    settings = get_project_settings()
    check_ready(source_id, run_id, settings["NEWSFLOW_DATABASE_URL"])
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(AgencySpider)
    process.crawl(crawler, source=source_id, run_id=run_id, since=since, until=until, mode=mode)
    process.start()
    return str(crawler.stats.get_value("finish_reason") or "not started")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; errors become one readable line on stderr."""
    parser = argparse.ArgumentParser(
        prog="python -m crawlers.run",
        description="Crawl one source. Example: python -m crawlers.run --source sana-en "
        "--since 2016-10-01 --until 2016-10-31",
    )
    parser.add_argument("--source", required=True, help="registry source id, e.g. sana-en")
    parser.add_argument("--run-id", type=int, help="crawl run to report into (else a manual run)")
    parser.add_argument("--since", type=parse_day, help="backfill window start (YYYY-MM-DD)")
    parser.add_argument("--until", type=parse_day, help="backfill window end (YYYY-MM-DD)")
    parser.add_argument(
        "--mode", choices=MODES, help="default: backfill with a window, else scheduled"
    )
    args = parser.parse_args(argv)
    try:
        reason = crawl(args.source, args.run_id, args.since, args.until, args.mode)
    except (CannotCrawl, ValueError) as exc:
        print(f"newsflow crawl: cannot crawl {args.source}: {exc}", file=sys.stderr)
        return 2
    if reason not in COMPLETED:
        print(f"newsflow crawl: {args.source} stopped early: {reason}", file=sys.stderr)
        return 1
    return 0


def crawl_in_subprocess(
    source_id: str,
    run_id: int | None,
    since: date | str | None = None,
    until: date | str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    on_progress: Callable[[str], object] | None = None,
    mode: str | None = None,
) -> int:
    """Run ``python -m crawlers.run`` as a child; raise CrawlError with its log tail on failure.

    ``on_progress`` receives the child's progress lines (Scrapy's per-minute stats, the run
    report, warnings and errors) as they come, so a long crawl is never silent.
    """
    command = [sys.executable, "-m", "crawlers.run", "--source", source_id]
    flags = (("--run-id", run_id), ("--since", since), ("--until", until), ("--mode", mode))
    for flag, value in flags:
        if value is not None:
            command += [flag, str(value)]
    child = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        child.kill()

    watchdog = threading.Timer(timeout or 0, stop)
    if timeout:
        watchdog.start()
    tail = _follow(child, on_progress)
    code = child.wait()
    watchdog.cancel()
    if timed_out.is_set():
        raise CrawlError(f"crawl of {source_id} timed out after {timeout}s:\n{tail}")
    if code != 0:
        raise CrawlError(f"crawl of {source_id} failed (exit {code}):\n{tail}")
    return code


def _follow(child: subprocess.Popen[str], on_progress: Callable[[str], object] | None) -> str:
    """Read the child's log to the end; pass on progress lines, keep the last ones."""
    tail: deque[str] = deque(maxlen=25)
    assert child.stdout is not None
    for line in child.stdout:
        line = line.rstrip()
        tail.append(line)
        if on_progress and PROGRESS.search(line):
            on_progress(line)
    return "\n".join(tail)


if __name__ == "__main__":
    sys.exit(main())
