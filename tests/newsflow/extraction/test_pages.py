"""Page kinds: the crawler records challenges, walls and soft 404s instead of articles."""

from __future__ import annotations

from collections.abc import Callable

from newsflow import extract_article
from newsflow.extraction import PageKind, classify_page

CHALLENGE = (
    "<html><head><title>Just a moment...</title></head><body>"
    "<h1>Checking your browser before accessing example.org</h1>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)
DDOS_GUARD = (
    "<html><head><title>DDoS-Guard</title></head><body><div id='ddg-captcha'></div>"
    "<script src='https://check.ddos-guard.net/check.js'></script></body></html>"
)
LOGIN = (
    "<html><head><title>Sign in</title></head><body><h1>Log in to continue reading</h1>"
    "<form action='/login'><input name='email'><input type='password' name='pw'></form>"
    "</body></html>"
)
NOT_FOUND = (
    "<html><head><title>Page not found | Example Daily</title></head><body>"
    "<h1>Sorry, this page could not be found</h1><p>Try the search.</p></body></html>"
)


def _listing() -> str:
    items = "".join(
        f"<article><h2><a href='/news/{i}'>Headline number {i} about the city</a></h2></article>"
        for i in range(40)
    )
    return f"<html><head><title>Latest news</title></head><body>{items}</body></html>"


def test_article(page: Callable[..., str]) -> None:
    assert classify_page(page()) is PageKind.ARTICLE


def test_challenge_pages_are_blocked() -> None:
    assert classify_page(CHALLENGE) is PageKind.BLOCKED
    assert classify_page(DDOS_GUARD) is PageKind.BLOCKED


def test_login_wall() -> None:
    assert classify_page(LOGIN) is PageKind.LOGIN


def test_soft_404() -> None:
    assert classify_page(NOT_FOUND) is PageKind.NOT_FOUND


def test_listing() -> None:
    assert classify_page(_listing()) is PageKind.LISTING


def test_empty_page_is_other() -> None:
    assert classify_page("") is PageKind.OTHER
    assert classify_page("<html><body><p>Hello</p></body></html>") is PageKind.OTHER


def test_extract_article_returns_none_for_non_articles() -> None:
    for html in (CHALLENGE, LOGIN, NOT_FOUND, _listing()):
        assert extract_article(html, "https://example.org/x") is None
