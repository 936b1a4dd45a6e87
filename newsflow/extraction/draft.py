"""The record an article is assembled in, stage by stage, before it is frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsflow.article import Article
from newsflow.extraction.evidence import Found

__all__ = ["CREDIT_LINE", "Draft"]

# Evidence of authors read from the editor line that ends the body.
CREDIT_LINE = "rule:last_paragraph"


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
            title=self.title,
            body="\n\n".join(self.body),
            language=self.language,
            published_at=self.published_at,
            modified_at=self.modified_at,
            authors=self.authors,
            dateline=self.dateline,
            section=self.section,
            tags=self.tags,
            source=self.source,
            provenance=self.provenance,
        )
