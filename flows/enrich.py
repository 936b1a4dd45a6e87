"""The enrichment step: queued articles of a source run through the enrichers, in batches.

A batch is one transaction: results, runs, failures and the queue mark commit together, so a
kill loses at most the batch in hand, which stays queued. A duplicate is not enriched: it
reads its original's results (``db.enrichment.annotations_of``, view ``article_enrichments``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from newsflow.db import enrichment as store
from newsflow.db.session import session_scope

from newsflow.enrichment import Context, Enricher, Result, default_enrichers
from newsflow.enrichment.bounded import enrich_bounded

BATCH = 200  # articles per transaction


def enrich_source(
    source_id: str,
    run_id: int | None = None,
    url: str | None = None,
    batch: int = BATCH,
    deduplicated: bool = False,
) -> Counter[str]:
    """Work through a source's enrichment queue; counts of what was enriched or failed.

    ``deduplicated``: leave queued what dedup has not yet seen (enrichment beside a crawl).
    """
    counts: Counter[str] = Counter()
    after = 0
    while True:
        with session_scope(url) as session:
            ids = store.pending_ids(session, source_id, batch, after, deduplicated)
        if not ids:
            return counts
        counts.update(enrich_batch(ids, default_enrichers(), run_id, url))
        after = ids[-1]


def enrich_batch(
    ids: Sequence[int],
    enrichers: Sequence[Enricher],
    run_id: int | None = None,
    url: str | None = None,
) -> Counter[str]:
    """Run the enrichers on these articles and store what they found, in one transaction."""
    counts: Counter[str] = Counter()
    with session_scope(url) as session:
        articles = store.load(session, ids)
        # Enrich first, write after: on SQLite the first write takes the database's write lock,
        # which a crawl storing articles meanwhile should not wait on while enrichers run.
        originals = [stored for stored in articles if stored.duplicate_of_id is None]
        items = [(stored.article, Context(stored.page_language)) for stored in originals]
        done = list(zip(originals, enrich_bounded(items, enrichers), strict=True))
        duplicates = [a.id for a in articles if a.duplicate_of_id is not None]
        store.drop_results(session, duplicates)
        counts["enrich_duplicates_skipped"] += len(duplicates)
        # The batch's results are written together: a few statements, not a few per article.
        counts["enrich_failures"] += store.save_batch(session, done, run_id)
        counts["enriched"] += len(done)
        store.mark_enriched(session, {a.id: a.content_hash for a in articles})
    return counts


def reenrich_stale(
    enrichers: Sequence[Enricher],
    source_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    url: str | None = None,
    batch: int = BATCH,
) -> Counter[str]:
    """Re-run enrichers whose version changed (or that failed) on stored articles, resumably.

    Each batch runs, on each article, only the enrichers stale on it, and commits; a killed
    re-enrich started again finds only the articles still stale.
    """
    counts: Counter[str] = Counter()
    versions = {e.name: e.version for e in enrichers}
    after = 0
    while True:
        with session_scope(url) as session:
            ids = store.stale_ids(session, versions, batch, after, source_id, since, until)
        if not ids:
            return counts
        counts.update(reenrich_batch(ids, enrichers, url))
        after = ids[-1]


def reenrich_batch(
    ids: Sequence[int], enrichers: Sequence[Enricher], url: str | None = None
) -> Counter[str]:
    """Run on each of these articles the enrichers not current on it; one transaction."""
    counts: Counter[str] = Counter()
    with session_scope(url) as session:
        current = store.current_runs(session, ids)
        done: list[tuple[store.Stored, list[Result]]] = []
        # Grouped by the enrichers stale on them: one bounded batch per group.
        groups: dict[tuple[int, ...], list[store.Stored]] = {}
        for stored in store.load(session, ids):
            ran = current.get(stored.id, {})
            stale = tuple(i for i, e in enumerate(enrichers) if ran.get(e.name) != e.version)
            groups.setdefault(stale, []).append(stored)
            counts["reenriched"] += 1
            counts.update(f"reenriched_{enrichers[i].name}" for i in stale)
        for stale, group in groups.items():
            items = [(stored.article, Context(stored.page_language)) for stored in group]
            chosen = [enrichers[i] for i in stale]
            done.extend(zip(group, enrich_bounded(items, chosen), strict=True))
        counts["enrich_failures"] += store.save_batch(session, done)
    return counts
