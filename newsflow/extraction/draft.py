"""The record an article is assembled in, stage by stage, before it is frozen."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from newsflow.article import Article
from newsflow.extraction.evidence import Found

__all__ = ["CREDIT_LINE", "Draft"]

# Evidence of authors read from the editor line that ends the body.
CREDIT_LINE = "rule:last_paragraph"

# JSON-LD and script data can escape what no markup holds: a lone surrogate ("\ud83d" of a
# description cut inside an emoji) or a control character ("\u0000"). A lone surrogate cannot
# be encoded as UTF-8 (so neither stored nor sent) and PostgreSQL refuses NUL: the article
# keeps U+FFFD and a space instead, as the JSON reader does for raw control characters.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Draft:
    """An article being extracted: the values found so far and the evidence for each."""

    url: str
    source: str | None
    title: str | None = None
    body: list[str] = field(default_factory=list)  # paragraphs until the article is built
    language: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    provenance: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, found: Found | None) -> None:
        """Record a field's value and the evidence for it; nothing when nothing was found."""
        if found is not None:
            setattr(self, name, found.value)
            self.provenance[name] = found.evidence

    def article(self) -> Article:
        """The finished, frozen article."""
        if self.title is None:
            raise ValueError("an article needs a title")
        return Article(
            url=self.url,
            title=_storable(self.title),
            body=_storable("\n\n".join(self.body)),
            language=self.language,
            published_at=self.published_at,
            modified_at=self.modified_at,
            authors=tuple(map(_storable, self.authors)),
            dateline=_storable(self.dateline) if self.dateline else self.dateline,
            section=_storable(self.section) if self.section else self.section,
            tags=tuple(map(_storable, self.tags)),
            source=self.source,
            provenance=self.provenance,
        )


def _storable(text: str) -> str:
    """``text`` with lone surrogates as U+FFFD and control characters (not tab or newline) as
    spaces: what remains encodes as UTF-8 and stores on either database."""
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text))
