"""From a stored or freshly fetched page to the Article that is stored: one path for all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newsflow.article import Article
from newsflow.canonical import canonical_url
from newsflow.extraction import extract_article
from newsflow.extraction.pages import parse_html
from newsflow.page import FetchedPage
from newsflow.registry import Source
from newsflow.webarchive import capture_of, from_capture


def article_from_page(
    page: FetchedPage, source: Source, listed_at: datetime | None = None
) -> Article | None:
    """Extract a page under its canonical URL and fill in what only the source knows.

    The crawler and every re-processing path call this, so an article keeps one identity
    (the canonical URL) however often and from wherever its page is re-read.
    """
    html = page.text
    root = parse_html(html)  # parsed once: the canonical link is read before extraction
    # A web archive's capture stands for the address it captured (newsflow.webarchive).
    capture = capture_of(page.final_url)
    address = capture.original if capture else page.final_url
    url = canonical_url(root, address, source)
    article = extract_article(html, url, source.id, root=root)
    if article is None:
        return None
    article = _completed(article, source, listed_at)
    return from_capture(article, capture, page.final_url) if capture else article


def _completed(article: Article, source: Source, listed_at: datetime | None) -> Article:
    """Fill what the page did not say from the source (and the listing's date, marked as such)."""
    changes: dict[str, Any] = {}
    if article.source is None:
        changes["source"] = source.id
    if article.language is None:
        changes["language"] = source.language
    if article.published_at is None and listed_at is not None and listed_at.tzinfo is not None:
        changes["published_at"] = listed_at
        changes["provenance"] = {**article.provenance, "published_at": "discovery"}
    return article.evolve(**changes) if changes else article


def warm_up() -> None:
    """Import and exercise the extractor once (a worker does, before its first page)."""
    html = "<html><head><title>Warm-up</title></head><body><article><p>Warm-up.</p></article>"
    extract_article(html, "https://warm-up.invalid/")
