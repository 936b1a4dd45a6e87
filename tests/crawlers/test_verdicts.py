"""Pages that are not articles get a reason a failure row can carry."""

from __future__ import annotations

from crawlers.verdicts import not_article_reason

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
