"""Re-enrich stored articles: enrichers whose version changed run again, nothing is refetched.

The same enrichers as ingest, run over a backfill window instead of a run's queue. Batches
commit one by one; started again after a kill, the flow finds only what is still stale.
"""

# No `from __future__ import annotations` in a flow module: Prefect may pickle a flow by
# value into its run's process, keeping only the globals its code uses, and then validates
# the parameters against the signature; annotations must be objects, not names to look up.

from collections import Counter
from datetime import date

from newsflow.db import enrichment as store
from newsflow.db.session import session_scope
from newsflow.flows.enrich import BATCH, reenrich_batch
from newsflow.flows.runs import cap_memory
from prefect import flow, get_run_logger, task

from newsflow.enrichment import select_enrichers


@task
def stale_batch(
    names: list[str],
    after: int,
    batch_size: int,
    source: str | None,
    window: tuple[date | None, date | None],
) -> list[int]:
    """The next batch of article ids some of these enrichers are stale on."""
    versions = {e.name: e.version for e in select_enrichers(names)}
    with session_scope() as session:
        return store.stale_ids(session, versions, batch_size, after, source, *window)


@task(retries=2, retry_delay_seconds=[10, 60])
def reenrich_articles(ids: list[int], names: list[str]) -> dict[str, int]:
    """Run on these articles the named enrichers not current on them, and store the results."""
    return dict(reenrich_batch(ids, select_enrichers(names)))


@flow(name="reenrich", flow_run_name="reenrich-{source}")
def reenrich(
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
    enrichers: list[str] | None = None,
    batch_size: int = BATCH,
) -> dict[str, int]:
    """Bring every stored article up to the current version of the chosen enrichers."""
    cap_memory()
    names = [e.name for e in select_enrichers(enrichers)]  # fail fast on an unknown name
    totals: Counter[str] = Counter()
    after = 0
    while ids := stale_batch(names, after, batch_size, source, (since, until)):
        totals.update(reenrich_articles(ids, names))
        after = ids[-1]
    get_run_logger().info("reenrich %s: %s", source or "all sources", dict(totals))
    return dict(totals)
