"""Language of the article's own text, beside what its edition and its page declare."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from newsflow.article import Article
from newsflow.enrichment.base import Annotation, Context

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

__all__ = ["LanguageEnricher", "identify", "page_language"]

# Languages agencies commonly publish in; the registry's own editions are added to these.
# Restricting the identifier to them keeps it from calling short Arabic text Persian or
# short Russian text Bulgarian, a known weakness of open-set identifiers.
_COMMON = ("en", "ar", "ru", "fr", "es", "de", "tr", "fa", "zh", "uk", "pt", "it", "ja", "ko")
_MODEL_CODES = {"nb": "no", "nn": "no"}  # ISO 639-1 codes py3langid spells otherwise
_MAX_CHARS = 2000  # the opening is enough, and the cost grows with length
_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][\w-]*)?", re.I)


class LanguageEnricher:
    """The language the article is written in (ISO 639-1), by py3langid; the page's too.

    ``language`` row: value and label the detected code, score its probability. A
    ``page_language`` row records the page's ``<html lang>`` when the page declared one; the
    edition's declared language is the article's own ``language`` column.
    """

    name = "language"
    version = 1

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        """The detected language, and the page's declared one."""
        rows = []
        found = identify(f"{article.title}\n{article.body[:_MAX_CHARS]}")
        if found is not None:
            code, probability = found
            evidence = "py3langid" + (f"; declared {article.language}" if article.language else "")
            rows.append(Annotation("language", code, code, evidence=evidence, score=probability))
        if context.page_language:
            code = context.page_language
            rows.append(Annotation("page_language", code, code, evidence="html[lang]"))
        return rows


def identify(text: str) -> tuple[str, float] | None:
    """The language of a text and its probability, or None for text without letters."""
    if not any(c.isalpha() for c in text):
        return None
    code, probability = _identifier().classify(text)
    return str(code), round(float(probability), 4)


def page_language(html: bytes) -> str | None:
    """The ISO 639 code a page declares in ``<html lang>`` (its first kilobytes suffice)."""
    match = _HTML_LANG.search(html[:8192])
    return match.group(1).decode("ascii").lower() if match else None


@cache
def _identifier() -> LanguageIdentifier:
    # Imported on first use: py3langid brings numpy, which commands like `status` never need.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from newsflow.registry import load_registry

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    editions = {source.language for source in load_registry().values()}
    # The model knows Norwegian as "no"; any other code it lacks is left out, since naming it
    # would make set_languages refuse, and every article fail.
    wanted = {_MODEL_CODES.get(code, code) for code in editions | set(_COMMON)}
    identifier.set_languages(sorted(wanted & set(identifier.nb_classes)))
    return identifier
