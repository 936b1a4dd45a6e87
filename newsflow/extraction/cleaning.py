"""Page furniture removed before main-text detection: embeds, promotions, captions, teasers."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

__all__ = ["drop_furniture", "is_furniture"]

# Class and id words CMSs give to blocks that are never article text. A word must start at a
# boundary ("related-news", "c-newsletter", "relatedArticles") so "unrelated" does not match.
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:related|newsletter|teaser-?list|promo|adslot|ad-slot|sponsor"
    r"|social|share|sharing|subscribe|consent|outbrain|taboola"
    r"|recommend|readmore|read-more|more-?articles|also-?read|twitter-tweet|instagram-media"
    r"|tiktok-embed|fb-post|caption|credit|copyright|breadcrumb|comments?(?:$|[\s_-]))",
    re.IGNORECASE,
)
_CANDIDATES = etree.XPath("//body//*[@class or @id]")
_KEEP_TAGS = frozenset({"html", "body", "article", "main", "h1"})
# A block holding this share of the page's text is a wrapper, not furniture.
_WRAPPER_SHARE = 0.4


def is_furniture(element: HtmlElement) -> bool:
    """Whether an element's class or id names a block that is never article text."""
    if element.tag in _KEEP_TAGS:
        return False
    names = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(_FURNITURE.search(names))


def drop_furniture(root: HtmlElement) -> None:
    """Remove furniture blocks from a parsed page (their tails stay), wrappers spared."""
    body = root.find("body")
    if body is None:
        return
    total = len(body.text_content()) or 1
    for element in _CANDIDATES(root):
        if not is_furniture(element) or element.getparent() is None:
            continue
        if element.find(".//h1") is not None:
            continue
        if len(element.text_content()) / total > _WRAPPER_SHARE:
            continue
        element.drop_tree()
