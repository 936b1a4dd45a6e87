"""Article text: trafilatura for unknown sites, a container selector for known ones."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

__all__ = [
    "drop_boilerplate",
    "element_paragraphs",
    "generic_paragraphs",
    "library_paragraphs",
    "text_with_breaks",
]

_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "figcaption")
_LEAF_BLOCKS = etree.XPath(" | ".join(f".//{tag}" for tag in _BLOCKS if tag != "figcaption"))
_BREAKS = frozenset({"br", "lb"})
# Paragraphs that are navigation or promotion, not article text (several languages).
_BOILERPLATE = re.compile(
    r"^(?:read more|read also|see also|also read|related|more on this|check also|click here"
    r"|sign up|subscribe|newsletter|follow us|share this|share on|advertisement|anzeige"
    r"|lesen sie auch|lesen sie mehr|mehr zum thema|auch interessant|weiterlesen|zum thema"
    r"|lire aussi|à lire aussi|lire la suite|leer más|lee también|te puede interesar"
    r"|leggi anche|läs också|les også|læs også|czytaj też|читайте также|شاهد أيضا|اقرأ أيضا)"
    r"(?:\b|\s|:|$)",
    re.IGNORECASE,
)
# Chosen by measurement on the dev set (see newsflow.evaluation): body F1 and pages/s.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "with_metadata": False,
    "include_comments": False,
    "favor_recall": True,
    "include_tables": True,
    "include_images": False,
    "include_links": True,
    "as_dict": False,
}
# The library as it comes, on the untouched page: its defaults, comments left out (links kept
# only so teaser paragraphs can be told from text).
LIBRARY_OPTIONS: dict[str, Any] = {
    "with_metadata": False,
    "include_comments": False,
    "include_links": True,
    "as_dict": False,
}
_CAPTION = re.compile(
    r"^(?:foto|photo|bild|image|picture|credit|quelle|source)s?\s*:", re.IGNORECASE
)
# An image caption ends with its credit ("… Bild: Jane Doe", "… | Jane Doe/Agency"); a
# copyright line opens with the sign. Neither is article text.
_CREDITED_CAPTION = re.compile(
    r"(?:\b(?:foto|photo|bild|image|picture|credit)s?\s*:\s*[^.!?:]{2,60}"
    r"|\|\s*[^|.!?]{2,40}/\s*[^|.!?/\s][^|.!?/]{0,30}|getty images|shutterstock|imago images)$"
    r"|^©",
    re.IGNORECASE,
)
_CAPTION_CHARS = 300


def generic_paragraphs(root: HtmlElement, url: str | None) -> list[str]:
    """Body paragraphs of any news page, from trafilatura's main-text detection."""
    return _trafilatura_paragraphs(root, url, TRAFILATURA_OPTIONS)


def library_paragraphs(root: HtmlElement, url: str | None) -> list[str]:
    """Body paragraphs trafilatura alone finds with its own settings (the tree is not changed)."""
    return _trafilatura_paragraphs(root, url, LIBRARY_OPTIONS)


def _trafilatura_paragraphs(
    root: HtmlElement, url: str | None, options: dict[str, Any]
) -> list[str]:
    # bare_extraction works on a copy of the tree it is given.
    document = trafilatura.bare_extraction(root, url=url, **options)
    body = getattr(document, "body", None)
    if body is None:
        return []
    return drop_boilerplate(_xml_paragraphs(body))


def element_paragraphs(elements: Iterable[HtmlElement]) -> list[str]:
    """Paragraphs of a known body container: its leaf blocks, or its text when it has none."""
    paragraphs: list[str] = []
    for container in elements:
        blocks = _LEAF_BLOCKS(container)
        leaves = [b for b in blocks if not any(d in blocks for d in b.iterdescendants())]
        for block in leaves or [container]:
            text = text_with_breaks(block)
            if text:
                paragraphs.append(text)
    return paragraphs


def drop_boilerplate(paragraphs: Iterable[str]) -> list[str]:
    """Leave out read-more links, newsletter prompts, share prompts and photo credits."""
    kept = []
    for paragraph in paragraphs:
        short = len(paragraph) < 200
        if short and (_BOILERPLATE.match(paragraph) or _CAPTION.match(paragraph)):
            continue
        if len(paragraph) < _CAPTION_CHARS and _CREDITED_CAPTION.search(paragraph.strip()):
            continue
        kept.append(paragraph)
    return _without_notices(kept)


