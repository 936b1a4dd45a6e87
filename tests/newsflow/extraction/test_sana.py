"""The three recorded SANA pages extract exactly as their expected JSON says."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from newsflow import extract_article

SITE = Path(__file__).parents[2] / "fixtures" / "sites" / "sana"
CASES = [
    ("en_p92385", "https://sana.sy/en/?p=92385", "sana-en"),
    ("ar_p462137", "https://sana.sy/?p=462137", "sana-ar"),
    ("en_2025_local_2290417", "https://sana.sy/en/local/2290417/", "sana-en"),
]
RECORDED = {
    "en_p92385": "article_p92385.html",
    "ar_p462137": "article_p462137.html",
    "en_2025_local_2290417": "en_local_2290417.html",
}
# "R.A / M.S" credits two editors by their initials, so each initial pair is one author.
AUTHORS = {
    "en_p92385": ("Hazem Sabbagh",),
    "ar_p462137": ("رنا محمد",),
    "en_2025_local_2290417": ("R.A", "M.S"),
}


def _load(name: str) -> tuple[str, dict]:
    html = (SITE / "recorded" / RECORDED[name]).read_text(encoding="utf-8")
    expected = json.loads((SITE / "reference" / f"{name}.json").read_text(encoding="utf-8"))
    return html, expected


@pytest.mark.parametrize(("name", "url", "source"), CASES)
def test_sana_page_matches_expected(name: str, url: str, source: str) -> None:
    html, expected = _load(name)
    article = extract_article(html, url, source)
    assert article is not None
    assert article.title == expected["title"]
    assert article.body == "\n\n".join(expected["body_paragraphs"])
    assert article.published_at is not None
    assert article.published_at.isoformat() == expected["published"]
    assert article.dateline == expected["dateline"]["place"]
    assert article.authors == AUTHORS[name]
    assert article.language == (expected.get("language") or "en")
    assert article.source == source
    for text in expected["must_not_appear_in_body"]:
        assert text not in article.body


def test_english_legacy_page_details() -> None:
    html, _ = _load("en_p92385")
    article = extract_article(html, "https://sana.sy/en/?p=92385", "sana-en")
    assert article is not None
    assert article.published_at == datetime.fromisoformat("2016-10-19T15:42:10+03:00")
    assert article.utc_offset_minutes == 180
    assert article.section == "Politics"
    assert article.tags == ("Aleppo", "Belgium", "Peskov", "Zakharova")
    assert article.paragraphs[1].count("\n") == 1
    assert "Hazem Sabbagh" not in article.body
    assert article.provenance["authors"] == "rule:last_paragraph"
    assert "article:published_time" in article.provenance["published_at"]
    assert article.provenance["title"] == "rule:title"


def test_relaunch_page_section_and_organisation_author() -> None:
    html, _ = _load("en_2025_local_2290417")
    article = extract_article(html, "https://sana.sy/en/local/2290417/", "sana-en")
    assert article is not None
    assert article.section == "Local"
    assert "SANA" not in article.authors


def test_arabic_dateline_paragraph_is_removed() -> None:
    html, _ = _load("ar_p462137")
    article = extract_article(html, "https://sana.sy/?p=462137", "sana-ar")
    assert article is not None
    assert not article.body.startswith("موسكو-سانا")
    assert article.provenance["dateline"] == "rule:dateline"


@pytest.mark.parametrize(("name", "url", "source"), CASES)
def test_without_source_title_and_date_are_clean(name: str, url: str, source: str) -> None:
    html, expected = _load(name)
    article = extract_article(html, url, None)
    assert article is not None
    assert article.title == expected["title"]
    assert article.published_at is not None
    assert article.published_at.isoformat() == expected["published"]
    assert "Syrian Arab News Agency" not in article.title


def test_without_source_sole_organisation_credit_is_the_author() -> None:
    # The 2025 page credits only SANA itself; without the agency's rule that is the credit.
    html, _ = _load("en_2025_local_2290417")
    article = extract_article(html, "https://sana.sy/en/local/2290417/", None)
    assert article is not None
    assert article.authors == ("SANA",)
    assert article.provenance["authors"] == "jsonld.author (organisation)"


@pytest.mark.parametrize("name", ["en_p92385", "ar_p462137"])
def test_without_source_legacy_pages_credit_no_organisation(name: str) -> None:
    html, _ = _load(name)
    url = next(u for n, u, _ in CASES if n == name)
    article = extract_article(html, url, None)
    assert article is not None
    assert "SANA" not in article.authors


def test_without_source_english_body_drops_the_credit_line() -> None:
    html, expected = _load("en_p92385")
    article = extract_article(html, "https://sana.sy/en/?p=92385", None)
    assert article is not None
    assert article.paragraphs == expected["body_paragraphs"]
    assert article.authors == ("Hazem Sabbagh",)
