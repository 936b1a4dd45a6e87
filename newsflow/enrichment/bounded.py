"""Enrichment under a budget: each article's enrichers run in a worker process that can be
stopped, so one article can cost its own results but never the run.

An article whose enrichers together overrun is tried again one enricher at a time, each with
the whole budget: the enrichers that finish keep their results, the one over budget gets an
error result (code ``budget_exceeded``), which the store records like any enricher's failure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future

from newsflow.article import Article
from newsflow.budget import BoundedPool, Budget, OverBudget, shared_pool
from newsflow.enrichment import Context, Enricher, Result, enrich_article, warm_up
from newsflow.failures import FailureCode
from newsflow.machine import usable_cores
from newsflow.settings import get_settings
from newsflow.warm import warm_context

__all__ = ["enrich_bounded", "enrichment_pool"]

log = logging.getLogger(__name__)
Item = tuple[Article, Context]


def enrich_bounded(items: Sequence[Item], enrichers: Sequence[Enricher]) -> list[list[Result]]:
    """Each article's results, in order; an enricher over budget gives an error result."""
    if not items or not enrichers:
        return [[] for _ in items]
    pool = enrichment_pool()
    together = [pool.submit(enrich_article, a, enrichers, c) for a, c in items]
    return [_results(pool, f, item, enrichers) for f, item in zip(together, items, strict=True)]


def enrichment_pool() -> BoundedPool:
    """This process's enrichment workers, started on first use with the settings' budget."""
    settings = get_settings().enrich
    budget = Budget(settings.article_timeout_seconds, settings.article_memory_mb)
    workers = settings.workers or usable_cores()
    # Forked from the warm forkserver, which built the gazetteers and models once.
    return shared_pool("enrich", workers, budget, warm_up, warm_context())


def _results(
    pool: BoundedPool, together: Future[list[Result]], item: Item, enrichers: Sequence[Enricher]
) -> list[Result]:
    try:
        return together.result()
    except OverBudget as exc:
        log.warning("enrichment of %s over budget (%s); one enricher at a time", item[0].url, exc)
        if len(enrichers) == 1:
            return [_over_budget(enrichers[0], str(exc))]
    article, context = item
    alone = [pool.submit(enrich_article, article, [e], context) for e in enrichers]
    return [_alone(future, enricher) for future, enricher in zip(alone, enrichers, strict=True)]


def _alone(future: Future[list[Result]], enricher: Enricher) -> Result:
    try:
        (result,) = future.result()
    except OverBudget as exc:
        return _over_budget(enricher, str(exc))
    return result


def _over_budget(enricher: Enricher, reason: str) -> Result:
    error = f"{FailureCode.BUDGET_EXCEEDED}: {reason}"
    return Result(enricher.name, enricher.version, error=error, code=FailureCode.BUDGET_EXCEEDED)
