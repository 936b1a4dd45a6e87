"""Language of the text itself, beside the page's declared language."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.article import Article
from newsflow.enrichment import Context
from newsflow.enrichment.language import LanguageEnricher, _identifier, identify, page_language
from newsflow.registry import AGENCIES_DIR, REGISTRY_PATH_ENV

ENRICHER = LanguageEnricher()


def test_every_fixture_article_gets_a_language(fixture_articles: dict[str, Article]) -> None:
    for case, article in fixture_articles.items():
        rows = [a for a in ENRICHER.enrich(article, Context()) if a.kind == "language"]
        assert [r.value for r in rows] == [article.language], case
        assert rows[0].score is not None and rows[0].score > 0.9


def test_seed_is_english_and_arabic_is_arabic(seed: Article, arabic: Article) -> None:
    assert identify(seed.body) == ("en", 1.0)
    found = identify(arabic.body)
    assert found is not None and found[0] == "ar"


def test_disagreement_is_visible() -> None:
    article = Article(
        url="https://example.test/1",
        title="Le gouvernement a annoncé",
        body="Le gouvernement a annoncé mardi un nouveau plan pour les transports publics.",
        language="en",
    )
    rows = {a.kind: a for a in ENRICHER.enrich(article, Context(page_language="en"))}
    assert rows["language"].value == "fr"
    assert rows["page_language"].value == "en"
    assert "declared en" in rows["language"].evidence


def test_page_language_reads_the_html_element() -> None:
    assert page_language(b'<!doctype html><html dir="rtl" lang="ar" prefix="og">') == "ar"
    assert page_language(b'<html lang="en-US">') == "en"
    assert page_language(b"<html><head>") is None


def test_text_without_letters_has_no_language() -> None:
    assert identify("2024 — 12:30") is None


def test_an_edition_in_a_language_the_model_lacks_breaks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """py3langid knows Norwegian as ``no``; an edition declared ``nb`` must not fail them all."""
    declared = (AGENCIES_DIR / "sana.toml").read_text(encoding="utf-8")
    (tmp_path / "sana.toml").write_text(declared.replace('language = "en"', 'language = "nb"'))
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(tmp_path))
    _identifier.cache_clear()
    try:
        found = identify(
            "Regjeringen la fram statsbudsjettet for neste år i dag, sa finansministeren."
        )
        assert found is not None and found[0] == "no"
    finally:
        _identifier.cache_clear()
