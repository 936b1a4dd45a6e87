"""Agency rules applied to a page: CSS selectors that override the general method."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.html import HtmlElement
from parsel import Selector

from newsflow.extraction.body import element_paragraphs, text_with_breaks
from newsflow.extraction.bylines import split_byline
from newsflow.extraction.evidence import Found
from newsflow.extraction.pages import visible_text
from newsflow.registry.models import Rules

__all__ = ["LAST_PARAGRAPH", "RulePage"]

LAST_PARAGRAPH = "last_paragraph"
# An editor line is a short credit, not a sentence: a few words, no sentence punctuation.
_CREDIT_LINE = re.compile(r"^[^\W\d][^.!?؟:;]{0,55}(?:\.[^\W\d][^.!?؟:;]{0,20})*$")


class RulePage:
    """One parsed page read through an agency's rules."""

    def __init__(self, root: HtmlElement, rules: Rules) -> None:
        self.root = root
        self.rules = rules
        self._selector = Selector(root=root, type="html")

    def values(self, css: str | None) -> list[Found]:
        """Texts or attributes a selector group yields, each with the selector that matched."""
        found: list[Found] = []
        for part in _split_group(css):
            for value in self._selector.css(part).getall():
                text = " ".join(value.split())
                if text:
                    found.append(Found(text, part))
        return found

    def first(self, field: str) -> Found | None:
        """The first value of a rule field (date, section...), evidence ``rule:<field> <css>``."""
        values = self.values(getattr(self.rules, field))
        return Found(values[0].value, f"rule:{field} {values[0].evidence}") if values else None

    def title(self) -> Found | None:
        """The headline from the title rule."""
        for element in self._elements(self.rules.title):
            text = " ".join(element.text_content().split())
            if text:
                return Found(text, "rule:title")
        return None

    def tags(self) -> tuple[str, ...]:
        """Tag names from the tags rule, without duplicates."""
        return tuple(dict.fromkeys(f.value for f in self.values(self.rules.tags)))

    def drop(self) -> list[str]:
        """Remove the rule's boilerplate elements (their tails stay); the text of each one."""
        removed = []
        for css in self.rules.drop:
            for element in self._elements(css):
                if element.getparent() is not None:
                    removed.append(visible_text(element))
                    element.drop_tree()
        return removed

    def body(self) -> list[str] | None:
        """Body paragraphs of the rule's container, or None when the rule is unset or misses."""
        containers = self._elements(self.rules.body)
        paragraphs = element_paragraphs(containers[:1])
        return paragraphs or None

    def byline_authors(self) -> list[str] | None:
        """Names in the byline element the author rule points at."""
        if not self.rules.author or self.rules.author == LAST_PARAGRAPH:
            return None
        texts = [text_with_breaks(e) for e in self._elements(self.rules.author)]
        return [name for text in texts for name in split_byline(text)] or None

    def _elements(self, css: str | None) -> list[HtmlElement]:
        if not css:
            return []
        return [s.root for s in self._selector.css(css) if isinstance(s.root, HtmlElement)]


def take_credit_line(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Split an editor line (``Hazem Sabbagh``, ``R.A / M.S``) off the end of the body."""
    if len(paragraphs) < 2:
        return [], paragraphs
    last = paragraphs[-1].strip()
    if len(last) > 60 or len(last.split()) > 8 or not _CREDIT_LINE.match(last):
        return [], paragraphs
    return split_byline(last), paragraphs[:-1]


def _split_group(css: str | None) -> Iterable[str]:
    # Split on top-level commas only: "a, b" is two selectors, "[x='a,b']" is one.
    if not css:
        return []
    parts, depth, current = [], 0, ""
    for char in css:
        depth += (char in "[(") - (char in "])")
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [p for p in parts if p]
