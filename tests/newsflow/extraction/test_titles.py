"""Titles lose the site name; the visible headline reconciles declared titles."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from newsflow import extract_article
from newsflow.extraction.metadata import read_metadata
from newsflow.extraction.pages import parse_html
from newsflow.extraction.titles import find_title, heading_text, strip_site_name


@pytest.mark.parametrize(
    "title",
    [
        "Council approves budget | Example Daily",
        "Council approves budget - Example Daily",
        "Council approves budget – Example Daily",
        "Council approves budget :: Example Daily",
        "Example Daily | Council approves budget",
    ],
)
def test_site_name_from_og_site_name(title: str) -> None:
    assert strip_site_name(title, ["Example Daily"]) == "Council approves budget"


def test_site_name_from_host() -> None:
    assert strip_site_name("Budget passes | Exampledaily", ["exampledaily.com"]) == "Budget passes"


def test_hyphenated_headline_kept() -> None:
    assert (
        strip_site_name("Covid-19 rules end - Example Daily", ["Example Daily"])
        == "Covid-19 rules end"
    )


def test_segment_removed_when_rest_is_the_visible_headline() -> None:
    title = "Council approves budget | City | by Jane Doe"
    assert (
        strip_site_name(title, [], visible=["Council approves budget"]) == "Council approves budget"
    )


def test_kicker_spans_joined() -> None:
    root = parse_html("<h1><span>Budget</span><span>: </span><span>Council says yes</span></h1>")
    assert root is not None
    assert heading_text(root.find(".//h1")) == "Budget: Council says yes"


def test_page_title_without_site_name(page: Callable[..., str]) -> None:
    head = (
        "<meta property='og:site_name' content='Example Daily'>"
        "<meta property='og:title'"
        " content='Council approves budget after long debate | Example Daily'>"
    )
    article = extract_article(
        page(head, header="<div>no headline element</div>"), "https://x.org/a"
    )
    assert article is not None
    assert article.title == "Council approves budget after long debate"
    assert article.provenance["title"] == "og:title"


def test_kicker_dropped_when_another_title_lacks_it() -> None:
    html = (
        "<html><head><meta property='og:title' content='Council approves the budget'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Long debate: Council approves the budget"}</script></head>'
        "<body><h1>Long debate: Council approves the budget</h1></body></html>"
    )
    root = parse_html(html)
    assert root is not None
    found = find_title(root, read_metadata(root), "https://news.example.org/a")
    assert found is not None
    assert found.value == "Council approves the budget"


def test_visible_headline_wins_over_disagreeing_declared_titles() -> None:
    html = (
        "<html><head><meta property='og:title' content='Tram network struggles in the heat'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Heat chaos: old trams and cracked concrete"}</script></head>'
        "<body><h1>How cities prepare their roads for the next heatwave</h1></body></html>"
    )
    root = parse_html(html)
    assert root is not None
    found = find_title(root, read_metadata(root), "https://news.example.org/a")
    assert found is not None
    assert found.value == "How cities prepare their roads for the next heatwave"
    assert found.evidence == "h1"
