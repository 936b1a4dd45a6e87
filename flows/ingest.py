"""Prefect flows: ingest one source (scheduled or over a backfill window), or several.

One crawl per source, whatever starts it: a run holds the source's lease from ``open_run`` to
its close (flows/runs.py). A cancelled flow run, SIGTERM or Ctrl-C stops the crawl's whole
process group and closes the run as cancelled; a crawl past its timeout as timed_out.
"""

# No `from __future__ import annotations` in a flow module: Prefect may pickle a flow by
# value into its run's process, keeping only the globals its code uses, and then validates
# the parameters against the signature; annotations must be objects, not names to look up.

import logging
import threading
from collections import Counter
from datetime import date
from typing import Any

from newsflow.crawlers.probe import probe
from newsflow.crawlers.run import crawl_in_subprocess, crawl_timeout
from newsflow.db import store
from newsflow.db.coverage import COUNTED, heal_coverage
from newsflow.db.migrate import require_current
from newsflow.db.revisits import due_ids
from newsflow.db.session import outlasting_outages, session_scope
from newsflow.flows import runs
from newsflow.flows.dedup import deduplicate_source
from newsflow.flows.enrich import enrich_source
from newsflow.flows.parallel import for_each_source, outcome
from prefect import flow, get_run_logger, runtime, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import OperationalError

from newsflow.registry import get_source, load_registry
from newsflow.runs import CRAWL_COUNTS, RunKind, RunStatus, check_run
from newsflow.settings import get_settings

log = logging.getLogger(__name__)


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=runs.transient)
def open_run(
    source_id: str,
    kind: RunKind,
    since: date | None,
    until: date | None,
    parent_run: int | None = None,
) -> int:
    """Sync the registry, take the source (or wait, bounded, for it) and open the run row."""
    window = (since, until) if since and until else None
    require_current()
    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
    return runs.begin(source_id, kind, window, runtime.flow_run.id, parent_run)


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=runs.transient)
def crawl(
    source_id: str,
    run_id: int,
    since: date | None,
    until: date | None,
    base_url: str | None,
    kind: RunKind | None = None,
    from_archive: bool = False,
) -> None:
    """Fetch and store the source's pages; the crawl runs in a child process.

    A scheduled run probes first (crawlers/probe.py): when the source has nothing new, no child
    starts and the run's counts say so (``probe_skipped``). Retried only when the child
    crashed; stopped after the source's crawl timeout.
    """
    env = {"NEWSFLOW_BASE_URL": base_url} if base_url else None
    logger = get_run_logger()
    if (
        kind == RunKind.SCHEDULED
        and get_settings().crawl.probe
        and _nothing_new(source_id, run_id, base_url, logger)
    ):
        return
    crawl_in_subprocess(
        source_id,
        run_id,
        since=since,
        until=until,
        env=env,
        timeout=crawl_timeout(source_id),
        on_progress=logger.info,
        mode="web-archive" if from_archive else None,  # the window's articles from the archive
        stop=runs.lost(run_id),
    )


def _nothing_new(source_id: str, run_id: int, base_url: str | None, logger: Any) -> bool:
    """Probe the source; when nothing is new, record the skipped crawl in the run's counts.

    The probe only ever says "skip" or "crawl"; a probe that breaks (a bug, the store away)
    costs the crawl it would have saved, never the run.
    """
    try:
        found = probe(get_source(source_id), run_id, base_url=base_url)
    except Exception as exc:
        logger.warning("probe of %s failed (%s: %s); crawling", source_id, type(exc).__name__, exc)
        return False
    if not found.nothing_new:
        logger.info("probe: %s; crawling (%d requests)", found.reason, found.requests)
        return False
    # What the crawl child's RunCounts would have written, so the run reads like any other.
    skipped = dict.fromkeys(CRAWL_COUNTS, 0) | {"not_modified": found.not_modified}
    runs.add_counts(run_id, {**skipped, "probe_skipped": 1, "probe_requests": found.requests})
    logger.info("%s; crawl skipped", found.reason)
    return True


