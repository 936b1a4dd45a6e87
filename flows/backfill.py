"""The backfill flow: one source's history over a date window, as its own deployment.

The same ingest flow with ``kind=backfill`` (one flow run, not a subflow), behind parameters
that say what a backfill needs: the window's two ends are required dates.
"""

# No `from __future__ import annotations` in a flow module: Prefect may pickle a flow by
# value into its run's process, keeping only the globals its code uses, and then validates
# the parameters against the signature; annotations must be objects, not names to look up.

from datetime import date
from typing import Any

from newsflow.flows.ingest import ingest
from prefect import flow

from newsflow.runs import RunKind, check_run


@flow(name="backfill", flow_run_name="backfill-{source}-{since}-{until}")
def backfill(source: str, since: date, until: date, base_url: str | None = None) -> dict[str, Any]:
    """Fetch every article ``source`` published from ``since`` to ``until`` (inclusive)."""
    check_run(source, RunKind.BACKFILL, since, until)  # at once, readable, never retried
    return ingest.fn(source, RunKind.BACKFILL, since, until, base_url)
