"""Page furniture removed before main-text detection: embeds, promotions, captions, teasers."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from newsflow.extraction.pages import visible_text

__all__ = ["drop_furniture", "drop_story_cards", "is_furniture"]

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


def drop_furniture(root: HtmlElement) -> list[str]:
    """Remove furniture blocks from a parsed page (their tails stay), wrappers spared.

    Returns the visible text of each block removed, so a caller can tell when the cleaning
    took away more than it left, or took away the text the library would have kept.
    """
    body = root.find("body")
    if body is None:
        return []
    total, removed = len(body.text_content()) or 1, []
    for element in _CANDIDATES(root):
        if not is_furniture(element) or _detached(element, root):
            continue
        if element.find(".//h1") is not None:
            continue
        chars = len(element.text_content())
        if chars / total > _WRAPPER_SHARE:
            continue
        removed.append(visible_text(element))
        element.drop_tree()
    return removed + drop_story_cards(root)


def drop_story_cards(root: HtmlElement) -> list[str]:
    """Remove cards promoting other stories: a linked headline with a short blurb beneath.

    Returns the visible text of each card removed.
    """
    removed = []
    for heading in _LINKED_HEADINGS(root):
        card = _card_of(heading)
        if card is not None and not _detached(card, root):
            removed.append(visible_text(card))
            card.drop_tree()
    return removed


def _detached(element: HtmlElement, root: HtmlElement) -> bool:
    # Already gone with a block removed before it (the candidates were listed up front).
    ancestors = list(element.iterancestors())
    return not ancestors or ancestors[-1] is not root


def _card_of(heading: HtmlElement) -> HtmlElement | None:
    # The largest short block around the heading that also holds a blurb paragraph.
    text = " ".join(heading.text_content().split())
    linked = " ".join(" ".join(a.text_content().split()) for a in heading.iter("a"))
    if not text or len(linked) < 0.9 * len(text):
        return None
    card, parent = None, heading.getparent()
    while parent is not None and parent.tag not in _KEEP_TAGS:
        if len(parent.text_content().strip()) > _CARD_CHARS:
            break
        if parent.find(".//p") is not None:
            card = parent
        parent = parent.getparent()
    return card


_LINKED_HEADINGS = etree.XPath("//body//*[self::h2 or self::h3 or self::h4][.//a[@href]]")
_CARD_CHARS = 400
