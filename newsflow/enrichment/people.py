"""People and organisations in cased scripts (Latin, Cyrillic), from capitalised spans and cues.

A span is a run of capitalised words (name particles such as ``al-`` or ``bin`` allowed
inside). A span holding a title (``Foreign Minister Sergey Lavrov``) names a person after the
title; one holding an organisation word (``Ministry``, ``Forces``) is an organisation; any
other span of two to four words is a person when a cue says so: a title just before it
(``spokesman Dmitry Peskov``), a verb of saying after it (``Hamidreza Kazemzadeh told``), or an
apposition (``Wang Zhiming, a deputy director``). A lone surname later in the text refers back
to the person already named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsflow.enrichment.cues import cue_words, head_forms, name_vetoes, stopwords
from newsflow.enrichment.gazetteer import place_index
from newsflow.enrichment.text import Token, is_arabic, is_capitalised

__all__ = ["Found", "find_names"]

_SPACE = re.compile(r"[ \t\u00a0]+|[ \t\u00a0]*-[ \t\u00a0]*|")
_COMMA = re.compile(r"[ \t\u00a0]*,[ \t\u00a0]*")
_SENTENCE_END = (".", "!", "?", "\n", ":", "—", "–", '"', "“", "”", "«", "»")
_MAX_NAME = 4
_MAX_PARTICLES = 2  # in a row inside a name: von der Leyen, de la Fuente
_CUE_WINDOW = 3
_MAX_ORGANISATION = 9
_MAX_GENITIVES = 2
_CYRILLIC_CAPITALS = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
# Genitive endings of nouns and adjectives (транспорта, финансов, иностранных, дел).
_GENITIVE = re.compile(r"(?:[^л]а|я|ов|ев|ей|ий|ии|ы|ых|их|ого|его|ой|^дел)$")


@dataclass(frozen=True, slots=True)
class Found:
    """A name found: kind (person, organisation), tokens first..last inclusive, evidence."""

    kind: str
    first: int
    last: int
    evidence: str
    first_word: str | None = None  # replaces the first word's inflected form in the value


def find_names(text: str, tokens: Sequence[Token], taken: set[int]) -> list[Found]:
    """People and organisations in capitalised spans; ``taken`` tokens are already named."""
    found: list[Found] = []
    for first, last in _spans(text, tokens, taken):
        found.extend(_classify(text, tokens, first, last))
    return found + _surnames(tokens, taken, found)


def _spans(text: str, tokens: Sequence[Token], taken: set[int]) -> list[tuple[int, int]]:
    """Maximal runs of capitalised words, a sentence's opening word trimmed when it is common."""
    spans, position = [], 0
    while position < len(tokens):
        if not _starts_name(tokens, position, taken):
            position += 1
            continue
        end = position
        while _continues(text, tokens, end, taken):
            end += 1
        first, last = position, _trim_particles(tokens, position, end)
        # The scan goes on past the whole run (end >= position), so it always advances.
        position = end + 1
        if last < first:  # a run of particles alone (Monroe, La.) names nobody
            continue
        if _opens_sentence(text, tokens, first) and _common_opener(tokens[first]) and first < last:
            first += 1
        if not (_opens_sentence(text, tokens, first) and _common_opener(tokens[first])):
            spans.append((first, last))
    return spans


def _trim_particles(tokens: Sequence[Token], first: int, last: int) -> int:
    """The run's last word once trailing particles are dropped; ``first - 1`` if all are."""
    # Bounded by the run's start: "Monroe, La." is a run of one particle, not of "Monroe".
    while last >= first and tokens[last].norm in cue_words("particle"):
        last -= 1
    return last


def _starts_name(tokens: Sequence[Token], position: int, taken: set[int]) -> bool:
    word = tokens[position].text
    return position not in taken and is_capitalised(word) and not is_arabic(word)


def _continues(text: str, tokens: Sequence[Token], last: int, taken: set[int]) -> bool:
    following = last + 1
    if following >= len(tokens) or following in taken:
        return False
    if _SPACE.fullmatch(text, tokens[last].end, tokens[following].start) is None:
        return False
    return is_capitalised(tokens[following].text) or _particles_lead_on(
        text, tokens, following, taken
    )


def _particles_lead_on(text: str, tokens: Sequence[Token], position: int, taken: set[int]) -> bool:
    """Whether particles from ``position`` lead on to a capitalised word in the same name."""
    # A particle inside a name needs a capitalised word after it (al-Assad, von der Leyen).
    # The look-ahead is bounded, so a run of particles costs linear time, not quadratic.
    for at in range(position, min(position + _MAX_PARTICLES, len(tokens) - 1)):
        following = at + 1
        if tokens[at].norm not in cue_words("particle") or following in taken:
            return False
        if _SPACE.fullmatch(text, tokens[at].end, tokens[following].start) is None:
            return False
        if is_capitalised(tokens[following].text):
            return True
    return False


