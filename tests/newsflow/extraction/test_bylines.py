"""Bylines become people: role words go, credits split, organisations and desks dropped."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsflow import extract_article
from newsflow.extraction.bylines import (
    OWN_CREDIT,
    credit_kind,
    is_person,
    names_in_byline,
    take_lead_credit,
)
from newsflow.extraction.credits import is_agency, is_own_credit


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
        ("Jane Doe, John Smith & Ana Lima", ["Jane Doe", "John Smith", "Ana Lima"]),
        ("Von Max Müller und Eva Schmidt", ["Max Müller", "Eva Schmidt"]),
        ("Par Claire Dubois et Luc Martin", ["Claire Dubois", "Luc Martin"]),
        ("Por María García y José Pérez", ["María García", "José Pérez"]),
        ("Autor: Jan Novák", ["Jan Novák"]),
        ("Text: Anna Berg / Foto: Tom Lind", ["Anna Berg", "Tom Lind"]),
        ("By Jane Doe, Reuters", ["Jane Doe"]),
        ("Jane Doe (dpa)", ["Jane Doe"]),
        ("Redaktion Example", []),
        ("Newsroom Staff", []),
        ("AFP", ["AFP"]),
        ("Von Anna Berg und SDA", ["Anna Berg", "SDA"]),
        ("By Jane Doe and Associated Press", ["Jane Doe", "Associated Press"]),
        ("Editorial Board", []),
        ("von David Straub, MDR THÜRINGEN", ["David Straub"]),
    ],
)
def test_names_in_byline(byline: str, names: list[str]) -> None:
    assert names_in_byline(byline) == names


def test_publisher_name_is_not_a_person() -> None:
    assert not is_person("Example Daily", organisations=["Example Daily"])
    assert not is_person("SANA", organisations=["SANA"])
    assert is_person("Hazem Sabbagh")
    assert is_person("松岡大地")


def test_visible_byline_on_page(page: Callable[..., str]) -> None:
    header = (
        "<h1>Council approves budget after long debate</h1>"
        "<div class='byline'>By Jane Doe and John Smith, City Desk</div>"
    )
    article = extract_article(page(header=header), "https://news.example.org/a")
    assert article is not None
    assert article.authors == ("Jane Doe", "John Smith")
    assert article.provenance["authors"] == "byline"


def test_site_name_author_dropped_beside_a_person(page: Callable[..., str]) -> None:
    head = (
        "<meta property='og:site_name' content='Example Daily'>"
        "<meta name='author' content='Example Daily'>"
        "<meta name='parsely-author' content='Jane Doe'>"
    )
    article = extract_article(page(head), "https://news.example.org/a")
    assert article is not None
    assert article.authors == ("Jane Doe",)


@pytest.mark.parametrize(
    ("name", "publishers", "own"),
    [
        ("Example Daily", ["Example Daily"], True),
        ("ED Staff", ["Example Daily"], True),
        ("Redaktion example.org", ["example.org"], True),
        ("Newsroom", [], True),
        ("AFP", ["Example Daily"], False),
    ],
)
def test_own_credit(name: str, publishers: list[str], own: bool) -> None:
    assert is_own_credit(name, publishers) is own


def test_agency_shapes() -> None:
    assert is_agency("AFP") and is_agency("Deutsche Presse-Agentur")
    assert is_agency("dpa", declared=True) and not is_agency("dpa")
    assert not is_agency("City Desk")


def test_credit_kinds() -> None:
    publishers = ["Example Daily", "example.org"]
    assert credit_kind("Jane Doe", publishers) == "kept"
    assert credit_kind("Example D", publishers) == "own"  # an account named after the site
    assert credit_kind("Acme Institute", publishers) is None
    assert credit_kind("Acme Institute", publishers, trusted=True) == "kept"
    assert credit_kind("Share on Facebook", publishers) is None


def test_lead_credit_line_split_off() -> None:
    paragraphs = ["Jane Doe/John Smith", "The council met on Tuesday.", "It voted."]
    names, rest = take_lead_credit(paragraphs, ["Example Daily"])
    assert names == ["Jane Doe", "John Smith"]
    assert rest == paragraphs[1:]
    assert take_lead_credit(["The council met on Tuesday."]) == (
        [],
        ["The council met on Tuesday."],
    )


def test_agency_credit_in_jsonld_is_kept(page: Callable[..., str]) -> None:
    head = (
        "<meta property='og:site_name' content='Example Daily'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": ['
        '{"@type": "Person", "name": "Jane Doe"}, {"@type": "Organization", "name": "AFP"},'
        '{"@type": "Organization", "name": "Example Daily"}]}</script>'
    )
    article = extract_article(page(head), "https://news.example.org/a")
    assert article is not None
    assert article.authors == ("Jane Doe", "AFP")


def test_byline_typed_into_body_when_only_publisher_credited(page: Callable[..., str]) -> None:
    head = "<meta property='og:site_name' content='Example Daily'>"
    head += "<meta name='author' content='Example Daily'>"
    text = (
        "The city council approved the new budget on Tuesday after a long debate that lasted "
        "well into the evening, with members arguing over funding for schools and roads."
    )
    article = extract_article(
        page(head, paragraphs=("Jane Doe", text, text)), "https://news.example.org/a"
    )
    assert article is not None
    assert article.authors == ("Jane Doe",)
    assert article.provenance["authors"] == "body:lead_credit"
    assert not article.body.startswith("Jane Doe")


def test_sole_publisher_credit_is_the_author(page: Callable[..., str]) -> None:
    head = "<meta property='og:site_name' content='Example Daily'>"
    head += "<meta name='author' content='Example Daily'>"
    article = extract_article(page(head), "https://news.example.org/a")
    assert article is not None
    assert article.authors == ("Example Daily",)
    assert article.provenance["authors"] == f"meta[author] {OWN_CREDIT}"


def test_sole_desk_credit_is_the_author(page: Callable[..., str]) -> None:
    head = "<meta property='og:site_name' content='Example Daily'>"
    head += '<script type=\'application/ld+json\'>{"@type": "NewsArticle", '
    head += '"author": {"@type": "Person", "name": "ED Staff"}}</script>'
    article = extract_article(page(head), "https://news.example.org/a")
    assert article is not None
    assert article.authors == ("ED Staff",)
    assert article.provenance["authors"] == "jsonld.author (organisation)"


def test_caseless_script_organisation_declared_as_author(page: Callable[..., str]) -> None:
    head = '<script type=\'application/ld+json\'>{"@type": "NewsArticle", '
    head += '"author": {"@type": "Organization", "name": "नमूना पत्रिका"}}</script>'
    article = extract_article(page(head), "https://news.example.org/a")
    assert article is not None
    assert article.authors == ("नमूना पत्रिका",)
