"""Enrichment: what an article is about, found offline by small, versioned enrichers.

Each enricher (language, dateline, places, entities, keywords) is a plugin with a name and a
version and returns ``Annotation`` records; ``enrich_article`` runs several on one article,
one failing enricher never stopping the others. Knows neither the database nor Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsflow.article import Article
from newsflow.enrichment.base import Annotation, Context, Enricher, article_text
from newsflow.enrichment.dateline import DatelineEnricher
from newsflow.enrichment.entities import EntitiesEnricher
from newsflow.enrichment.keywords import KeywordsEnricher
from newsflow.enrichment.language import LanguageEnricher
from newsflow.enrichment.ner import mentions, model_languages
from newsflow.enrichment.places import PlacesEnricher

__all__ = [
    "Annotation",
    "Context",
    "Enricher",
    "Result",
    "article_text",
    "default_enrichers",
    "enrich_article",
    "select_enrichers",
    "warm_up",
]

log = logging.getLogger(__name__)

_DEFAULT: tuple[Enricher, ...] = (
    LanguageEnricher(),
    DatelineEnricher(),
    PlacesEnricher(),
    EntitiesEnricher(),
    KeywordsEnricher(),
)


@dataclass(frozen=True, slots=True)
class Result:
    """What one enricher (at one version) made of one article, or why it failed."""

    enricher: str
    version: int
    annotations: tuple[Annotation, ...] = ()
    error: str | None = None
    code: str | None = None  # a failures-table code when the error has a precise one


def default_enrichers() -> tuple[Enricher, ...]:
    """The enrichers every article gets, in the order they run."""
    return _DEFAULT


def select_enrichers(names: Iterable[str] | None = None) -> tuple[Enricher, ...]:
    """The default enrichers with these names (all when none are given)."""
    wanted = list(names or ())
    if not wanted:
        return _DEFAULT
    known = {e.name: e for e in _DEFAULT}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise ValueError(f"unknown enricher {', '.join(unknown)}; known: {', '.join(known)}")
    return tuple(known[n] for n in dict.fromkeys(wanted))


def enrich_article(
    article: Article, enrichers: Sequence[Enricher], context: Context | None = None
) -> list[Result]:
    """Run each enricher on the article; an enricher that raises yields a Result with an error."""
    context = context or Context()
    results = []
    for enricher in enrichers:
        try:
            found = tuple(enricher.enrich(article, context))
        except MemoryError:  # over the memory budget: the worker's owner says so (budget.py)
            raise
        except Exception as exc:  # one enricher's bug must not cost the article the others
            log.warning("enricher %s failed on %s: %s", enricher.name, article.url, exc)
            results.append(Result(enricher.name, enricher.version, error=_describe(exc)))
            continue
        results.append(Result(enricher.name, enricher.version, found))
    return results


def warm_up() -> None:
    """Build the enrichers' gazetteers and models now (a worker does, before its first article)."""
    warm = Article(url="https://warm-up.invalid/", title="Warm-up", body="Moscow, Reuters.")
    enrich_article(warm, _DEFAULT)
    for language in model_languages():
        mentions("Warm-up: Moscow, Reuters.", language)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
