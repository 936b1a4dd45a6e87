"""What a crawl run is: its kind, how it ended, and the parameters every entry point checks.

The flows, the CLI, the deployments and ``python -m crawlers.run`` all go through
``check_run`` before anything is written, so a bad parameter fails at once with one readable
line and is never retried.
"""

from __future__ import annotations

from datetime import date
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
)


class RunKind(StrEnum):
    """Why a run happened; stored in ``crawl_runs.kind``."""

    SCHEDULED = "scheduled"  # a deployment's schedule fired it
    MANUAL = "manual"  # someone asked: `newsflow ingest`, a deployment run by hand, a bare crawl
    BACKFILL = "backfill"  # a date window of history
    REVISIT = "revisit"  # known articles checked again for edits and removals
    REPROCESS = "reprocess"  # stored pages extracted again, nothing fetched


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


def check_window(since: date | None, until: date | None, kind: RunKind) -> None:
    """A window must not end before it starts; a backfill needs both ends."""
    if since and until and since > until:
        raise RunParameterError(f"since {since} is after until {until}")
    if kind is RunKind.BACKFILL and not (since and until):
        raise RunParameterError("a backfill needs both since and until (YYYY-MM-DD)")


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
