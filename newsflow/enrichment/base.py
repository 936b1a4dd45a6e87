"""What every enricher shares: the annotation record, the plugin protocol, the text it reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from newsflow.article import Article

__all__ = ["Annotation", "Context", "Enricher", "article_text", "body_offset"]

# Title and body are read as one text; offsets in annotations index into it.
_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class Annotation:
    """One finding about an article.

    ``value`` is the canonical form (``Aleppo``, ``Dmitry Peskov``, ``en``), ``label`` a
    normalised code when one exists (ISO 3166-1 alpha-2 for places, ISO 639-1 for languages),
    ``start``/``end`` the first mention's offsets in ``article_text(article)`` (None when the
    value was not read from the text), ``evidence`` how it was found, and ``score`` a weight
    whose meaning the kind defines (probability, mentions, relevance). The store adds the
    cross-script key of a person's or organisation's value (``newsflow.enrichment.keys``).
    """

    kind: str
    value: str
    label: str | None = None
    start: int | None = None
    end: int | None = None
    evidence: str = ""
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What an enricher may know beyond the article: facts of the page it came from."""

    page_language: str | None = None


@runtime_checkable
class Enricher(Protocol):
    """A small plugin: a name, a version bumped whenever its output may change, and a method."""

    name: str
    version: int

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        """Everything this enricher finds in the article."""
        ...


def article_text(article: Article) -> str:
    """The text enrichers read: the title, a blank line, then the body."""
    return f"{article.title}{_SEPARATOR}{article.body}"


def body_offset(article: Article) -> int:
    """Where the body starts in ``article_text(article)``."""
    return len(article.title) + len(_SEPARATOR)