# A round of dedup and enrichment beside the crawl takes what is queued, then waits this long
# unless it took a full round's worth: a crawl at its host's pace stores about an article a
# second, and a round's transactions and queries cost more than its articles (this process's
# CPU on PostgreSQL: 17 ms for a round of one article, 3.8 ms an article in rounds of ten).
FOLLOW_IDLE_SECONDS = 2.0
FOLLOW_FULL_ROUND = 20  # articles: a round that took this many goes straight on
DEDUP_COUNTS = ("duplicates_exact", "near_duplicates", "stories_joined")
ENRICH_COUNTS = ("enriched", "enrich_failures")
# How much of the work was done beside the crawl (``dedup_checked_during_crawl``, …).
DURING_CRAWL = ("dedup_checked", "enriched")


@task(cache_policy=NO_CACHE)
def follow(source_id: str, run_id: int, crawl_done: threading.Event) -> dict[str, int]:
    """Deduplicate and enrich what the crawl has stored so far, in rounds, until it ends.

    The crawl child keeps one core busy and this thread the other, instead of dedup and
    enrichment waiting for the whole crawl. Both work off persistent queues, so a round takes
    only what is queued; enrichment only what dedup has already seen (a duplicate is not
    enriched). What the last round leaves, or a failed round, the tasks after the crawl take.
    """
    counts: Counter[str] = Counter()
    logger = get_run_logger()
    while not crawl_done.is_set():
        try:
            found = deduplicate_source(source_id)
            found.update(enrich_source(source_id, run_id, deduplicated=True))
        except Exception as exc:  # left queued for the tasks after the crawl, which retry
            logger.warning("dedup/enrich beside the crawl: %s: %s", type(exc).__name__, exc)
            found = Counter()
        counts.update({k: found[k] for k in (*DEDUP_COUNTS, *ENRICH_COUNTS, "dedup_checked")})
        if max(found["dedup_checked"], found["enriched"]) < FOLLOW_FULL_ROUND:
            crawl_done.wait(FOLLOW_IDLE_SECONDS)
    return dict(counts)


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=runs.transient)
def revisit(source_id: str, run_id: int, base_url: str | None) -> int:
    """Fetch the source's recent articles again (conditional GET) for edits and removals.

    Returns how many were due (registry ``[revisit]`` policy); none due starts no crawl.
    """
    with session_scope() as session:
        due = len(due_ids(session, source_id, get_source(source_id).revisit))
    if due:
        crawl_in_subprocess(
            source_id,
            run_id,
            env={"NEWSFLOW_BASE_URL": base_url} if base_url else None,
            timeout=crawl_timeout(source_id),
            on_progress=get_run_logger().info,
            mode="revisit",
            stop=runs.lost(run_id),
        )
    return due


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=runs.transient)
def deduplicate(source_id: str) -> dict[str, int]:
    """Link the source's queued articles to their copies (any source) and join stories."""
    counts = deduplicate_source(source_id)
    return {key: counts[key] for key in DEDUP_COUNTS}


@task(retries=2, retry_delay_seconds=[10, 60], retry_condition_fn=runs.transient)
def enrich(source_id: str, run_id: int) -> dict[str, int]:
    """Run the enrichers on the source's queued articles: new, or edited since enriched."""
    counts = enrich_source(source_id, run_id)
    return {key: counts[key] for key in ENRICH_COUNTS}


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=runs.transient)
def update_coverage(source_id: str, run_id: int, since: date | None, until: date | None) -> int:
    """Recount coverage for the window and the days this run touched, and for the days of the
    source's earlier runs that ended before counting theirs (killed, failed, cancelled)."""
    window = (since, until) if since and until else None
    with session_scope() as session:
        return heal_coverage(session, source_id, run_id, get_source(source_id).tz, window)


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=runs.transient)
def close_run(
    run_id: int, status: str, error: str | None = None, extra: dict[str, int] | None = None
) -> dict[str, Any]:
    """Close the run with its counts (crawl, failures and ``extra``), let the source go, and
    publish its summary as a markdown artifact; returns the summary."""
    summary = runs.end(run_id, RunStatus(status), error, extra)
    runs.publish(summary)
    return summary


