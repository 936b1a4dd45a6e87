"""Bylines become people: role words go, credits split, organisations and desks dropped."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsflow import extract_article
from newsflow.extraction.bylines import is_person, names_in_byline


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
        ("AFP", []),
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


def test_site_name_author_dropped(page: Callable[..., str]) -> None:
    head = (
        "<meta property='og:site_name' content='Example Daily'>"
        "<meta name='author' content='Example Daily'>"
    )
    article = extract_article(page(head), "https://news.example.org/a")
    assert article is not None
    assert article.authors == ()
