"""What the CRF sees of each word: its form, its shape, the word lists it is on, its neighbours.

A word's own features depend on the word alone and are cached; what depends on the text (the
punctuation around it, a sentence start, whether the word is written capitalised or in lower
case elsewhere in the same article) is added per token. Training and tagging share this code,
so the model sees at run time exactly what it learnt from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any

from newsflow.enrichment.cues import cue_words, stopwords
from newsflow.enrichment.gazetteer import place_index
from newsflow.enrichment.names import NameIndex
from newsflow.enrichment.organisations import organisation_index
from newsflow.enrichment.text import Token, fold, without_possessive

__all__ = ["Seen", "sentences", "sequence_features"]

_SENTENCE_END = re.compile(r"[.!?…][\"'”»)]*\s+$|\n")
# Words a full stop follows without ending the sentence (initials are caught by their length).
_ABBREVIATED = (
    "mr mrs ms dr st mt ft gen col lt sgt capt maj adm gov sen rep rev prof jr"
    " sr inc corp co ltd bros no vs jan feb mar apr jun jul aug sep sept oct nov dec"
)
_ABBREVIATIONS = frozenset(_ABBREVIATED.split())
_CUES = ("role", "head", "speech", "particle", "opener", "connector", "place_noun")
_BIG_CITY = 1_000_000
_CONTEXT = (-2, -1, 1, 2)  # the neighbours a token sees, by offset
# A chunk longer than this is cut: tagging memory and time stay linear in the article.
_MAX_SENTENCE = 120


def sentences(text: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token ranges [first, last) of the text's sentences (a line break or end punctuation)."""
    ranges, first = [], 0
    for i in range(1, len(tokens)):
        if _ends_sentence(text, tokens, i) or i - first >= _MAX_SENTENCE:
            ranges.append((first, i))
            first = i
    if tokens:
        ranges.append((first, len(tokens)))
    return ranges


def sequence_features(
    text: str, tokens: Sequence[Token], first: int, last: int, seen: Seen
) -> list[list[str]]:
    """Features of tokens[first:last], one sentence."""
    words = tokens[first:last]
    written = [w.text for w in words]
    shouting = all(not w.isalpha() or w.isupper() for w in written) and len(words) > 2
    gaps = [_gap(text[a.end : b.start]) for a, b in pairwise(words)]
    before = ["BOS", *("gap-:" + gap for gap in gaps)]
    after = [*("gap+:" + gap for gap in gaps), "EOS"]
    # A word's features at each offset from its neighbours, one cached lookup a word.
    around = [_around(word) for word in written]
    features = []
    for i, token in enumerate(words):
        own = [*_word(written[i]), before[i], after[i]]
        if shouting:
            own.append("shouting")
        own.extend(seen.features(token))
        for at, offset in enumerate(_CONTEXT):
            if 0 <= i + offset < len(words):
                own.extend(around[i + offset][at])
        features.append(own)
    _add_gazetteer_spans(text, words, features)
    return features


def _ends_sentence(text: str, tokens: Sequence[Token], i: int) -> bool:
    """Whether a sentence ends between tokens i-1 and i (not after M. or St. or in U.S.)."""
    gap = text[tokens[i - 1].end : tokens[i].start]
    if gap == " " or not gap or not _SENTENCE_END.search(gap):  # most gaps are one space
        return False
    if "\n" in gap:
        return True
    previous = tokens[i - 1].text
    if gap[0] == "." and (len(previous) == 1 or previous.casefold() in _ABBREVIATIONS):
        return False
    return not tokens[i].text[:1].islower()


def _capitalised_inside(text: str, tokens: Sequence[Token], i: int) -> bool:
    """Capitalised (not all capitals) where no sentence starts: a sign of a name."""
    word = tokens[i].text
    capitalised = word[:1].isupper() and not word.isupper()
    return capitalised and i > 0 and not _ends_sentence(text, tokens, i)


