"""Enrichment under a budget: an enricher past it costs its own result, never the article's
other enrichers, the other articles or the caller."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from newsflow.article import Article
from newsflow.enrichment import Annotation, Context, select_enrichers
from newsflow.enrichment.bounded import enrich_bounded
from newsflow.settings import get_settings


class Stuck:
    """An enricher that never returns on an article that mentions "Monroe, La."."""

    name = "stuck"
    version = 3

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        while "Monroe, La." in article.body:
            time.sleep(0.01)
        return [Annotation("mark", "fine")]


class Greedy:
    """An enricher that wants a gigabyte for every article."""

    name = "greedy"
    version = 1

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        return [Annotation("size", str(len(bytearray(1024**3))))]


@pytest.fixture(autouse=True)
def small_budget(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NEWSFLOW_ENRICH__ARTICLE_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("NEWSFLOW_ENRICH__ARTICLE_MEMORY_MB", "300")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _article(body: str) -> tuple[Article, Context]:
    return Article(url=f"https://example.org/{len(body)}", title="", body=body), Context()


def test_an_enricher_over_time_fails_alone_and_the_rest_go_on() -> None:
    enrichers = (*select_enrichers(["language"]), Stuck())
    stalled = _article("Trump said at a rally in Monroe, La., that the vote was rigged.")
    fine = _article("The Syrian Arab News Agency reported from Damascus on Monday.")
    first, second = enrich_bounded([stalled, fine], enrichers)
    language, stuck = first
    assert language.error is None and language.annotations[0].value == "en"
    assert stuck.code == "budget_exceeded" and stuck.version == 3
    assert stuck.error == "budget_exceeded: took over 2 s; worker stopped"
    assert [r.error for r in second] == [None, None]
    assert second[1].annotations == (Annotation("mark", "fine"),)


def test_an_enricher_over_memory_fails_alone() -> None:
    enrichers = (*select_enrichers(["language"]), Greedy())
    ((language, greedy),) = enrich_bounded(
        [_article("Damascus, SANA – The talks ended.")], enrichers
    )
    assert language.error is None
    assert greedy.code == "budget_exceeded"
    assert greedy.error is not None and "needed over 300 MB" in greedy.error


def test_nothing_to_enrich_starts_no_worker() -> None:
    assert enrich_bounded([], select_enrichers()) == []
