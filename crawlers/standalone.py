"""A crawl that is a run of its own: ``scrapy crawl agency`` or ``python -m crawlers.run``
without ``--run-id``. It takes the source's lease and opens its run as a flow would, and
closes the run with the status its finish reason means.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from newsflow.db import leases, store
from newsflow.db.coverage import COUNTED, heal_coverage
from newsflow.db.session import outlasting_outages, session_scope

from newsflow.registry import get_source
from newsflow.runs import RunKind, RunStatus

log = logging.getLogger(__name__)
# Scrapy's finish reason → the run's status; anything else failed.
STATUSES = {
    "finished": RunStatus.COMPLETED,
    "closespider_pagecount": RunStatus.COMPLETED,
    "shutdown": RunStatus.CANCELLED,  # SIGTERM or Ctrl-C
    "closespider_timeout": RunStatus.TIMED_OUT,
}


@dataclass
class StandaloneRun:
    """The run a bare crawl opened, held by its lease and heartbeat until closed."""

    run_id: int
    lease: leases.Lease
    heartbeat: leases.Heartbeat
    window: tuple[date, date] | None = None

    @classmethod
    def open(
        cls,
        database_url: str | None,
        source_id: str,
        kind: RunKind,
        window: tuple[date, date] | None,
        on_lost: Callable[[], object],
    ) -> StandaloneRun:
        """Take the source (SourceBusy when another run keeps it) and open the run."""
        lease = leases.acquire(source_id, url=database_url)
        try:
            with session_scope(database_url) as session:
                store.mark_interrupted(session, source_id)
                run_id = store.start_run(session, source_id, kind, window)
                leases.attach_run(session, lease, run_id)
        except BaseException:
            leases.release(lease)
            raise
        return cls(run_id, lease, leases.Heartbeat(lease, on_lost=on_lost).start(), window)

    def close(self, reason: str, counts: dict[str, int]) -> None:
        """Close the run by the crawl's finish reason and give the source back."""
        status = STATUSES.get(reason, RunStatus.FAILED)
        error = None if status is RunStatus.COMPLETED else f"crawl stopped: {reason}"
        self.finish(status, error, counts, count_coverage=status is RunStatus.COMPLETED)

    def finish(
        self,
        status: RunStatus,
        error: str | None,
        counts: dict[str, int],
        *,
        count_coverage: bool,
    ) -> None:
        """Close the run with this status and its counts, and give the source back."""
        self.heartbeat.stop()
        outlasting_outages(
            lambda: self._close(status, error, counts, count_coverage), f"run {self.run_id}"
        )
        log.info("run %s closed: %s", self.run_id, status)

    def _close(
        self, status: RunStatus, error: str | None, counts: dict[str, int], count_coverage: bool
    ) -> None:
        source_id = self.lease.source_id
        with session_scope(self.lease.url) as session:
            if count_coverage:  # as a flow's run does, in the same transaction
                tz = get_source(source_id).tz
                days = heal_coverage(session, source_id, self.run_id, tz, self.window)
                counts = {**counts, COUNTED: days}
            store.finish_run(session, self.run_id, counts, status, error)
            leases.release(self.lease, session)
