"""Prefect flows: ingest one source (scheduled or over a backfill window), or several."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow, get_run_logger, runtime, task

from crawlers.run import crawl_in_subprocess
from db import queries, store
from db.coverage import refresh_coverage
from db.migrate import require_current
from db.session import session_scope
from flows.dedup import deduplicate_source
from flows.enrich import enrich_source
from newsflow.registry import get_source, load_registry


@task
def open_run(source_id: str, kind: str, since: date | None, until: date | None) -> int:
    """Sync the registry and open a crawl run row."""
    window = (since, until) if since and until else None
    require_current()
    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
        store.mark_interrupted(session, source_id)
        return store.start_run(session, source_id, kind, window, runtime.flow_run.id)


@task(retries=2, retry_delay_seconds=[10, 60])
def crawl(
    source_id: str, run_id: int, since: date | None, until: date | None, base_url: str | None
) -> None:
    """Fetch and store the source's pages; the crawl runs in a child process."""
    env = {"NEWSFLOW_BASE_URL": base_url} if base_url else None
    logger = get_run_logger()
    crawl_in_subprocess(
        source_id, run_id, since=since, until=until, env=env, on_progress=logger.info
    )


@task(retries=2, retry_delay_seconds=[10, 60])
def deduplicate(source_id: str) -> dict[str, int]:
    """Link the source's queued articles to their copies (any source) and join stories."""
    counts = deduplicate_source(source_id)
    return {key: counts[key] for key in ("duplicates_exact", "near_duplicates", "stories_joined")}


@task(retries=2, retry_delay_seconds=[10, 60])
def enrich(source_id: str, run_id: int) -> dict[str, int]:
    """Run the enrichers on the source's queued articles: new, or edited since enriched."""
    counts = enrich_source(source_id, run_id)
    return {key: counts[key] for key in ("enriched", "enrich_failures")}


@task
def update_coverage(source_id: str, run_id: int, since: date | None, until: date | None) -> int:
    """Recount coverage for the window, or for the days this run discovered articles on."""
    with session_scope() as session:
        if since is None or until is None:
            since, until = queries.discovery_window(session, run_id)
        if since is None or until is None:
            return 0
        return refresh_coverage(session, source_id, since, until, get_source(source_id).tz)


@task
def close_run(
    run_id: int, status: str, error: str | None = None, extra: dict[str, int] | None = None
) -> dict[str, Any]:
    """Close the run with its counts (crawl, failures and ``extra``) and return its summary."""
    with session_scope() as session:
        counts = {**queries.run_counts(session, run_id), **(extra or {})}
        store.finish_run(session, run_id, counts, status, error)
        run = session.get(store.models.CrawlRun, run_id)
        return {
            "run_id": run_id,
            "source": run.source_id if run else None,
            "kind": run.kind if run else None,
            "status": status,
            "error": error,
            "counts": counts,
        }


@flow(name="ingest", flow_run_name="ingest-{source}-{kind}")
def ingest(
    source: str,
    kind: str = "scheduled",
    since: date | None = None,
    until: date | None = None,
    base_url: str | None = None,
) -> dict[str, Any]:
    """Crawl one source, store its articles, deduplicate, and report what happened."""
    logger = get_run_logger()
    get_source(source)  # fail fast, naming the known sources, before anything is written
    run_id = open_run(source, kind, since, until)
    try:
        crawl(source, run_id, since, until, base_url)
    except Exception as exc:
        close_run(run_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    dedup_counts = deduplicate(source)
    enrich_counts = enrich(source, run_id)
    update_coverage(source, run_id, since, until)
    summary = close_run(run_id, "completed", extra={**dedup_counts, **enrich_counts})
    logger.info("ingest %s: %s", source, summary["counts"])
    return summary


@flow(name="ingest-sources")
def ingest_sources(
    sources: list[str], kind: str = "scheduled", base_url: str | None = None
) -> list[dict[str, Any]]:
    """Ingest several sources one after another; one failing source does not stop the rest."""
    logger = get_run_logger()
    summaries = []
    for source in sources:
        state = ingest(source, kind=kind, base_url=base_url, return_state=True)
        if state.is_completed():
            summaries.append(state.result())
        else:
            error = str(state.message or state.name)
            logger.error("ingest %s failed: %s", source, error)
            summaries.append({"source": source, "status": "failed", "error": error, "counts": {}})
    return summaries
