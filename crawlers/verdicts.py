"""Why a fetched page is not an article, as a reason code and words a failure row can carry."""

from __future__ import annotations

from newsflow.extraction.pages import block_page_vendor, classify_page
from newsflow.failures import FailureCode

# The classifier's page kinds: a wall or challenge is ``blocked``, the rest ``not_article``.
_VERDICTS = {
    "blocked": (FailureCode.BLOCKED, "blocked: JavaScript challenge page"),
    "login": (FailureCode.BLOCKED, "blocked: login or subscription wall"),
    "not_found": (FailureCode.NOT_ARTICLE, "not an article: page not found (soft 404)"),
    "listing": (FailureCode.NOT_ARTICLE, "not an article: listing"),
    "other": (FailureCode.NOT_ARTICLE, "not an article: other page"),
    "article": (FailureCode.NOT_ARTICLE, "not an article: no article text found"),
}
_CODE_OF_REASON = {reason: code for code, reason in _VERDICTS.values()}
EXTRACTION_FAILED = "extraction failed"
OVER_BUDGET = "extraction over budget"


def not_article_verdict(html: str, url: str) -> tuple[FailureCode, str]:
    """The reason code and words for a page the extractor found no article in."""
    kind = classify_page(html, url)
    key = str(getattr(kind, "value", kind))
    if key == "blocked":  # a vendor's block page is named as such, not as a JavaScript challenge
        vendor = block_page_vendor(html)
        if vendor is not None:
            return FailureCode.BLOCKED, f"blocked: {vendor} block page"
    return _VERDICTS.get(key, (FailureCode.NOT_ARTICLE, f"not an article: {key}"))


def not_article_reason(html: str, url: str) -> str:
    """The failure reason for a page the extractor found no article in."""
    return not_article_verdict(html, url)[1]


def rejection_code(reason: str) -> FailureCode:
    """The code of an extraction rejection from its reason (a verdict or an extractor error)."""
    if reason.startswith(EXTRACTION_FAILED):
        return FailureCode.EXTRACTION_ERROR
    if reason.startswith(OVER_BUDGET):
        return FailureCode.BUDGET_EXCEEDED
    if reason in _CODE_OF_REASON:
        return _CODE_OF_REASON[reason]
    return FailureCode.BLOCKED if reason.startswith("blocked") else FailureCode.NOT_ARTICLE


def block_reason(html: str, url: str) -> str | None:
    """Why a page (of any HTTP status) blocks the crawler (``blocked: …``); None for content."""
    code, reason = not_article_verdict(html, url)
    return reason if code is FailureCode.BLOCKED else None


def is_challenge(html: str, url: str) -> bool:
    """Whether a page (of any HTTP status) is a bot challenge or a wall rather than content."""
    return block_reason(html, url) is not None
