"""Word lists that tell names apart: titles, verbs of saying, organisation words, particles."""

from __future__ import annotations

from functools import cache

from newsflow.enrichment.resources import data_lines, stopword_lines
from newsflow.enrichment.text import fold

__all__ = ["cue_words", "head_forms", "name_vetoes", "stopwords"]


@cache
def cue_words(kind: str) -> frozenset[str]:
    """Folded words of one kind in ``data/cues.tsv`` (role, speech, head, particle, …)."""
    for row_kind, words in data_lines("cues.tsv"):
        if row_kind == kind:
            return frozenset(fold(word) for word in words.split("|"))
    raise KeyError(kind)


@cache
def head_forms() -> dict[str, str]:
    """Organisation words by folded form → the form listed first (Russian: the nominative)."""
    forms: dict[str, str] = {}
    for row_kind, words in data_lines("cues.tsv"):
        if row_kind == "head":
            for word in words.split("|"):
                forms.setdefault(fold(word), word)
    return forms


@cache
def stopwords() -> frozenset[str]:
    """Folded function words of the main languages (yake's stopword lists)."""
    languages = ("en", "ru", "fr", "es", "de")
    return frozenset(fold(word) for lang in languages for word in stopword_lines(lang))


@cache
def name_vetoes() -> frozenset[str]:
    """Folded words no person's name holds: titles, organisation words, openers, stopwords.

    Built once: the union of these lists was taken again for every capitalised span.
    """
    return cue_words("role") | cue_words("head") | cue_words("opener") | stopwords()
