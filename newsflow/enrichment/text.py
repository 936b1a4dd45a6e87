"""Tokens with offsets, and the folding that lets a gazetteer name match its inflected forms.

Latin script is case- and accent-folded; Russian is folded and lightly stemmed (Москва,
Москвы, Москве → москв) on both sides, so declined names meet their dictionary form; Arabic
letters are unified (أ إ آ → ا, ة → ه, ى → ي, diacritics dropped) and a token also yields the
forms without its clitics (و ف, ب ل ك, ال).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Token",
    "arabic_variants",
    "fold",
    "fold_name",
    "is_arabic",
    "is_capitalised",
    "tokenize",
    "without_possessive",
]

# Letters and digits, Arabic diacritics and tatweel inside a word, inner apostrophes. Runs of
# one class at a time (not one character per alternation) keep the regex engine in its loops.
_TOKEN = re.compile(r"(?:[^\W_]+|[\u064B-\u065F\u0670\u0640]+)++(?:['’][^\W_]+)*+")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640]")
# Latin letters NFKD does not decompose.
_LATIN_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe"})
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
# Noun and adjective endings; the shortest stem of three letters or more is kept, which is
# the same as stripping the longest ending that leaves one.
_RUSSIAN_ENDING = re.compile(
    r"(.{3,}?)(?:иями|ями|ами|ией|ого|его|ому|ему|ыми|ими|ых|их|ую|юю|ья|ье|ью|ей|ой|ий|ый"
    r"|ая|яя|ое|ее|ие|ые|ом|ем|ам|ям|ах|ях|ию|ия|ии|а|я|ы|и|у|ю|е|о|ь|й)",
    re.DOTALL,
)
# Clitics that attach to the front of an Arabic word: conjunction, then preposition.
_CONJUNCTIONS = ("و", "ف")
_PREPOSITIONS = ("ب", "ل", "ك")


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, four
# times the cost, and an article has hundreds of tokens. Nothing changes a token once made.
@dataclass(slots=True)
class Token:
    """A word of the text: its surface form, offsets and folded form."""

    text: str
    start: int
    end: int
    norm: str


@lru_cache(maxsize=8)
def tokenize(text: str) -> tuple[Token, ...]:
    """The words of ``text`` with their offsets and folded forms.

    Cached for the last few texts: the enrichers of one article all read the same text.
    """
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        tokens.append(Token(word, match.start(), match.end(), fold(word)))
    return tuple(tokens)


def is_arabic(word: str) -> bool:
    """Whether a word is written in Arabic script (Arabic, Persian, Urdu)."""
    return bool(word) and "\u0600" <= word[0] <= "\u06ff"


def _is_cyrillic(word: str) -> bool:
    return bool(word) and "\u0400" <= word[0] <= "\u04ff"


def is_capitalised(word: str) -> bool:
    """Whether a word starts with a capital (scripts without case never are)."""
    return bool(word) and word[0].isupper()


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """The form a word is looked up by: case, accents and inflection folded."""
    return _fold(word)


def _fold(word: str) -> str:
    if is_arabic(word):
        return _ARABIC_MARKS.sub("", word).translate(_ARABIC_LETTERS)
    folded = word.casefold().replace("’", "'")
    if _is_cyrillic(word):
        return _stem_russian(folded.replace("ё", "е"))
    if folded.isascii():
        return folded
    return _COMBINING.sub("", unicodedata.normalize("NFKD", folded)).translate(_LATIN_LETTERS)


def fold_name(name: str) -> str:
    """A multi-word name folded token by token, joined by single spaces (the lookup key)."""
    if name.isascii():  # the common case, kept to C-speed calls: gazetteers hold 10^5 names
        return " ".join(_ASCII_TOKEN.findall(name.casefold()))
    return " ".join(_fold(m.group()) for m in _TOKEN.finditer(name))


def _stem_russian(word: str) -> str:
    match = _RUSSIAN_ENDING.fullmatch(word)
    return match.group(1) if match else word


@lru_cache(maxsize=100_000)
def arabic_variants(norm: str) -> tuple[str, ...]:
    """A folded Arabic word and its forms without leading clitics (والولايات → الولايات …)."""
    found = [norm]
    for conj in ("", *_CONJUNCTIONS):
        if conj and not norm.startswith(conj):
            continue
        rest = norm[len(conj) :]
        # لل is ل + ال with the alif dropped (للرياض = ل + الرياض).
        if rest.startswith("لل") and len(rest) > 4:
            found.append("ال" + rest[2:])
        for prep in ("", *_PREPOSITIONS):
            if prep and not rest.startswith(prep):
                continue
            stem = rest[len(prep) :]
            found.append(stem)
            if stem.startswith("ال"):
                found.append(stem[2:])
    # The word itself always counts; a stripped form only if a word of three letters is left.
    return tuple(dict.fromkeys([norm, *(v for v in found if len(v) >= 3)]))


def without_possessive(word: str) -> str:
    """A word or name without its possessive ending (Putin's → Putin)."""
    if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
        return word[:-2]
    return word
