"""Prefect flows: ingest, backfill and reprocess."""

from newsflow.offline import keep_offline

# Before any flow module imports Prefect, which reads its telemetry settings on import.
keep_offline()
