"""What a crawl run is: its kind, how it ended, and the parameters every entry point checks.

The flows, the CLI, the deployments and ``python -m crawlers.run`` all go through
``check_run`` before anything is written, so a bad parameter fails at once with one readable
line and is never retried.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

# What a crawl counts into its run row (crawlers/extensions.py), all zero when nothing was
# crawled. Here, not beside the extension, so the flow process never imports Scrapy for it.
CRAWL_COUNTS = (
    "pages_fetched",
    "not_modified",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "articles_failed",
    "not_articles",
    "blocked",
    "skipped_known",
    "offsite_dropped",
    "fetch_failures",
    "feeds_failed",
    "revisited",
    "lastmod_refetched",
    "versions_new",
    "removed",
    "restored",
    # Milliseconds the crawl spent extracting and storing (the rest is fetching and discovery).
    "extract_ms",
    "store_ms",
    # Requests to a host that waited for its shared pace again (woken late), or kept it alone
    # because the database could not be asked (crawlers/pace.py).
    "pace_missed",
    "pace_fallbacks",
)


# A crawl window lies between this day and tomorrow (UTC): no agency published on the web
# before 1990, tomorrow covers time zones up to 14 hours ahead of UTC, and a window reaching
# the calendar's ends (0001-01-01, 9999-12-31) would overflow the day arithmetic of a crawl.
EARLIEST_DAY = date(1990, 1, 1)


class RunKind(StrEnum):
    """Why a run happened; stored in ``crawl_runs.kind``."""

    SCHEDULED = "scheduled"  # a deployment's schedule fired it
    MANUAL = "manual"  # someone asked: `newsflow ingest`, a deployment run by hand, a bare crawl
    BACKFILL = "backfill"  # a date window of history
    REVISIT = "revisit"  # known articles checked again for edits and removals
    REPROCESS = "reprocess"  # stored pages extracted again, nothing fetched
    IMPORT = "import"  # pages read from WARC files (newsflow import-warc), nothing fetched


class RunStatus(StrEnum):
    """How a run stands; stored in ``crawl_runs.status``."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped on purpose: a cancelled flow run, SIGTERM, Ctrl-C
    TIMED_OUT = "timed_out"  # the crawl outlived the source's crawl timeout
    INTERRUPTED = "interrupted"  # its process died; closed by the next run of the source


class RunParameterError(ValueError):
    """A run was asked for with parameters that can never work; the message says which."""


def parse_kind(value: RunKind | str | None, default: RunKind = RunKind.MANUAL) -> RunKind:
    """The run kind named by ``value`` (``default`` when None), or RunParameterError."""
    if value is None:
        return default
    try:
        return RunKind(str(value).strip().lower())
    except ValueError:
        known = ", ".join(kind.value for kind in RunKind)
        raise RunParameterError(f"unknown run kind {value!r}; use one of {known}") from None


def latest_day() -> date:
    """The last day a crawl window may reach: tomorrow in UTC."""
    return datetime.now(UTC).date() + timedelta(days=1)


def check_window(since: date | None, until: date | None, kind: RunKind) -> None:
    """A window must not end before it starts, nor leave history; a backfill needs both ends."""
    if since and until and since > until:
        raise RunParameterError(f"since {since} is after until {until}")
    if kind is RunKind.BACKFILL and not (since and until):
        raise RunParameterError("a backfill needs both since and until (YYYY-MM-DD)")
    problem = window_range_problem(since, until)
    if problem:
        raise RunParameterError(problem)


def window_range_problem(since: date | None, until: date | None, prefix: str = "") -> str | None:
    """What puts a window's ends outside EARLIEST_DAY … tomorrow (UTC), or None.

    ``prefix`` goes before the ends' names (``--`` for command-line options).
    """
    earliest, latest = EARLIEST_DAY, latest_day()
    for name, day in (("since", since), ("until", until)):
        if day is not None and not earliest <= day <= latest:
            return (
                f"{prefix}{name} {day} is outside the days a crawl can cover: "
                f"{earliest} to {latest} (tomorrow, UTC)"
            )
    return None


def check_run(
    source: str, kind: RunKind | str | None, since: date | None, until: date | None
) -> RunKind:
    """Check a run's parameters before anything is written; returns its kind."""
    from newsflow.registry import RegistryError, get_source

    checked = parse_kind(kind)
    check_window(since, until, checked)
    try:
        get_source(source)
    except RegistryError as exc:
        raise RunParameterError(str(exc)) from None
    return checked
