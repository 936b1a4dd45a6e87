"""The URL an article is stored under: the page's own canonical link when it is trustworthy."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from parsel import Selector

from newsflow.registry import Source


def canonical_url(html: str, final_url: str, source: Source) -> str:
    """``<link rel=canonical>`` when it names one of the source's article URLs, else final_url.

    Agencies serve one article under several hosts (SANA: sana.sy and archive.sana.sy); the
    canonical link folds them into one identity. Links to other sites or to non-article
    pages (a home page, a category) are ignored, as some CMS templates emit those.
    """
    href = Selector(text=html).css("link[rel~=canonical]::attr(href)").get()
    if not href:
        return final_url
    candidate = urljoin(final_url, href.strip())
    host = urlsplit(candidate).hostname or ""
    if source.owns_host(host) and source.is_article_url(candidate):
        return candidate
    return final_url
