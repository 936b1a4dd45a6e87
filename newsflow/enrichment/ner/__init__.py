"""Named-entity recognition: the spans of people, organisations and places in one text.

One model per language (English: a CRF shipped with newsflow; Russian: Natasha's Slovnet,
shipped inside the natasha wheel); other languages have none and the enrichers fall back to
their rules. The entities and places enrichers of one article read the same text, so the
mentions of the last few texts are cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from newsflow.article import Article
from newsflow.enrichment.base import Context, article_text
from newsflow.enrichment.text import without_possessive

__all__ = ["Mention", "article_mentions", "has_model", "mentions", "model_languages"]


@dataclass(frozen=True, slots=True)
class Mention:
    """A name in the text: ``kind`` person | organisation | place | misc, offsets into the text.

    ``value`` is the name's dictionary form when the model gives one (Russian names are
    declined: ``Александра Вертинского`` → ``Александр Вертинский``), else None.
    """

    kind: str
    start: int
    end: int
    value: str | None = None

    def written(self, text: str) -> str:
        """The name as written, spaces collapsed and a possessive dropped (Putin's → Putin)."""
        return without_possessive(" ".join(text[self.start : self.end].split()))


def _english(text: str) -> list[Mention]:
    from newsflow.enrichment.ner.english import english_mentions

    return english_mentions(text)


def _russian(text: str) -> list[Mention]:
    from newsflow.enrichment.ner.russian import russian_mentions

    return russian_mentions(text)


_MODELS: dict[str, Callable[[str], list[Mention]]] = {"en": _english, "ru": _russian}


def model_languages() -> tuple[str, ...]:
    """The languages whose names a model reads."""
    return tuple(_MODELS)


def has_model(language: str | None) -> bool:
    """Whether names in this language are read by a model (else by the enrichers' rules)."""
    return language in _MODELS


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=8)
def mentions(text: str, language: str) -> tuple[Mention, ...]:
    """The names a language's model finds in a text (cached: two enrichers read each text)."""
    # A lone surrogate cannot cross into the models' C code (CRFsuite raised SystemError on
    # it); U+FFFD in its place keeps every offset where it was.
    return tuple(_MODELS[language](_LONE_SURROGATE.sub("\ufffd", text)))


def article_mentions(article: Article, context: Context) -> tuple[Mention, ...] | None:
    """The model's names in an article, or None when its language has no model."""
    language = model_language(article, context)
    return mentions(article_text(article), language) if language else None


def model_language(article: Article, context: Context) -> str | None:
    """The article's language when a model reads it: stored, else the page's, else detected."""
    language = article.language or context.page_language
    if language is None:
        language = _detected(f"{article.title}\n{article.body[:5000]}")
    language = (language or "").split("-")[0].lower()
    return language if has_model(language) else None


@lru_cache(maxsize=8)
def _detected(text: str) -> str | None:
    """The detected language of a text (cached: the entities and places enrichers both ask)."""
    from newsflow.enrichment.language import identify

    found = identify(text)
    return found[0] if found else None
