"""A retry queue of SANA English over three listing days, built with the store's own calls.

Each failed run records its failure and counts an attempt (``settle_discoveries(retry=True)``),
as the crawl's pipeline does; a URL that fails in ``MAX_ATTEMPTS`` runs is given up.
"""

from __future__ import annotations

from datetime import date

from newsflow.db import store
from newsflow.db.session import session_scope

from newsflow.registry import get_source

SOURCE = "sana-en"
DAYS = (date(2016, 10, 19), date(2016, 10, 20), date(2016, 10, 21))
# URL -> (listed day, runs it failed in, stored in the run after those)
QUEUE: dict[str, tuple[date | None, int, bool]] = {
    "https://archive.sana.sy/en/?p=1": (DAYS[0], 1, False),  # queued, one attempt
    "https://archive.sana.sy/en/?p=2": (DAYS[0], store.MAX_ATTEMPTS, False),  # given up
    "https://archive.sana.sy/en/?p=3": (DAYS[0], 0, True),  # stored at once
    "https://archive.sana.sy/en/?p=4": (DAYS[0], 2, True),  # stored on the third run
    "https://archive.sana.sy/en/?p=5": (DAYS[1], 3, False),  # queued, three attempts
    "https://archive.sana.sy/en/?p=6": (DAYS[2], store.MAX_ATTEMPTS, False),  # given up
    "https://archive.sana.sy/en/?p=7": (DAYS[2], store.MAX_ATTEMPTS - 1, False),  # queued
    "https://sana.sy/en/?p=8": (None, 1, False),  # a feed item without a date: queued
}
# Per listing day: (queued, given up).
PER_DAY = {DAYS[0]: (1, 1), DAYS[1]: (1, 0), DAYS[2]: (1, 1), None: (1, 0)}


def fill_queue(database_url: str) -> None:
    """List every URL of ``QUEUE``, fail each in its runs, store those it says are stored."""
    with session_scope(database_url) as session:
        store.sync_sources(session, [get_source(SOURCE)])
        listed = [(url, day, "listing") for url, (day, _, _) in QUEUE.items()]
        store.record_discoveries(session, None, SOURCE, listed)
    for run in range(store.MAX_ATTEMPTS):
        with session_scope(database_url) as session:
            for url, (_, failures, stored) in QUEUE.items():
                if run < failures:
                    reason = f"timed out: no complete response within 60.0 seconds (run {run})"
                    store.record_failure(
                        session, None, SOURCE, url, "fetch", reason, None, "timeout"
                    )
                    store.settle_discoveries(session, SOURCE, [url], retry=True)
                elif run == failures and stored:
                    store.settle_discoveries(session, SOURCE, [url])
