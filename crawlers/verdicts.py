"""Why a fetched page is not an article, in words a failure row can carry."""

from __future__ import annotations

from newsflow.extraction.pages import classify_page

_REASONS = {
    "blocked": "blocked: JavaScript challenge page",
    "login": "blocked: login or subscription wall",
    "not_found": "not an article: page not found (soft 404)",
    "listing": "not an article: listing",
    "other": "not an article: other page",
    "article": "not an article: no article text found",
}


def not_article_reason(html: str, url: str) -> str:
    """The failure reason for a page the extractor found no article in."""
    kind = classify_page(html, url)
    return _REASONS.get(str(getattr(kind, "value", kind)), f"not an article: {kind}")
