"""The search query language, parsed once and spelt as FTS5 MATCH text and as a tsquery.

Words are ANDed; ``OR`` between two words or phrases takes either (it binds tighter than the
AND: ``Kremlin Aleppo OR Idlib`` is Kremlin and either city); ``"a phrase"`` takes its words
in a row; ``Kreml*`` takes words beginning so; ``-word`` or ``-"a phrase"`` leaves out the
articles that have it. Fields: ``title:word`` (or a phrase) matches the title only,
``author:name`` the authors; ``person:``, ``place:`` and ``lang:`` keep the articles naming a
person, about a place (a name or an ISO country code) or in a language (an ISO 639 code), the
same field given twice takes either value, and ``-`` before one leaves those articles out.

Every word is folded and stemmed as the index is (db/stems.py), in each of ``languages``, and
each form is quoted: nothing in the query text is FTS5 or tsquery syntax of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsflow.db import stems

MAX_QUERY_WORDS = 64  # as typed, between spaces
MAX_WORDS = 256  # as searched: a Han, kana or Hangul character is a word
FIELDS = ("title", "author", "person", "place", "lang")
_TEXT_FIELDS = {"title": "title", "author": "authors"}
_TOKEN = re.compile(r'-?(?:[A-Za-z]+:)?(?:"[^"]*"?|[^\s"]+)')
_FIELD = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Undecodable bytes of a command line reach a query as lone surrogates, which no driver can
# encode: they are searched as U+FFFD, the character they stand for on a page.
_SURROGATE = re.compile("[\ud800-\udfff]")
MIN_PREFIX = 2
# FTS5 column filters and tsquery weights of the indexed fields (db/stems.py).
# On PostgreSQL a title is weight A and an author's word is marked (stems.AUTHOR): a word of
# a title or body needs no weight, which a GIN index could not check without the row.
_COLUMNS = {"text": "{title body}", "title": "{title}", "authors": "{authors}"}
_WEIGHTS = {"text": "", "title": "A", "authors": ""}


class SearchQueryError(ValueError):
    """The search text is malformed or has nothing to search for."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase to match: its words as typed (prepared), which end in ``*``, which
    follow an apostrophe (Peskov'un: a Turkish suffix), and the field searched."""

    words: tuple[str, ...]
    prefix: tuple[bool, ...]
    clitic: tuple[bool, ...]
    field: str = "text"  # text (title and body) | title | authors

    def forms(self, languages: Iterable[str | None]) -> list[Form]:
        """The index forms of the term: one word sequence per language it may be in, each
        word with whether it is a prefix.

        A phrase is stemmed word by word in one language at a time (its words share one); a
        prefix is its stem's beginning, so a word that begins it still matches once stemmed.
        """
        typed = list(zip(self.words, self.prefix, self.clitic, strict=True))
        found: set[Form] = set()
        for language in [*languages, None]:
            code = stems.language_key(language)
            found.add(
                tuple(
                    (stems.stem_word(word, code), starred)
                    for word, starred, suffix in typed
                    if not (suffix and code in stems.CLITICS)
                )
            )
        found.add(tuple(zip(map(stems.accented_word, self.words), self.prefix, strict=True)))
        usable = {
            form
            for form in found
            if all(word for word, _ in form)
            and all(len(word) >= MIN_PREFIX for word, starred in form if starred)
        }
        if len(self.words) == 1 and self.prefix[0]:  # "kreml" covers "kremlin"
            usable = {
                f for f in usable if not any(g != f and f[0][0].startswith(g[0][0]) for g in usable)
            }
        return sorted(usable)


Form = tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: an AND of OR-groups of terms, exclusions, filters by field."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    excluded_filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def terms(self) -> list[Term]:
        """The terms an article must match, of every group."""
        return [term for group in self.groups for term in group]

    def fts5(self, languages: Iterable[str | None]) -> str:
        """The query as an FTS5 MATCH expression over ``articles_stems``."""
        languages = list(languages)
        positive = " AND ".join(
            _either([_fts5_term(term, languages) for term in group]) for group in self.groups
        )
        if not self.excluded:
            return positive
        negative = _either([_fts5_term(term, languages) for term in self.excluded])
        return f"({positive}) NOT {negative}"

    def tsquery(self, languages: Iterable[str | None]) -> str:
        """The query as tsquery text over ``articles_stems.vector``."""
        languages = list(languages)
        parts = [_any([_tsquery_term(term, languages) for term in group]) for group in self.groups]
        if self.excluded:
            parts.append("!" + _any([_tsquery_term(term, languages) for term in self.excluded]))
        return " & ".join(parts)


def check_length(query: str) -> None:
    """Refuse a query of more than ``MAX_QUERY_WORDS`` words: each word is matched as an OR of
    its forms in every language a query is stemmed in, and no one searches with a paragraph
    (PostgreSQL's ts_headline, which made snippets before the stems index, took 24 s to mark
    1,500 words in a page of them)."""
    words = len(_TOKEN.findall(query))
    if words > MAX_QUERY_WORDS:
        raise SearchQueryError(
            f"the query has {words} words; search with at most {MAX_QUERY_WORDS}"
        )


def parse(query: str) -> Query:
    """Parse web-search syntax with fields; SearchQueryError when it is malformed or empty."""
    check_length(query)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    filters: dict[str, list[str]] = {}
    excluded_filters: dict[str, list[str]] = {}
    joined = after_term = False  # an OR waits for the next term; the last token was a term
    for token in _TOKEN.findall(_SURROGATE.sub("\ufffd", query)):
        if token.upper() == "OR":
            joined = after_term and bool(groups)
            continue
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        name, value = _field(body)
        if name in ("person", "place", "lang"):
            (excluded_filters if negated else filters).setdefault(name, []).append(
                _filter_value(name, value)
            )
            joined = after_term = False
            continue
        term = _term(value, _TEXT_FIELDS.get(name or "", "text"))
        if term is None:
            joined = after_term = False
            continue
        if negated:
            excluded.append(term)
            joined = after_term = False
        elif joined:
            groups[-1].append(term)
            joined, after_term = False, True
        else:
            groups.append([term])
            after_term = True
    if not groups:
        if filters or excluded_filters:
            raise SearchQueryError(
                "search for at least one word: person:, place: and lang: only narrow a search"
            )
        raise SearchQueryError("search for at least one word (not only excluded ones)")
    words = sum(len(term.words) for term in (*(t for g in groups for t in g), *excluded))
    if words > MAX_WORDS:  # a long run of Chinese is a word a character
        raise SearchQueryError(f"the query has {words} words; search with at most {MAX_WORDS}")
    return Query(
        tuple(tuple(group) for group in groups),
        tuple(excluded),
        {name: tuple(values) for name, values in filters.items()},
        {name: tuple(values) for name, values in excluded_filters.items()},
    )


def _field(body: str) -> tuple[str | None, str]:
    found = _FIELD.fullmatch(body)
    if found is None or found.group(1).lower() not in FIELDS:
        return None, body  # "10:30", "Re:": words
    name, value = found.group(1).lower(), found.group(2)
    if not value.strip('"').strip():
        raise SearchQueryError(f"{name}: needs a value after it, as in {name}:{_EXAMPLES[name]}")
    return name, value


_EXAMPLES = {
    "title": "Kremlin",
    "author": "Sabbagh",
    "person": "Peskov",
    "place": "Aleppo",
    "lang": "ru",
}


def _filter_value(name: str, value: str) -> str:
    value = " ".join(value.strip('"').split())
    if name == "lang":
        value = value.lower()
        if not _LANGUAGE.fullmatch(value):
            raise SearchQueryError(
                f"lang: takes a language code (ISO 639-1, such as ru or ar), not {value!r}"
            )
    elif not any(c.isalnum() for c in value):
        raise SearchQueryError(f"{name}: needs a name with letters, not {value!r}")
    return value


def _term(value: str, where: str) -> Term | None:
    """A word or phrase term; None when the text holds no word (punctuation, "")."""
    text = stems.prepare(value[1:].rstrip('"') if value.startswith('"') else value)
    found = list(stems.words(text))
    if not found:
        return None
    prefix = tuple(text[m.end() : m.end() + 1] == "*" for m in found)
    for word, starred in zip(found, prefix, strict=True):
        if starred and len(word.group()) < MIN_PREFIX:
            raise SearchQueryError(
                f"a prefix needs at least {MIN_PREFIX} letters before its *: {word.group()}*"
            )
    clitic = tuple(stems.after_apostrophe(text, m) for m in found)
    return Term(tuple(m.group() for m in found), prefix, clitic, where)


def _either(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _any(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _fts5_term(term: Term, languages: list[str | None]) -> str:
    phrases = [
        " + ".join(
            '"' + word.replace('"', '""') + '"' + (" *" if starred else "")
            for word, starred in form
        )
        for form in _forms(term, languages)
    ]
    return f"({_COLUMNS[term.field]} : ({' OR '.join(phrases)}))"


def _tsquery_term(term: Term, languages: list[str | None]) -> str:
    weight = _WEIGHTS[term.field]
    mark = stems.AUTHOR if term.field == "authors" else ""
    phrases = [
        " <-> ".join(
            _lexeme(mark + word, ("*" if starred else "") + weight) for word, starred in form
        )
        for form in _forms(term, languages)
    ]
    return "(" + " | ".join(f"({phrase})" for phrase in phrases) + ")"


def _lexeme(word: str, options: str) -> str:
    return f"'{stems.quoted(word)}'" + (f":{options}" if options else "")


def _forms(term: Term, languages: list[str | None]) -> list[Form]:
    forms = term.forms(languages)
    if not forms:  # every word too long to be indexed
        raise SearchQueryError(
            f"no word of {' '.join(term.words)[:40]!r} can be searched for: "
            f"words of more than {stems.MAX_WORD_CHARS} characters are not indexed"
        )
    return forms
