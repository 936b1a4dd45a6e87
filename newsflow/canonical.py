"""The URL an article is stored under: the page's own canonical link when it is trustworthy."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newsflow.extraction.pages import parse_html
from newsflow.registry import Source

# ``link[rel~=canonical]``: rel is a list of space-separated tokens.
_CANONICAL = etree.XPath(
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href",
    smart_strings=False,
)


def canonical_url(page: str | HtmlElement | None, final_url: str, source: Source) -> str:
    """``<link rel=canonical>`` when it names one of the source's article URLs, else final_url.

    ``page`` is the markup, or the tree extraction parses anyway (so the page is parsed once).
    Agencies serve one article under several hosts (SANA: sana.sy and archive.sana.sy); the
    canonical link folds them into one identity. Links to other sites or to non-article
    pages (a home page, a category) are ignored, as some CMS templates emit those.
    """
    root = parse_html(page) if isinstance(page, str) else page
    hrefs = _CANONICAL(root) if root is not None else []
    if not hrefs:
        return final_url
    candidate = urljoin(final_url, str(hrefs[0]).strip())
    host = urlsplit(candidate).hostname or ""
    if source.owns_host(host) and source.is_article_url(candidate):
        return candidate
    return final_url
