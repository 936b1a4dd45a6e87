"""Pages that are not articles get a reason code and words a failure row can carry."""

from __future__ import annotations

import pytest
from newsflow.crawlers.verdicts import (
    block_reason,
    is_challenge,
    not_article_reason,
    not_article_verdict,
    rejection_code,
)

from newsflow.failures import FailureCode

from .blockpages import AKAMAI, INCAPSULA, SUCURI, SUCURI_CHALLENGE

CHALLENGE = (
    "<html><head><title>Just a moment...</title></head><body>"
    "<p>Checking your browser before accessing sana.sy.</p>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)


def test_a_javascript_challenge_is_blocked() -> None:
    assert not_article_reason(CHALLENGE, "https://sana.sy/en/?p=1") == (
        "blocked: JavaScript challenge page"
    )


def test_an_empty_page_is_not_an_article() -> None:
    assert not_article_reason("", "https://sana.sy/en/?p=1").startswith("not an article")


def test_verdicts_carry_codes_a_wall_or_challenge_is_blocked() -> None:
    assert not_article_verdict(CHALLENGE, "https://sana.sy/en/?p=1") == (
        FailureCode.BLOCKED,
        "blocked: JavaScript challenge page",
    )
    assert is_challenge(CHALLENGE, "https://sana.sy/en/?p=1")
    assert not is_challenge("<p>An ordinary error page.</p>", "https://sana.sy/en/?p=1")
    assert not_article_verdict("", "https://sana.sy/en/?p=1")[0] is FailureCode.NOT_ARTICLE


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("blocked: JavaScript challenge page", FailureCode.BLOCKED),
        ("blocked: login or subscription wall", FailureCode.BLOCKED),
        ("not an article: listing", FailureCode.NOT_ARTICLE),
        ("not an article: page not found (soft 404)", FailureCode.NOT_ARTICLE),
        ("not an article", FailureCode.NOT_ARTICLE),
        ("extraction failed: KeyError: 'x'", FailureCode.EXTRACTION_ERROR),
    ],
)
def test_each_rejection_reason_has_its_code(reason: str, code: FailureCode) -> None:
    assert rejection_code(reason) is code


def test_a_listing_at_an_article_url_is_a_listing() -> None:
    cards = "".join(
        f"<div class='card'><div class='title'><a href='/en/news/{i}'>Ministry number {i} "
        "announces a new plan for the coming season</a></div><p>The ministry said on Tuesday "
        f"that plan {i} would be presented to parliament next month, officials said.</p></div>"
        for i in range(12)
    )
    page = (
        "<html><head><title>News</title><meta property='og:type' content='article'></head>"
        f"<body><h1>Latest news</h1>{cards}</body></html>"
    )
    assert not_article_reason(page, "https://sana.sy/en/?p=92385") == "not an article: listing"


@pytest.mark.parametrize(
    ("page", "vendor"),
    [
        (AKAMAI, "Akamai"),
        (SUCURI, "Sucuri"),
        (SUCURI_CHALLENGE, "Sucuri"),
        (INCAPSULA, "Incapsula"),
    ],
    ids=["akamai", "sucuri", "sucuri-challenge", "incapsula"],
)
def test_a_vendor_block_page_is_blocked_and_named(page: str, vendor: str) -> None:
    # Served with a 200 (Incapsula's usual way), such a page reaches the extractor.
    reason = f"blocked: {vendor} block page"
    assert not_article_verdict(page, "https://sana.sy/en/?p=1") == (FailureCode.BLOCKED, reason)
    assert block_reason(page, "https://sana.sy/en/?p=1") == reason
    assert rejection_code(reason) is FailureCode.BLOCKED


def test_block_reason_is_none_for_content() -> None:
    assert block_reason("<p>An ordinary error page.</p>", "https://sana.sy/en/?p=1") is None
    assert (
        block_reason(CHALLENGE, "https://sana.sy/en/?p=1") == "blocked: JavaScript challenge page"
    )
