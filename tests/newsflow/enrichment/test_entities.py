"""People and organisations, read without a model."""

from __future__ import annotations

from newsflow.article import Article
from newsflow.enrichment import Context
from newsflow.enrichment.entities import EntitiesEnricher

ENRICHER = EntitiesEnricher()


def _names(article: Article, kind: str) -> dict[str, float | None]:
    return {a.value: a.score for a in ENRICHER.enrich(article, Context()) if a.kind == kind}


def test_seed_people(seed: Article) -> None:
    people = _names(seed, "person")
    assert set(people) == {
        "Dmitry Peskov",
        "Maria Zakharova",
        "Sergey Ryabkov",
        "Sergey Lavrov",
        "John Kerry",
    }
    # "Zakharova said", "Zakharova also stressed": surnames count for the full name.
    assert people["Maria Zakharova"] == 3


def test_seed_organisations(seed: Article) -> None:
    organisations = _names(seed, "organisation")
    assert {"Kremlin", "United Nations", "Jabhat al-Nusra"} <= set(organisations)
    labels = {a.label for a in ENRICHER.enrich(seed, Context()) if a.kind == "organisation"}
    assert {"KREMLIN", "UN", "NUSRA", "SANA"} <= labels


def test_arabic_people_after_titles(arabic: Article) -> None:
    people = _names(arabic, "person")
    assert set(people) == {"ديمتري بيسكوف", "ماريا زاخاروفا"}
    assert people["ماريا زاخاروفا"] == 2  # وأضافت زاخاروفا
    assert "Kremlin" in _names(arabic, "organisation")


def _article(body: str, language: str = "en") -> Article:
    return Article(url="https://example.test/1", title="Test", body=body, language=language)


def test_cues_make_people() -> None:
    body = (
        "Hamidreza Kazemzadeh told reporters the figure. Wang Zhiming, a deputy director, "
        "said so. Managing director Farzad Rahimi agreed."
    )
    assert set(_names(_article(body), "person")) == {
        "Hamidreza Kazemzadeh",
        "Wang Zhiming",
        "Farzad Rahimi",
    }


def test_capitalised_spans_without_cues_are_not_people() -> None:
    body = "The Northern Sea Route opened. Azadi Square was full. Long March rockets flew."
    assert _names(_article(body), "person") == {}


def test_organisation_words_make_organisations() -> None:
    # The rules, which read languages without a model (the English model splits "Russian").
    body = (
        "The General Directorate of Meteorology said the Russian Transport Ministry agreed. "
        "Foreign Ministry Spokesman Ahmed Abu Zeid spoke."
    )
    article = _article(body, "de")
    assert {
        "General Directorate of Meteorology",
        "Russian Transport Ministry",
        "Foreign Ministry",
    } <= set(_names(article, "organisation"))
    assert set(_names(article, "person")) == {"Ahmed Abu Zeid"}


def test_acronyms_only_in_capitals() -> None:
    assert "United Nations" not in _names(_article("The un-named official left."), "organisation")
    assert "United Nations" in _names(_article("The UN said."), "organisation")


def test_russian_people_and_organisations() -> None:
    body = (
        "Министерство транспорта предложило продлить программу, сообщил журналистам "
        "заместитель министра Игорь Самойленко. По словам Самойленко, решение примут."
    )
    article = _article(body, "ru")
    assert _names(article, "person") == {"Игорь Самойленко": 2}
    assert "Министерство транспорта" in _names(article, "organisation")