def _crawl_followed(
    source: str,
    run_id: int,
    since: date | None,
    until: date | None,
    base_url: str | None,
    kind: RunKind,
    from_archive: bool = False,
) -> dict[str, int]:
    """The crawl, with dedup and enrichment following it in a second thread; their counts."""
    done = threading.Event()
    following = follow.submit(source, run_id, done)
    try:
        crawl(source, run_id, since, until, base_url, kind, from_archive)
    finally:
        done.set()  # the follower ends its round; the crawl's error, if any, is the one raised
        following.wait()
    return following.result()


def stop_run(run_id: int, exc: BaseException) -> None:
    """Close a run that raised: failed, cancelled or timed_out, with its counts so far.

    A plain function, not a task: after a cancellation no new task run should start. The
    database may be away: closing is tried again as the tasks' retries would.
    """
    status, error = runs.stopped(exc)
    try:
        summary = outlasting_outages(lambda: runs.end(run_id, status, error), f"run {run_id}")
    except OperationalError as db_error:  # left running; the next run closes it as interrupted
        log.error("run %s could not be closed as %s: %s", run_id, status, db_error)
        return
    if isinstance(exc, Exception):
        runs.publish(summary)


def _run_name() -> str:
    parameters = runtime.flow_run.parameters
    return f"ingest-{parameters['source']}-{parameters.get('kind') or 'auto'}"


@flow(name="ingest", flow_run_name=_run_name)
def ingest(
    source: str,
    kind: RunKind | None = None,
    since: date | None = None,
    until: date | None = None,
    base_url: str | None = None,
    parent_run: int | None = None,
    from_archive: bool = False,
) -> dict[str, Any]:
    """Crawl one source, store its articles, deduplicate, and report what happened.

    ``kind`` left out: scheduled when a deployment's schedule started the flow run, else manual.
    ``parent_run``: the partitioned backfill this run is a month of (flows/backfill.py).
    ``from_archive``: a backfill whose articles the source's web archive lists and serves.
    """
    logger = get_run_logger()
    runs.cap_memory()
    # Before anything is written, and never retried: a readable failure, naming what is wrong.
    kind = check_run(source, runs.this_run_kind(kind), since, until)
    run_id = open_run(source, kind, since, until, parent_run)
    try:
        early = _crawl_followed(source, run_id, since, until, base_url, kind, from_archive)
        runs.go_on()
        revisit(source, run_id, base_url)
        runs.go_on()
        late = Counter(deduplicate(source)) + Counter(enrich(source, run_id))
        days = update_coverage(source, run_id, since, until)
        extra = {key: early.get(key, 0) + late[key] for key in (*DEDUP_COUNTS, *ENRICH_COUNTS)}
        extra |= {f"{key}_during_crawl": early.get(key, 0) for key in DURING_CRAWL}
        summary = close_run(run_id, "completed", extra={**extra, COUNTED: days})
    except BaseException as exc:  # closed, whatever stopped it: cancelled, timed out, failed
        stop_run(run_id, exc)
        raise
    logger.info("ingest %s: %s", source, summary["counts"])
    return summary


@task(cache_policy=NO_CACHE, task_run_name="ingest-{source}")
def ingest_one(source: str, kind: RunKind | None, base_url: str | None) -> dict[str, Any]:
    """One source's ingest flow run (a subflow); a failure is its summary, not raised."""
    return outcome(source, lambda: ingest(source, kind=kind, base_url=base_url, return_state=True))


@flow(name="ingest-sources")
def ingest_sources(
    sources: list[str], kind: RunKind | None = None, base_url: str | None = None
) -> list[dict[str, Any]]:
    """Ingest several sources at once (flows/parallel.py); one failing does not stop the rest."""
    return for_each_source(ingest_one, sources, kind=kind, base_url=base_url)
