"""The backfill flows: one source's history over a date window, or several sources' at once.

``backfill`` is the ingest flow with ``kind=backfill`` behind parameters that say what a
backfill needs (the window's two ends are required dates). A window over more than one month
runs as month partitions, each a backfill flow run of its own (flows/partitions.py).
"""

# No `from __future__ import annotations` in a flow module: Prefect may pickle a flow by
# value into its run's process, keeping only the globals its code uses, and then validates
# the parameters against the signature; annotations must be objects, not names to look up.

from datetime import date
from typing import Any

from newsflow.flows.ingest import ingest
from newsflow.flows.parallel import for_each_source, outcome
from newsflow.flows.partitions import months, partitioned
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from newsflow.registry import get_source
from newsflow.runs import RunKind, RunParameterError, check_run


@flow(name="backfill", flow_run_name="backfill-{source}-{since}-{until}")
def backfill(
    source: str,
    since: date,
    until: date,
    base_url: str | None = None,
    parent_run: int | None = None,
    from_archive: bool = False,
) -> dict[str, Any]:
    """Fetch every article ``source`` published from ``since`` to ``until`` (inclusive).

    ``parent_run`` is set on the month partitions of a longer backfill (not by hand).
    ``from_archive``: list the window's articles from the source's web archive's index and
    read their captures, for a site whose listings are gone (registry ``[web_archive]``).
    """
    check_run(source, RunKind.BACKFILL, since, until)  # at once, readable, never retried
    if from_archive:
        check_archive(source)
    if parent_run is None and len(months(since, until)) > 1:
        return partitioned(source, since, until, base_url, from_archive)
    return ingest.fn(
        source, RunKind.BACKFILL, since, until, base_url, parent_run, from_archive=from_archive
    )


def check_archive(source: str) -> None:
    """A backfill from the archive needs the source to name one (a readable failure)."""
    if get_source(source).web_archive is None:
        raise RunParameterError(
            f"{source} declares no web archive; add a [web_archive] block to its registry entry"
        )


@task(cache_policy=NO_CACHE, task_run_name="backfill-{source}")
def backfill_one(
    source: str, since: date, until: date, base_url: str | None, from_archive: bool = False
) -> dict[str, Any]:
    """One source's backfill flow run (a subflow); a failure is its summary, not raised."""
    return outcome(
        source,
        lambda: backfill(
            source, since, until, base_url, from_archive=from_archive, return_state=True
        ),
    )


@flow(name="backfill-sources", flow_run_name="backfill-sources-{since}-{until}")
def backfill_sources(
    sources: list[str],
    since: date,
    until: date,
    base_url: str | None = None,
    from_archive: bool = False,
) -> list[dict[str, Any]]:
    """Backfill several sources over one window at once (flows/parallel.py)."""
    for source in sources:
        check_run(source, RunKind.BACKFILL, since, until)
        if from_archive:
            check_archive(source)
    options = {"since": since, "until": until, "base_url": base_url, "from_archive": from_archive}
    return for_each_source(backfill_one, sources, **options)
