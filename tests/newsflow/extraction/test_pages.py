"""Page kinds: the crawler records challenges, walls and soft 404s instead of articles."""

from __future__ import annotations

from collections.abc import Callable

from newsflow import extract_article
from newsflow.extraction import PageKind, classify_page
from newsflow.extraction.pages import block_page_vendor

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


# Bot-defence vendors' block pages, cut down to what marks them (full pages and headers in
# tests/crawlers/blockpages.py).
AKAMAI = (
    "<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>"
    'You don\'t have permission to access "http&#58;&#47;&#47;example&#46;org&#47;" on this '
    "server.<p>Reference&#32;&#35;18&#46;2f580317&#46;1772098100&#46;2b6a23ca</p></body></html>"
)
SUCURI = (
    "<html><head><title>Sucuri WebSite Firewall - Access Denied</title></head><body>"
    "<h1>Access Denied - Sucuri Website Firewall</h1><p>Block ID: EVA079</p></body></html>"
)
INCAPSULA = (
    '<html><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW"></head><body>'
    '<iframe id="main-iframe" src="/_Incapsula_Resource?CWUDNSAI=27&incident_id=1-2">'
    "Request unsuccessful. Incapsula incident ID: 1-2</iframe></body></html>"
)
APACHE_403 = (
    "<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1>"
    "<p>You don't have permission to access this resource.</p></body></html>"
)


def test_vendor_block_pages_are_blocked_and_name_their_vendor() -> None:
    for markup, vendor in ((AKAMAI, "Akamai"), (SUCURI, "Sucuri"), (INCAPSULA, "Incapsula")):
        assert classify_page(markup) is PageKind.BLOCKED
        assert block_page_vendor(markup) == vendor
    assert block_page_vendor(CHALLENGE) is None  # a challenge, but no vendor's block page


def test_an_ordinary_forbidden_page_or_an_article_about_a_vendor_is_not_blocked(
    page: Callable[..., str],
) -> None:
    assert classify_page(APACHE_403) is not PageKind.BLOCKED
    assert block_page_vendor(APACHE_403) is None
    story = page().replace(
        "</article>",
        "<p>Visitors saw 'Request unsuccessful. Incapsula incident ID' for an hour.</p></article>",
    )
    assert classify_page(story) is PageKind.ARTICLE