class Seen:
    """How the article writes each word elsewhere: capitalised mid-sentence, or in lower case."""

    def __init__(self, text: str, tokens: Sequence[Token]) -> None:
        self.capitalised: set[str] = set()
        self.lower: set[str] = set()
        for i, token in enumerate(tokens):
            word = token.text
            if word.islower():
                self.lower.add(token.norm)
            elif _capitalised_inside(text, tokens, i):
                self.capitalised.add(token.norm)

    def features(self, token: Token) -> tuple[str, ...]:
        found: tuple[str, ...] = ()
        if token.norm in self.capitalised:
            found += ("seen:capitalised",)
        if token.norm in self.lower:
            found += ("seen:lower",)
        return found


@lru_cache(maxsize=100_000)
def _word(written: str) -> tuple[str, ...]:
    word = without_possessive(written)
    lower = word.casefold()
    features = [
        "bias",
        "w:" + lower,
        "shape:" + _shape(word),
        "short:" + _short_shape(word),
        "p2:" + lower[:2],
        "p3:" + lower[:3],
        "s2:" + lower[-2:],
        "s3:" + lower[-3:],
        "s4:" + lower[-4:],
        "len:" + str(min(len(word), 12)),
    ]
    if word != written:
        features.append("possessive")
    features.extend(_lists(word))
    return tuple(features)


@lru_cache(maxsize=100_000)
def _around(written: str) -> tuple[tuple[str, ...], ...]:
    """What a word gives the words two before, one before, one after and two after it."""
    return tuple(_context(written, offset) for offset in _CONTEXT)


def _context(written: str, offset: int) -> tuple[str, ...]:
    word = without_possessive(written)
    lower = word.casefold()
    at = f"{offset:+d}"
    features = [f"{at}w:{lower}", f"{at}short:{_short_shape(word)}"]
    if abs(offset) == 1:
        features.append(f"{at}s3:{lower[-3:]}")
        features.extend(f"{at}{name}" for name in _lists(word))
    return tuple(features)


@lru_cache(maxsize=100_000)
def _lists(word: str) -> tuple[str, ...]:
    """The word lists a word is on: cue words, stopwords, gazetteer places and organisations."""
    norm = fold(word)
    found = [f"cue:{kind}" for kind in _CUES if norm in cue_words(kind)]
    if norm in stopwords():
        found.append("stop")
    for entry in place_index().get(word)[:3]:
        place = entry.place
        size = "big" if place.population >= _BIG_CITY else "small"
        found.append(f"place:{place.kind}:{entry.via}")
        if place.kind == "city":
            found.append(f"city:{size}")
    if organisation_index().get(word):
        found.append("org:word")
    return tuple(dict.fromkeys(found))


@cache
def _multiword_names() -> tuple[tuple[str, NameIndex[Any]], ...]:
    """The gazetteers' names of two words or more (single words are features of the word)."""
    several = lambda key, _: " " in key  # noqa: E731
    return (
        ("place", place_index().subset(several)),
        ("org", organisation_index().subset(several)),
    )


def _add_gazetteer_spans(text: str, words: Sequence[Token], features: list[list[str]]) -> None:
    """Mark words inside multi-word gazetteer names (New York, Security Council)."""
    for kind, index in _multiword_names():
        for match in index.find(text, words):
            for i in range(match.first, match.last + 1):
                features[i].append(f"in:{kind}:{'B' if i == match.first else 'I'}")


def _gap(gap: str) -> str:
    if gap == " ":  # most gaps: spared the strip
        return "sp"
    stripped = gap.strip()
    if not stripped:
        return "nl" if "\n" in gap else "sp"
    return stripped[:2]


def _shape(word: str) -> str:
    shape = []
    for char in word[:8]:
        if char.isupper():
            shape.append("X")
        elif char.islower():
            shape.append("x")
        elif char.isdigit():
            shape.append("d")
        else:
            shape.append(char)
    return "".join(shape)


def _short_shape(word: str) -> str:
    if word.isupper():
        return "X" if len(word) > 1 else "X1"
    if word[:1].isupper():
        return "Xx"
    if word.islower():
        return "x"
    if word.isdigit():
        return "d"
    return "mixed"
