"""The dateline enricher: place, country and agency, from the text or the registry."""

from __future__ import annotations

from newsflow.article import Article
from newsflow.enrichment import Context
from newsflow.enrichment.base import article_text
from newsflow.enrichment.dateline import DatelineEnricher

ENRICHER = DatelineEnricher()


def _rows(article: Article) -> dict[str, tuple[str, str | None]]:
    return {a.kind: (a.value, a.label) for a in ENRICHER.enrich(article, Context())}


def test_seed_dateline_is_moscow_by_sana(seed: Article) -> None:
    rows = ENRICHER.enrich(seed, Context())
    assert _rows(seed) == {"dateline": ("Moscow", "RU"), "agency": ("SANA", "SANA")}
    agency = next(r for r in rows if r.kind == "agency")
    assert agency.start is not None
    assert article_text(seed)[agency.start : agency.end] == "SANA"


def test_arabic_dateline_paragraph_and_its_agency(arabic: Article) -> None:
    # Extraction removed the "موسكو-سانا" paragraph; SANA's own rule had recognised it.
    assert arabic.dateline == "موسكو"
    assert _rows(arabic) == {"dateline": ("Moscow", "RU"), "agency": ("SANA", "SANA")}
    agency = next(r for r in ENRICHER.enrich(arabic, Context()) if r.kind == "agency")
    assert agency.evidence == "registry:sana-ar"


def test_agencies_of_the_registry(fixture_articles: dict[str, Article]) -> None:
    expected = {
        "tass/economy_1867601": (("Saint Petersburg", "RU"), "TASS"),
        "ria/20161019_1479512345": (("Moscow", "RU"), "RIA Novosti"),
        "xinhua/old_2016-10_19_c_135765432": (("Hohhot", "CN"), "Xinhua"),
        "irna/news_85471688": (("Tehran", "IR"), "IRNA"),
        "anadolu/world_3218102": (("Tbilisi", "GE"), "Anadolu Agency"),
    }
    for case, (place, agency) in expected.items():
        rows = _rows(fixture_articles[case])
        assert rows["dateline"] == place, case
        assert rows["agency"][0] == agency, case


def test_no_dateline_no_rows() -> None:
    article = Article(url="https://example.test/1", title="T", body="Nothing here.")
    assert ENRICHER.enrich(article, Context()) == []