def _without_notices(paragraphs: list[str]) -> list[str]:
    # Subscription and legal notices close the text: they speak of the site and its readers.
    while len(paragraphs) > 1 and _is_notice(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    return paragraphs


def _is_notice(paragraph: str) -> bool:
    return len(paragraph) < 400 and bool(
        _NOTICE_TOPIC.search(paragraph) and _NOTICE_SITE.search(paragraph)
    )


_NOTICE_TOPIC = re.compile(
    r"subscri(?:be|ber|bers|ption)|abonn|suscri|all rights reserved|alle rechte vorbehalten"
    r"|tous droits réservés|todos los derechos|reproduction|may not be (?:published|reproduced)"
    r"|copyright",
    re.IGNORECASE,
)
_NOTICE_SITE = re.compile(
    r"this (?:website|site|page|material)|our (?:website|site|newsletter|journalism)"
    r"|contact us|sign up|kontaktieren sie uns|contactez-nous|contáctenos|without (?:the )?"
    r"(?:prior )?(?:written )?permission|rewritten|redistributed",
    re.IGNORECASE,
)


def text_with_breaks(element: etree._Element) -> str:
    """An element's text with line breaks kept as single newlines, space folded."""
    lines = "".join(_pieces(element)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def _pieces(element: etree._Element) -> Iterator[str]:
    if element.tag in _BREAKS:
        yield "\n"
    elif isinstance(element.tag, str) and element.tag not in ("script", "style"):
        yield element.text or ""
        for child in element:
            yield from _pieces(child)
            yield child.tail or ""


def _xml_paragraphs(body: etree._Element) -> list[str]:
    # Text between the blocks (after a heading, between line breaks) is a paragraph too: the
    # library keeps it, so leaving it out would lose article text the library finds.
    paragraphs: list[str] = _loose(body.text)
    for child in body:
        if child.tag == "list":
            parts = [text_with_breaks(i) for i in child.iter("item") if not _mostly_link(i)]
        elif child.tag == "table":
            parts = [" ".join(text_with_breaks(c) for c in row) for row in child.iter("row")]
        else:
            parts = [] if _mostly_link(child) else [text_with_breaks(child)]
        paragraphs.extend(p.strip() for p in parts if p.strip())
        paragraphs.extend(_loose(child.tail))
    return paragraphs


def _loose(text: str | None) -> list[str]:
    folded = " ".join((text or "").split())
    return [folded] if folded else []


def _mostly_link(element: etree._Element) -> bool:
    """A teaser for another story: the paragraph is (almost) all link text."""
    text = " ".join("".join(element.itertext()).split())
    if not text:
        return False
    linked = sum(len(" ".join("".join(r.itertext()).split())) for r in element.iter("ref"))
    return linked / len(text) > 0.8


def with_lead(paragraphs: list[str], root: HtmlElement, descriptions: Iterable[str]) -> list[str]:
    """Put back a visible standfirst (the lead) that main-text detection left out."""
    have = " ".join(" ".join(paragraphs).split()).casefold()
    for description in descriptions:
        wanted = " ".join(description.split()).rstrip(".…").strip()
        if len(wanted) < 50 or wanted.casefold()[:60] in have:
            continue
        element = _element_with_text(root, wanted)
        if element is not None:
            return [text_with_breaks(element), *paragraphs]
    return paragraphs


def _element_with_text(root: HtmlElement, text: str) -> HtmlElement | None:
    low, high = len(text) - 2, int(len(text) * 1.3) + 20
    found = _LEAD_XPATH(root, low=low, high=high)
    key = text.casefold()[:120]
    for element in found:
        if key in " ".join(element.text_content().split()).casefold():
            return element
    return None


_LEAD_XPATH = etree.XPath(
    "//body//*[self::p or self::div or self::h2 or self::strong or self::span or self::section]"
    "[not(ancestor::a)][string-length(normalize-space()) >= $low]"
    "[string-length(normalize-space()) <= $high]"
)
