"""Running enrichers: one failing enricher never costs an article the others; names checked."""

from __future__ import annotations

import pytest

from newsflow.article import Article
from newsflow.enrichment import (
    Annotation,
    Context,
    Enricher,
    default_enrichers,
    enrich_article,
    select_enrichers,
)


class Broken:
    name = "broken"
    version = 3

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        raise RuntimeError("gazetteer missing")


def test_a_failing_enricher_is_reported_and_the_others_run(seed: Article) -> None:
    enrichers = (Broken(), *select_enrichers(["language", "places"]))
    results = enrich_article(seed, enrichers)
    assert [r.enricher for r in results] == ["broken", "language", "places"]
    assert results[0].error == "RuntimeError: gazetteer missing"
    assert results[0].version == 3
    assert results[1].annotations[0].value == "en"
    assert results[2].annotations


def test_defaults_are_enrichers_with_versions() -> None:
    names = [e.name for e in default_enrichers()]
    assert names == ["language", "dateline", "places", "entities", "keywords"]
    for enricher in default_enrichers():
        assert isinstance(enricher, Enricher)
        assert isinstance(enricher.version, int)


def test_unknown_enricher_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown enricher plces; known: language"):
        select_enrichers(["plces"])
    assert [e.name for e in select_enrichers(["keywords", "places"])] == ["keywords", "places"]


def test_annotations_are_frozen() -> None:
    annotation = Annotation("place", "Aleppo", "SY")
    with pytest.raises(AttributeError):
        annotation.value = "Homs"  # type: ignore[misc]
