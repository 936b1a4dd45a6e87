"""Run one crawl in this process: ``python -m crawlers.run --source sana-en --run-id 7``.

Exit status: 0 when the crawl completed (page failures are recorded, not fatal), 2 when it
could not start (unknown source, bad arguments, database unreachable, the source busy with
another run), 1 when it stopped early. Flows call ``crawl_in_subprocess`` so Twisted's reactor
lives in a child of its own, forked warm (crawlers/forking.py), in its own process group
(crawlers/processes.py).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from newsflow.crawlers.forking import Child, start_crawl
from newsflow.crawlers.processes import Watchdog, stop_group, stop_with_parent
from newsflow.crawlers.spiders.plan import MODES, parse_day
from newsflow.db import models
from newsflow.db.migrate import SchemaNotCurrent, require_current
from newsflow.db.session import session_scope
from sqlalchemy.exc import SQLAlchemyError

from newsflow.registry import RegistryError, get_source
from newsflow.runs import RunKind, RunParameterError, parse_kind
from newsflow.settings import get_settings

COMPLETED = frozenset({"finished", "closespider_pagecount"})
# Child log lines worth showing while a crawl runs.
PROGRESS = re.compile(
    r"\[scrapy\.extensions\.logstats\]|\[newsflow\.crawlers\.|\] (WARNING|ERROR|CRITICAL):"
)


class CrawlError(RuntimeError):
    """A crawl child process failed; the message carries the tail of its log."""


def _last_error(tail: str) -> str:
    """The child's last word (a traceback's last line is its error), for a one-line message;
    SQLAlchemy's pointer to its documentation, after the error, is skipped."""
    for line in reversed(tail.splitlines()):
        if line.strip() and not line.startswith("(Background on this error"):
            return line.strip()
    return "nothing printed"


class CrawlTimedOut(CrawlError):
    """The crawl ran past its timeout and was stopped."""


class CrawlStopped(CrawlError):
    """The crawl was stopped because its run could not go on (its lease was lost)."""


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
    kind: RunKind | None = None,
) -> str:
    """Run the agency spider to the end in this process; returns Scrapy's finish reason.

    Without ``run_id`` the crawl is a run of its own: the item pipeline takes the source's
    lease and opens the run (``kind``; default backfill with a window, else manual), and
    Scrapy closes it after the source's crawl timeout.
    """
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsflow.crawlers.settings")
    from newsflow.crawlers.spiders.agency import AgencySpider
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    check_ready(source_id, run_id, settings["NEWSFLOW_DATABASE_URL"])
    if run_id is None:
        settings.set("CLOSESPIDER_TIMEOUT", crawl_timeout(source_id), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(AgencySpider)
    process.crawl(
        crawler, source=source_id, run_id=run_id, since=since, until=until, mode=mode, kind=kind
    )
    process.start()
    refused = getattr(crawler.spider, "refused", None)  # the pipeline found the source busy
    if refused:
        raise CannotCrawl(refused)
    return str(crawler.stats.get_value("finish_reason") or "not started")


def crawl_timeout(source_id: str) -> float:
    """Seconds a crawl of the source may run: its registry timeout, else the setting."""
    minutes = get_source(source_id).crawl_timeout_minutes
    return 60 * (minutes or get_settings().runs.crawl_timeout_minutes)


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
    parser.add_argument(
        "--kind",
        choices=[k.value for k in RunKind],
        help="kind of the run a crawl without --run-id opens (default: backfill with a window, "
        "else manual)",
    )
    parser.add_argument("--parent-pid", type=int, help="stop when this process is gone")
    args = parser.parse_args(argv)
    if args.parent_pid:
        stop_with_parent(args.parent_pid, get_settings().runs.stop_grace_seconds)
    try:
        kind = parse_kind(args.kind) if args.kind else None
        reason = crawl(args.source, args.run_id, args.since, args.until, args.mode, kind)
    except (CannotCrawl, RunParameterError, ValueError) as exc:
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
    stop: threading.Event | None = None,
) -> int:
    """Run ``python -m crawlers.run`` as a child (forked warm, crawlers/forking.py); raise
    CrawlError with its log tail on failure.

    ``on_progress`` receives the child's progress lines (Scrapy's per-minute stats, the run
    report, warnings and errors) as they come, so a long crawl is never silent. The child's
    process group is stopped (SIGTERM, then SIGKILL after the grace setting) when ``timeout``
    seconds pass (CrawlTimedOut), when ``stop`` is set (CrawlStopped), and when this process is
    interrupted itself (a cancelled flow run, SIGTERM, Ctrl-C), which is then re-raised.
    """
    argv = ["--source", source_id, "--parent-pid", str(os.getpid())]
    flags = (("--run-id", run_id), ("--since", since), ("--until", until), ("--mode", mode))
    for flag, value in flags:
        if value is not None:
            argv += [flag, str(value)]
    settings = get_settings().runs
    child = start_crawl(argv, {**os.environ, **(env or {})}, fork=settings.fork_crawls)
    grace = settings.stop_grace_seconds
    watchdog = Watchdog(child, timeout, grace, stop).start()
    try:
        tail = _follow(child, on_progress)
        code = child.wait()
    except BaseException:  # cancelled, terminated, interrupted: no crawl outlives its run
        stop_group(child, grace)
        raise
    finally:
        watchdog.cancel()
    if watchdog.reason == "timed_out":
        raise CrawlTimedOut(f"crawl of {source_id} timed out after {timeout:.0f}s:\n{tail}")
    if watchdog.reason == "stopped":
        raise CrawlStopped(f"crawl of {source_id} stopped: its run lost the source:\n{tail}")
    if code != 0:
        raise CrawlError(f"crawl of {source_id} failed (exit {code}): {_last_error(tail)}\n{tail}")
    return code


def _follow(child: Child, on_progress: Callable[[str], object] | None) -> str:
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