def _opens_sentence(text: str, tokens: Sequence[Token], position: int) -> bool:
    if position == 0:
        return True
    gap = text[tokens[position - 1].end : tokens[position].start]
    return "\n" in gap or gap.strip(" \t(\"“«'").endswith(_SENTENCE_END)


def _common_opener(token: Token) -> bool:
    return token.norm in cue_words("opener") or token.norm in stopwords()


def _classify(text: str, tokens: Sequence[Token], first: int, last: int) -> list[Found]:
    roles = [i for i in range(first, last) if tokens[i].norm in cue_words("role")]
    heads = [i for i in range(first, last + 1) if tokens[i].norm in cue_words("head")]
    # A title names a person after it, unless an organisation word closes the span
    # (General Directorate, Secretary-General's Office).
    if roles and not (heads and heads[-1] > roles[-1]):
        return _titled(tokens, first, last, roles[-1])
    if heads:
        end = _organisation_end(text, tokens, last)
        if tokens[last].text[0] not in _CYRILLIC_CAPITALS:
            return [Found("organisation", first, end, "head")]
        nominative = head_forms().get(tokens[first].norm)
        return [Found("organisation", first, _genitive_end(text, tokens, end), "head", nominative)]
    if _is_name(tokens, first, last):
        cue = _cue(text, tokens, first, last)
        if cue:
            return [Found("person", first, last, cue)]
    return []


def _titled(tokens: Sequence[Token], first: int, last: int, role: int) -> list[Found]:
    """A span with a title: the person after it, and an organisation before it if one is named."""
    found = []
    if _is_name(tokens, role + 1, last):
        found.append(Found("person", role + 1, last, f"title:{tokens[role].text}"))
    heads = [i for i in range(first, role) if tokens[i].norm in cue_words("head")]
    if heads:
        found.append(Found("organisation", first, heads[-1], "head"))
    return found


def _organisation_end(text: str, tokens: Sequence[Token], last: int) -> int:
    """Extend an organisation past ``of``/``for`` and the capitalised words that follow."""
    end, position = last, last + 1
    while position < len(tokens) and position - last <= _MAX_ORGANISATION:
        if _SPACE.fullmatch(text, tokens[position - 1].end, tokens[position].start) is None:
            break
        word = tokens[position]
        if is_capitalised(word.text):
            end = position
        elif word.norm not in cue_words("connector") or end != position - 1:
            break
        position += 1
    return end


def _genitive_end(text: str, tokens: Sequence[Token], last: int) -> int:
    """Russian organisation words take lower-case genitives: Министерство транспорта."""
    end = last
    while end + 1 < len(tokens) and end - last < _MAX_GENITIVES:
        word = tokens[end + 1].text
        if not _SPACE.fullmatch(text, tokens[end].end, tokens[end + 1].start):
            break
        if is_capitalised(word) or not _GENITIVE.search(word):
            break
        end += 1
    return end


def _is_name(tokens: Sequence[Token], first: int, last: int) -> bool:
    """Two to four words that are no title, organisation word, place or common word."""
    words = [t for t in tokens[first : last + 1] if t.norm not in cue_words("particle")]
    if not 2 <= len(words) <= _MAX_NAME:
        return False
    vetoed = name_vetoes()
    if any(w.norm in vetoed or len(w.text) < 2 or w.text.isupper() for w in words):
        return False
    return not any(_is_place_word(w.text) for w in words)


def _is_place_word(word: str) -> bool:
    entries = place_index().get(word)
    return any(e.place.kind == "country" or e.place.population > 1_000_000 for e in entries)


def _cue(text: str, tokens: Sequence[Token], first: int, last: int) -> str | None:
    """The cue that makes a name a person's: a title before, a verb of saying or title after."""
    for position in range(first - 1, max(first - 1 - _CUE_WINDOW, -1), -1):
        word = tokens[position]
        if _SPACE.fullmatch(text, word.end, tokens[position + 1].start) is None:
            break
        if word.norm in cue_words("role"):
            return f"title:{word.text}"
        if is_capitalised(word.text) and position != first - 1:
            break
    after = last + 1
    if after < len(tokens):
        gap = text[tokens[last].end : tokens[after].start]
        if tokens[after].norm in cue_words("speech") and _SPACE.fullmatch(gap):
            return f"speech:{tokens[after].text}"
        if _COMMA.fullmatch(gap) and _role_follows(tokens, after):
            return "apposition"
    return None


def _role_follows(tokens: Sequence[Token], position: int) -> bool:
    window = tokens[position : position + _CUE_WINDOW + 1]
    return any(t.norm in cue_words("role") for t in window)


def _surnames(tokens: Sequence[Token], taken: set[int], found: list[Found]) -> list[Found]:
    """Lone surnames that refer back to a person named in full."""
    surnames = {tokens[f.last].norm for f in found if f.kind == "person"}
    used = {i for f in found for i in range(f.first, f.last + 1)} | taken
    return [
        Found("person", i, i, "surname")
        for i, token in enumerate(tokens)
        if i not in used and token.norm in surnames and is_capitalised(token.text)
    ]
