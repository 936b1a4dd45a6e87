"""Article text a page ships only inside script data (JSON-LD, hydration state, JSON blobs)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

from newsflow.extraction.body import drop_boilerplate, element_paragraphs
from newsflow.extraction.cleaning import is_furniture

__all__ = ["embedded_paragraphs", "needs_embedded"]

# A JSON string literal long enough to hold paragraphs of text.
_STRING = re.compile(r'"((?:[^"\\]|\\.){300,})"')
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|<|$)")
_MARKUP = re.compile(r"<(?:p|br|div|h[2-4])\b", re.IGNORECASE)
_CODE = re.compile(r"function\s*\(|=>|\bvar\s|\bconst\s|[{};]\s*[{}]")
_SCRIPTS = etree.XPath("//script[not(@src)]")
# Prose, not code or data: this many sentence ends at least.
_MIN_SENTENCES = 3
# Below this many characters the visible text is a stub (a teaser, a player, a wall).
_SHORT_TEXT = 500


def embedded_paragraphs(root: HtmlElement, article_body: object = None) -> list[str]:
    """Paragraphs of the longest prose found in script data, JSON-LD articleBody first."""
    if isinstance(article_body, str) and _is_prose(article_body):
        return _paragraphs(article_body)
    best = max(_prose_strings(root), key=len, default="")
    return _paragraphs(best) if best else []


def needs_embedded(paragraphs: list[str]) -> bool:
    """Whether main-text detection found too little for a news article."""
    return sum(len(p) for p in paragraphs) < _SHORT_TEXT


def _prose_strings(root: HtmlElement) -> Iterator[str]:
    for script in _SCRIPTS(root):
        for match in _STRING.finditer(script.text or ""):
            try:
                text = json.loads(f'"{match.group(1)}"', strict=False)
            except ValueError:
                continue
            if _is_prose(text):
                yield text


def _is_prose(text: str) -> bool:
    return (
        len(text) >= 300
        and len(_SENTENCE_END.findall(text)) >= _MIN_SENTENCES
        and not _CODE.search(text)
    )


def _paragraphs(text: str) -> list[str]:
    if not _MARKUP.search(text):
        return drop_boilerplate(p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip())
    try:
        container = fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    for element in container.xpath(".//script | .//style | .//figure | .//figcaption"):
        element.drop_tree()
    for element in container.xpath(".//*[@class]"):
        if is_furniture(element) and element.getparent() is not None:
            element.drop_tree()
    lines = [line for p in element_paragraphs([container]) for line in p.split("\n")]
    return drop_boilerplate(line.strip() for line in lines if line.strip())
