"""The revisit flow: a source's recent articles checked again for edits and removals, alone.

The ingest flow revisits after each crawl; this flow is the same step as a run of its own
(kind ``revisit``), for a schedule apart from ingestion (say every 6 hours, as the registry's
``[revisit] every_hours`` suggests), then deduplicates and enriches what changed.
"""

# No `from __future__ import annotations` in a flow module: Prefect may pickle a flow by
# value into its run's process, keeping only the globals its code uses, and then validates
# the parameters against the signature; annotations must be objects, not names to look up.

from typing import Any

from newsflow.flows import ingest as steps
from newsflow.flows.runs import cap_memory
from prefect import flow, get_run_logger

from newsflow.runs import RunKind, check_run

# What a revisit did, in the run summary (the crawl's counts name them).
SUMMARY = ("revisited", "not_modified", "versions_new", "removed", "restored")


@flow(name="revisit", flow_run_name="revisit-{source}")
def revisit(source: str, base_url: str | None = None) -> dict[str, Any]:
    """Fetch the source's articles due for a check again; report versions and removals."""
    logger = get_run_logger()
    cap_memory()
    check_run(source, RunKind.REVISIT, None, None)  # fails fast, naming the known sources
    run_id = steps.open_run(source, RunKind.REVISIT, None, None)
    try:
        steps.revisit(source, run_id, base_url)
        dedup_counts = steps.deduplicate(source)
        enrich_counts = steps.enrich(source, run_id)
    except BaseException as exc:  # closed, whatever stopped it: cancelled, timed out, failed
        steps.stop_run(run_id, exc)
        raise
    summary = steps.close_run(run_id, "completed", extra={**dedup_counts, **enrich_counts})
    logger.info("revisit %s: %s", source, {k: summary["counts"].get(k, 0) for k in SUMMARY})
    return summary


@flow(name="revisit-sources")
def revisit_sources(sources: list[str], base_url: str | None = None) -> list[dict[str, Any]]:
    """Revisit several sources one after another; one failing source does not stop the rest."""
    summaries = []
    for source in sources:
        state = revisit(source, base_url=base_url, return_state=True)
        if state.is_completed():
            summaries.append(state.result())
        else:
            error = str(state.message or state.name)
            get_run_logger().error("revisit %s failed: %s", source, error)
            summaries.append({"source": source, "status": "failed", "error": error, "counts": {}})
    return summaries
