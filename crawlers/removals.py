"""Whether a revisit found an article removed from its site, and why, in one word."""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import urlsplit

from newsflow.extraction.pages import PageKind, classify_page
from newsflow.registry import Source

# Paths a site's front page is served at, besides the agency's homepage and edition roots.
_FRONT = re.compile(r"^/?(?:(?:index|home|default|main)(?:\.\w{2,5})?)?/?$", re.IGNORECASE)


class RemovalReason(StrEnum):
    """What a revisit saw where an article used to be."""

    NOT_FOUND = "not_found"  # 404, or a page saying the article is not found
    GONE = "gone"  # 410
    REDIRECT_HOME = "redirect_home"  # redirected to the site's or edition's front page
    REDIRECT_LISTING = "redirect_listing"  # redirected to a section, tag or archive listing


def status_removal(status: int | None) -> RemovalReason | None:
    """The removal an HTTP error status means: 404 not found, 410 gone."""
    return {404: RemovalReason.NOT_FOUND, 410: RemovalReason.GONE}.get(status or 0)


def redirect_removal(
    listed: str, final: str, source: Source, html: str | None = None
) -> RemovalReason | None:
    """The removal a redirect means, or None when it leads to an article (a moved one).

    A redirect to a page that is no article of the source is a removal: the front page, or
    else a listing (sections, tags, archives, search). A wall or challenge page is no removal
    (the fetch was blocked), and a "not found" page is one of its own.
    """
    if final == listed or source.is_article_url(final):
        return None
    if is_front_page(final, source):
        return RemovalReason.REDIRECT_HOME
    kind = classify_page(html, final) if html else PageKind.LISTING
    if kind in (PageKind.BLOCKED, PageKind.LOGIN):
        return None
    return RemovalReason.NOT_FOUND if kind is PageKind.NOT_FOUND else RemovalReason.REDIRECT_LISTING


def page_removal(html: str, url: str) -> RemovalReason | None:
    """A page at the article's own address that says it is not found (a soft 404)."""
    return RemovalReason.NOT_FOUND if classify_page(html, url) is PageKind.NOT_FOUND else None


def is_front_page(url: str, source: Source) -> bool:
    """Whether ``url`` is the agency's homepage or an edition's front page (``/en/``)."""
    parts = urlsplit(url)
    if parts.query or not source.owns_host(parts.hostname or ""):
        return False
    home = urlsplit(str(source.agency.homepage))
    if parts.hostname == home.hostname and parts.path.rstrip("/") == home.path.rstrip("/"):
        return True
    editions = {source.edition_key, source.language}
    head, _, rest = parts.path.strip("/").partition("/")
    return _FRONT.match(parts.path) is not None or (head in editions and bool(_FRONT.match(rest)))
