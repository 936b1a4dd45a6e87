"""Which revisit answers mean an article was removed from its site."""

from __future__ import annotations

import pytest
from newsflow.crawlers.removals import (
    RemovalReason,
    is_front_page,
    page_removal,
    redirect_removal,
    status_removal,
)

from newsflow.registry import get_source
from newsflow.replay import load_routes

SANA, TASS = get_source("sana-en"), get_source("tass-en")
ARTICLE = "https://sana.sy/en/?p=92385"
LISTING_HTML = (
    "<html><body><h1>Politics</h1><ul>"
    + "".join(
        f"<li><a href='/en/?p={n}'>Headline number {n} of the day in politics</a></li>"
        for n in range(40)
    )
    + "</ul></body></html>"
)


@pytest.mark.parametrize(
    ("url", "source", "front"),
    [
        ("https://sana.sy/en/", SANA, True),
        ("https://sana.sy/", SANA, True),
        ("https://sana.sy/en/index.php", SANA, True),
        ("https://tass.com/", TASS, True),
        ("https://tass.com/politics", TASS, False),
        ("https://sana.sy/en/?cat=106", SANA, False),
        ("https://example.com/", SANA, False),
    ],
)
def test_front_pages(url: str, source, front: bool) -> None:  # type: ignore[no-untyped-def]
    assert is_front_page(url, source) is front


def test_statuses() -> None:
    assert status_removal(404) is RemovalReason.NOT_FOUND
    assert status_removal(410) is RemovalReason.GONE
    assert status_removal(500) is None and status_removal(None) is None


def test_redirects() -> None:
    home, listing = "https://sana.sy/en/", "https://sana.sy/en/?cat=106"
    assert redirect_removal(ARTICLE, ARTICLE, SANA) is None  # not redirected
    moved = "https://archive.sana.sy/en/?p=92385"
    assert redirect_removal(ARTICLE, moved, SANA, "<html></html>") is None  # an article moved
    assert redirect_removal(ARTICLE, home, SANA, LISTING_HTML) is RemovalReason.REDIRECT_HOME
    assert redirect_removal(ARTICLE, listing, SANA, LISTING_HTML) == "redirect_listing"
    assert redirect_removal(ARTICLE, listing, SANA) == "redirect_listing"  # a 404 listing


def test_a_page_saying_not_found_is_a_removal_and_an_article_is_not() -> None:
    soft_404 = (
        "<html><head><title>Page not found - SANA</title></head><body>"
        "<h1>Oops! That page can’t be found.</h1>"
        "<p>It looks like nothing was found at this location.</p></body></html>"
    )
    assert page_removal(soft_404, ARTICLE) is RemovalReason.NOT_FOUND
    article = load_routes()[ARTICLE].body.decode()
    assert page_removal(article, ARTICLE) is None
