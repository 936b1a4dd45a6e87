"""The backfill flow: one source's history over a date window, as its own deployment.

The same ingest flow with ``kind=backfill`` (one flow run, not a subflow), behind parameters
that say what a backfill needs: the window's two ends are required dates.
"""

from __future__ import annotations

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
