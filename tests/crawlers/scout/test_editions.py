"""A site's language editions, read from its homepage: hreflang alternates, else the language
switcher's URL prefixes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from newsflow.crawlers.polite import Answer
from newsflow.crawlers.scout.findings import ScoutError
from newsflow.crawlers.scout.sites import edition_homes

from newsflow.page import FetchedPage, PageKind

HOME = "https://news.example/"


def _home(html: str, url: str = HOME) -> Answer:
    body = html.encode()
    page = FetchedPage(url, url, 200, PageKind.LISTING, datetime.now(UTC), body, {})
    return Answer(url, page)


def _on_site(host: str) -> bool:
    return host == "news.example"


def test_hreflang_alternates_are_the_editions() -> None:
    home = _home(
        '<html lang="ar"><head>'
        '<link rel="alternate" hreflang="ar" href="https://news.example/">'
        '<link rel="alternate" hreflang="en-GB" href="https://news.example/en/">'
        '<link rel="alternate" hreflang="fr" href="https://elsewhere.example/fr/">'
        "</head><body></body></html>"
    )
    assert edition_homes(home, (), _on_site) == [
        ("ar", "ar", "https://news.example/"),
        ("en", "en", "https://news.example/en/"),
    ]


def test_a_language_switchers_prefixes_are_the_editions() -> None:
    home = _home(
        '<html lang="ar"><body><ul class="languages">'
        '<li><a href="/en/">English</a></li><li><a href="/fr/">Français</a></li>'
        '<li><a href="https://news.example/es">Español</a></li></ul>'
        '<a href="/world/">World</a> <a href="/tv/">TV</a></body></html>'
    )
    assert edition_homes(home, (), _on_site) == [
        ("en", "en", "https://news.example/en/"),
        ("fr", "fr", "https://news.example/fr/"),
        ("es", "es", "https://news.example/es"),
        ("ar", "ar", HOME),
    ]
    assert edition_homes(home, ("fr",), _on_site) == [("fr", "fr", "https://news.example/fr/")]
    with pytest.raises(ScoutError, match="no de edition found; the site offers: ar, en, es, fr"):
        edition_homes(home, ("de",), _on_site)


def test_one_section_named_like_a_language_is_no_switcher() -> None:
    # /uk/ is Ukrainian's code, and here the UK's news, beside /us/ (no language) and /world/.
    home = _home(
        '<html lang="en"><body><nav><a href="/uk/">UK</a> <a href="/us/">US</a> '
        '<a href="/world/">World</a></nav></body></html>'
    )
    assert edition_homes(home, (), _on_site) == [("en", "en", HOME)]
