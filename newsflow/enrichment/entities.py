"""People and organisations: gazetteer organisations first, then names read from cues."""

from __future__ import annotations

from collections.abc import Sequence

from newsflow.article import Article
from newsflow.enrichment.arabic import find_arabic_names
from newsflow.enrichment.base import Annotation, Context, article_text
from newsflow.enrichment.names import NameMatch
from newsflow.enrichment.organisations import OrganisationName, organisation_index
from newsflow.enrichment.people import Found, find_names
from newsflow.enrichment.text import Token, arabic_variants, is_arabic, is_capitalised, tokenize

__all__ = ["EntitiesEnricher"]


class EntitiesEnricher:
    """People and organisations named in the article; no model, no download.

    ``organisation`` rows from the gazetteer carry the canonical name and a short label (UN,
    SANA); others are read from capitalised spans with an organisation word, label None.
    ``person`` rows carry the name as first written in full. Score: number of mentions.
    """

    name = "entities"
    version = 1

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        """Person and organisation annotations of one article."""
        text = article_text(article)
        tokens = tokenize(text)
        known = list(organisation_index().find(text, tokens, lambda m: _cased(m, tokens)))
        taken = {i for m in known for i in range(m.first, m.last + 1)}
        found = find_names(text, tokens, taken) + find_arabic_names(tokens, taken)
        found += _arabic_surnames(tokens, taken, found)
        rows = _Rows(text, tokens)
        for match in known:
            rows.organisation(match)
        for name in sorted(found, key=lambda f: (f.kind != "person", f.evidence == "surname")):
            rows.add(name)
        return rows.annotations()


def _cased(match: NameMatch[OrganisationName], tokens: Sequence[Token]) -> bool:
    """Acronyms only in capitals (UN, not "un"); other names capitalised in cased scripts."""
    words = tokens[match.first : match.last + 1]
    if is_arabic(words[0].text):
        return True
    if all(e.acronym for e in match.entries):
        return all(w.text.isupper() for w in words)
    return is_capitalised(words[0].text) or match.first != match.last


def _arabic_surnames(tokens: Sequence[Token], taken: set[int], found: list[Found]) -> list[Found]:
    """Arabic family names standing alone (وأضافت زاخاروفا), clitics removed."""
    surnames = {tokens[f.last].norm for f in found if f.kind == "person"}
    used = {i for f in found for i in range(f.first, f.last + 1)} | taken
    return [
        Found("person", i, i, "surname")
        for i, token in enumerate(tokens)
        if i not in used
        and is_arabic(token.text)
        and any(v in surnames for v in arabic_variants(token.norm))
    ]


class _Rows:
    """Mentions gathered into one row per (kind, value): first offsets, mention count."""

    def __init__(self, text: str, tokens: Sequence[Token]) -> None:
        self._text, self._tokens = text, tokens
        self._rows: dict[tuple[str, str], Annotation] = {}
        self._surnames: dict[str, str] = {}

    def organisation(self, match: NameMatch[OrganisationName]) -> None:
        """A gazetteer organisation."""
        organisation = match.entries[0].organisation
        start, end = self._tokens[match.first].start, self._tokens[match.last].end
        evidence = f"gazetteer:{self._text[start:end]}"
        self._count("organisation", organisation.name, organisation.label, start, end, evidence)

    def add(self, found: Found) -> None:
        """A name read from cues; a lone surname counts for the person it refers back to."""
        start, end = self._tokens[found.first].start, self._tokens[found.last].end
        value = " ".join(self._text[start:end].split())
        if found.first_word:
            value = found.first_word + value[len(self._tokens[found.first].text) :]
        last = self._tokens[found.last].norm
        if found.evidence == "surname":
            variants = arabic_variants(last) if is_arabic(value) else (last,)
            value = next((self._surnames[v] for v in variants if v in self._surnames), value)
        elif found.kind == "person":
            self._surnames.setdefault(last, value)
        self._count(found.kind, value, None, start, end, found.evidence)

    def _count(
        self, kind: str, value: str, label: str | None, start: int, end: int, evidence: str
    ) -> None:
        row = self._rows.get((kind, value))
        if row is None:
            self._rows[(kind, value)] = Annotation(kind, value, label, start, end, evidence, 1.0)
        else:
            self._rows[(kind, value)] = Annotation(
                kind, value, label, row.start, row.end, row.evidence, (row.score or 0) + 1
            )

    def annotations(self) -> list[Annotation]:
        """The rows, in order of first mention."""
        return sorted(self._rows.values(), key=lambda a: (a.start or 0, a.kind))
