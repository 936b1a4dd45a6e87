"""Places → countries on the recorded fixture articles, and the gazetteer's rules."""

from __future__ import annotations

import pytest

from newsflow.article import Article
from newsflow.enrichment import Context
from newsflow.enrichment.base import article_text
from newsflow.enrichment.gazetteer import resolve_place
from newsflow.enrichment.places import PlacesEnricher

ENRICHER = PlacesEnricher()


def _places(article: Article, kind: str = "place") -> dict[str, str | None]:
    return {a.value: a.label for a in ENRICHER.enrich(article, Context()) if a.kind == kind}


def test_seed_article_places_and_countries(seed: Article) -> None:
    places = _places(seed)
    expected = {
        "Aleppo": "SY",
        "Moscow": "RU",
        "Damascus": "SY",
        "Washington": "US",
    }
    assert expected.items() <= places.items()
    countries = {a.label for a in ENRICHER.enrich(seed, Context()) if a.kind == "country"}
    assert {"SY", "RU", "US"} <= countries
    # Only "Belgian" is written: a nationality, not a place, and no country of the article.
    assert {"Belgian": "BE", "Russian": "RU"}.items() <= _places(seed, "nationality").items()
    assert "Belgium" not in places and "BE" not in countries


def test_arabic_article_places(arabic: Article) -> None:
    places = _places(arabic)
    expected = {
        "Moscow": "RU",  # the dateline paragraph extraction removed, and موسكو in the text
        "Aleppo": "SY",  # ريف حلب
        "Washington": "US",  # من واشنطن
        "United States": "US",  # الولايات المتحدة
        "Syria": "SY",
        "Russia": "RU",
    }
    assert expected.items() <= places.items()
    # البلجيكي, a nisba adjective with the article: a nationality, not a place.
    assert _places(arabic, "nationality").get("Belgian") == "BE"
    assert "Belgium" not in places


def test_offsets_point_at_the_first_mention(seed: Article) -> None:
    rows = {a.value: a for a in ENRICHER.enrich(seed, Context()) if a.kind == "place"}
    aleppo = rows["Aleppo"]
    assert aleppo.start is not None
    assert article_text(seed)[aleppo.start : aleppo.end] == "Aleppo"
    assert aleppo.score is not None and aleppo.score >= 5


def test_every_fixture_article_gets_its_dateline_country(
    fixture_articles: dict[str, Article],
) -> None:
    for case, article in fixture_articles.items():
        assert article.dateline, case
        country = resolve_place(article.dateline, article.language)
        assert country is not None and country.place.code, case
        labels = {a.label for a in ENRICHER.enrich(article, Context()) if a.kind == "country"}
        assert country.place.code in labels, case


def _article(body: str, language: str = "en", dateline: str | None = None) -> Article:
    return Article(
        url="https://example.test/1", title="Test", body=body, language=language, dateline=dateline
    )


def test_homonyms_pick_the_populous_place() -> None:
    places = _places(_article("Talks opened in Moscow and Damascus on Monday."))
    assert places == {"Moscow": "RU", "Damascus": "SY"}


def test_own_names_and_spelling_variants() -> None:
    places = _places(_article("Envoys flew from New Delhi to St. Petersburg and on to Kiev."))
    assert places == {"New Delhi": "IN", "Saint Petersburg": "RU", "Kyiv": "UA"}


def test_context_country_decides_between_homonyms() -> None:
    # Washington is a town in England too; the US is named, so the US capital is meant.
    places = _places(_article("Officials in Washington said the US would reply."))
    assert places["Washington"] == "US"


@pytest.mark.parametrize(
    "body",
    [
        "May 14 was a Tuesday.",  # months are towns somewhere
        "Police said the road was closed.",  # Police, Poland
        "He spoke on Beijing Time at the Official Gazette.",  # Time, Norway
        "us and them",  # US only in capitals
        "Kremlin spokesman Dmitry Peskov told SANA and IRNA.",  # agencies are not towns
    ],
)
def test_common_words_are_not_places(body: str) -> None:
    places = _places(_article(body))
    assert not set(places) - {"Beijing"}, places


def test_russian_declensions_and_adjectives() -> None:
    body = "В Петрозаводске и в Карелии. Российские и американские дипломаты в Москве."
    article = _article(body, "ru")
    assert {"Petrozavodsk": "RU", "Moscow": "RU"}.items() <= _places(article).items()
    # Country adjectives, written in lower case, are nationalities: not Russia, not the US.
    assert _places(article, "nationality") == {"Russian": "RU", "American": "US"}
    assert not {"Russia", "United States"} & set(_places(article))


def test_language_specific_names_stay_in_their_language() -> None:
    # "Chine" is the French name of China: not read in an English text.
    assert "China" not in _places(_article("Chine Smith was elected."))
    assert _places(_article("La Chine a annoncé", "fr")).get("China") == "CN"


@pytest.mark.parametrize("language", ["en", "de"])  # read by the model, and by the rules
def test_a_persons_surname_is_not_a_town(language: str) -> None:
    body = (
        "Spokesman John Kennedy said the talks in Cairns failed. Kennedy added that Berlin agreed."
    )
    places = _places(_article(body, language))
    assert places == {"Cairns": "AU", "Berlin": "DE"}


def test_demonyms_are_nationalities_not_places() -> None:
    article = _article("Syrian and Italian officials met Dutch envoys in Rome.")
    assert _places(article) == {"Rome": "IT"}
    assert _places(article, "nationality") == {"Syrian": "SY", "Italian": "IT", "Dutch": "NL"}
    countries = {a.label for a in ENRICHER.enrich(article, Context()) if a.kind == "country"}
    assert countries == {"IT"}
