"""Prose on a page: blocks of sentences, where they sit, and the teaser links around them.

A prose block is a ``<p>``, or a run of text between ``<br>`` line breaks, long enough to be a
sentence rather than a label or a menu entry. Blocks are grouped by the element holding them,
so an article body (many blocks in one container) is told from a listing (one short blurb per
teaser card, or blurbs interleaved with linked headlines).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

__all__ = [
    "BLOCK_CHARS",
    "Prose",
    "has_long_paragraph",
    "read_prose",
    "teaser_count",
    "weighted_length",
]

# A block this long is a sentence or more, not a label, a date or a menu entry. Characters
# of Chinese, Japanese and Korean count three times: a sentence there has fewer of them.
BLOCK_CHARS = 80
_WIDE = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_WIDE_WEIGHT = 3
_SHORTEST = BLOCK_CHARS // _WIDE_WEIGHT
_P_BLOCKS = etree.XPath(
    f"//body//p[string-length(normalize-space()) >= {_SHORTEST}][not(ancestor::a)]"
)
# Text between line breaks (or in a bare <div>) that is not inside a paragraph, link or code.
_RUNS = etree.XPath(
    f"//body//text()[string-length(normalize-space()) >= {_SHORTEST}]"
    "[not(ancestor::p or ancestor::a or ancestor::script or ancestor::style"
    " or ancestor::noscript or ancestor::template or ancestor::textarea"
    " or ancestor::select or ancestor::button or ancestor::h1 or ancestor::h2 or ancestor::h3"
    " or ancestor::h4 or ancestor::h5 or ancestor::h6)]"
)
# Links whose anchor reads like a headline: longer than a menu entry, shorter than a story.
_HEADLINE_LINK = (
    "a[@href][string-length(normalize-space()) >= 20][string-length(normalize-space()) <= 300]"
)
_TEASER_LINKS = etree.XPath(f"//body//{_HEADLINE_LINK}/@href", smart_strings=False)
# Headline links in a container outside its prose paragraphs: teasers beside the blurbs.
_LINKS_BESIDE = etree.XPath(
    f"count(./*[not(self::p and string-length(normalize-space()) >= {_SHORTEST})]"
    f"/descendant-or-self::{_HEADLINE_LINK})"
)
_HEADLINES_IN = etree.XPath(f"count(descendant-or-self::{_HEADLINE_LINK})")
_SIZE = etree.XPath("string-length(normalize-space())")
# A teaser's blurb is shorter than this; a longer paragraph is the page's own text.
_BLURB_CHARS = 5 * BLOCK_CHARS
_LONG_PARAGRAPH = etree.XPath(
    f"boolean((//body//p[string-length(normalize-space()) >= {_BLURB_CHARS}][not(ancestor::a)])[1])"
)
# A card ends at most this many levels above its blurb and holds at most this many characters
# besides it (a headline, a date, a credit).
_CARD_DEPTH = 3
_CARD_EXTRA = 300
# A block counts for its container and this many levels of wrappers in all.
_BOX_LEVELS = 3
_INLINE = frozenset(
    {"span", "b", "strong", "em", "i", "u", "font", "small", "big", "mark", "q", "cite", "sup"}
)


@dataclass(frozen=True)
class Prose:
    """How much prose a page holds, how much of it is teaser blurbs, and its main text block."""

    blocks: int
    blurbs: int  # blocks inside a small card that also holds a headline link to another page
    main_chars: int  # the largest container of blocks that are neither blurbs nor teaser lists


def teaser_count(root: HtmlElement) -> int:
    """Distinct targets of headline-like links (teasers for other pages)."""
    return len(set(map(str, _TEASER_LINKS(root))))


def has_long_paragraph(root: HtmlElement) -> bool:
    """Whether the page has a paragraph too long to be a teaser's blurb (a quick first look)."""
    return bool(_LONG_PARAGRAPH(root))


def read_prose(root: HtmlElement) -> Prose:
    """The prose blocks of a page, its teaser blurbs and the size of its main text block."""
    sizes: Counter[HtmlElement] = Counter()
    counts: Counter[HtmlElement] = Counter()
    blocks = blurbs = 0
    for block, container, chars in _blocks(root):
        blocks += 1
        if _in_card(block, chars):
            blurbs += 1
            continue
        for box in _boxes(container):
            sizes[box] += chars
            counts[box] += 1
    main = [size for box, size in sizes.items() if not _teaser_list(box, counts[box])]
    return Prose(blocks=blocks, blurbs=blurbs, main_chars=max(main, default=0))


def _blocks(root: HtmlElement) -> list[tuple[HtmlElement, HtmlElement, int]]:
    # (the block's element, the container it counts for, its characters)
    found = []
    for paragraph in _P_BLOCKS(root):
        parent, chars = paragraph.getparent(), weighted_length(paragraph.text_content())
        if parent is not None and chars >= BLOCK_CHARS:
            found.append((paragraph, parent, chars))
    for run in _RUNS(root):
        # A tail run belongs to its element's parent; a text run to the element itself.
        holder = run.getparent()
        if holder is not None and run.is_tail:
            holder = holder.getparent()
        while holder is not None and holder.tag in _INLINE:
            holder = holder.getparent()
        chars = weighted_length(str(run))
        if holder is not None and chars >= BLOCK_CHARS:
            found.append((holder, holder, chars))
    return found


def _boxes(container: HtmlElement) -> list[HtmlElement]:
    # A block counts for its container and a few wrappers above it: sites wrap each
    # paragraph in its own element, and the body is then the wrappers' common ancestor.
    boxes: list[HtmlElement] = []
    node: HtmlElement | None = container
    while node is not None and node.tag not in ("body", "html") and len(boxes) < _BOX_LEVELS:
        boxes.append(node)
        node = node.getparent()
    return boxes


def _in_card(block: HtmlElement, chars: int) -> bool:
    # A teaser card: a small block around the blurb (the blurb plus a headline, a date, a
    # picture) holding a headline link that is not part of the blurb's own text.
    if chars > _BLURB_CHARS:
        return False
    inside = _HEADLINES_IN(block)
    node = block.getparent()
    for _ in range(_CARD_DEPTH):
        if node is None or node.tag in ("body", "html") or _SIZE(node) > chars + _CARD_EXTRA:
            return False
        if _HEADLINES_IN(node) > inside:
            return True
        node = node.getparent()
    return False


def _teaser_list(container: HtmlElement, blocks: int) -> bool:
    # Blurbs interleaved with linked headlines: at least one headline per blurb.
    links = int(_LINKS_BESIDE(container))
    return links >= max(3, blocks)


def weighted_length(text: str) -> int:
    """Characters of a text, space folded, each Chinese, Japanese or Korean one counted thrice."""
    folded = " ".join(text.split())
    return len(folded) + (_WIDE_WEIGHT - 1) * len(_WIDE.findall(folded))
