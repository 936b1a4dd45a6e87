"""Article extraction: one function from HTML to an Article (placeholder until built)."""

from __future__ import annotations

from newsflow.article import Article


def extract_article(html: str, url: str | None, source: str | None = None) -> Article | None:
    """Extract the article on a page, or None when the page is not an article."""
    raise NotImplementedError
