"""Keywords: YAKE's method, without the dateline and agency credits."""

from __future__ import annotations

import yake

from newsflow.article import Article
from newsflow.enrichment import Context
from newsflow.enrichment.keywords import KeywordsEnricher
from newsflow.enrichment.text import fold_name

ENRICHER = KeywordsEnricher()


def _keywords(article: Article) -> list[str]:
    return [a.value for a in ENRICHER.enrich(article, Context()) if a.kind == "keyword"]


def test_every_fixture_article_gets_keywords(fixture_articles: dict[str, Article]) -> None:
    for case, article in fixture_articles.items():
        keywords = _keywords(article)
        assert 5 <= len(keywords) <= 8, case
        words = {w for k in keywords for w in fold_name(k).split()}
        # Neither the dateline's capitals nor the agency credit become keywords.
        assert not words & {"sana", "tass", "xinhua", "irna", "риа", "новости"}, (case, keywords)


def test_seed_keywords(seed: Article) -> None:
    keywords = {fold_name(k) for k in _keywords(seed)}
    assert "aleppo" in keywords


def test_dateline_is_not_a_keyword(fixture_articles: dict[str, Article]) -> None:
    article = fixture_articles["xinhua/20240514_3f2a9c7e"]
    assert not any("JIUQUAN" in k for k in _keywords(article))


def test_agrees_with_the_yake_package(fixture_articles: dict[str, Article]) -> None:
    """Same method as the yake package: most articles share key words with its top phrases."""
    shared = 0
    for article in fixture_articles.values():
        ours = {w for k in _keywords(article) for w in fold_name(k).split()}
        reference = yake.KeywordExtractor(lan=article.language or "en", n=3, top=8)
        phrases = reference.extract_keywords(f"{article.title}\n\n{article.body}")
        theirs = {w for phrase, _ in phrases for w in fold_name(phrase).split()}
        shared += len(ours & theirs) >= len(theirs) / 3
    assert shared >= 0.8 * len(fixture_articles)
