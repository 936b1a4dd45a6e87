"""Russian names in the nominative: the dictionary forms of the names the NER finds.

Names decline in Russian, so each mention also gets its dictionary form. Natasha's way (its
morphology tagger over the whole text, then ``DocSpan.normalize``) costs more than the NER
itself and inflects every word of an organisation's name unless its syntax parser runs too.
Here pymorphy2 (a natasha dependency) reads the words: a person's names agree in gender,
number and case; an organisation or place is inflected up to its head noun, the adjectives
before it agreeing with it, the words after it kept (``Министерства иностранных дел`` →
``Министерство иностранных дел``); words its dictionary lacks (``Шольца``, ``Тусоне``) are
read from their endings. Only when the readings leave the nominative in doubt (``Маэхара``:
a genitive, or a nominative?) does Slovnet's morphology tagger read the case in context (in
``newsflow.enrichment.ner.russian``), and the option in that case is chosen. When no
reading fits all the words the name is kept as written.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Hint", "ambiguous", "choose", "morph", "options", "value"]

Hint = tuple[str | None, str | None]  # the case and gender the morphology tagger reads

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# pymorphy2's cases, and the variants it folds into them.
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_CASE_OF = {"gen1": "gent", "gen2": "gent", "acc2": "accs", "loc1": "loct", "loc2": "loct"}
# The dictionary readings a word of each kind of name is read in when it has them: a first
# name, surname or patronymic; a geographical name; an organisation's name.
_PREFERRED = {
    "person": frozenset({"Name", "Surn", "Patr"}),
    "place": frozenset({"Geox"}),
    "organisation": frozenset({"Orgn"}),
}
# How much a person's word's guessed readings count when the dictionary knows the word.
_GUESS_WEIGHT = 0.1
# Agreements this much less likely than the best are dropped.
_NEGLIGIBLE = 1e-3
# A name whose likeliest nominative has less than this share of its readings is read in
# context by the morphology tagger (Маэхара: a genitive, or a nominative?).
_SURE = 0.97


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way to read a word of a name: what it agrees in, and how to get its nominative."""

    score: float
    gender: str | None  # None agrees with any: plural adjectives, common gender (Шойгу)
    number: str | None
    case: str | None  # None: any case, the word does not decline
    parse: Any = None  # pymorphy2's reading, inflected if chosen
    nominative: str | None = None  # a guessed reading's nominative (lower case); None: as written

    def fits(self, gender: str, number: str, case: str) -> bool:
        """Whether the word can stand in that gender, number and case."""
        return (
            self.case in (None, case)
            and self.number in (None, number)
            and (number == "plur" or self.gender in (None, gender))
        )


# How an unknown word (a foreign or new surname, a small town) declines, from its ending:
# (pattern, readings) with readings (ending of the nominative, or None for the word as
# written; gender; case; prior). The first pattern that matches the whole word (lower case)
# is used; the priors favour the cases news uses most for men and towns (genitive, then
# accusative), and the agreement with the name's other words can overrule them.
_Guess = tuple[str | None, str | None, str | None, float]
_HARD = "бвгджзклмнпрстфхцчшщ"
_SOFT = "бвдзлмнпрстф"
_GUESSES: tuple[tuple[re.Pattern[str], tuple[_Guess, ...]], ...] = tuple(
    (re.compile(pattern), readings)
    for pattern, readings in (
        # Adjectival: Зеленского → Зеленский, Зеленской → Зеленская.
        (r"(.+[сц]к)(?:ий|ая)", ((None, None, "nomn", 1.0),)),
        (r"(.+[сц]к)ого", (("ий", "masc", "gent", 0.6), ("ий", "masc", "accs", 0.4))),
        (r"(.+[сц]к)ому", (("ий", "masc", "datv", 1.0),)),
        (r"(.+[сц]к)им", (("ий", "masc", "ablt", 1.0),)),
        (r"(.+[сц]к)ом", (("ий", "masc", "loct", 1.0),)),
        (r"(.+[сц]к)ую", (("ая", "femn", "accs", 1.0),)),
        (
            r"(.+[сц]к)ой",
            (
                ("ая", "femn", "gent", 0.4),
                ("ая", "femn", "datv", 0.15),
                ("ая", "femn", "ablt", 0.15),
                ("ая", "femn", "loct", 0.15),
                (None, "masc", "nomn", 0.15),
            ),
        ),
        # Possessive: Мирзиёева → Мирзиёев, Мирзиёевой → Мирзиёева.
        (r"(.+(?:ов|ев|ёв|ин|ын))", ((None, "masc", "nomn", 1.0),)),
        (
            r"(.+(?:ов|ев|ёв|ин|ын))а",
            (("", "masc", "gent", 0.45), ("", "masc", "accs", 0.2), (None, "femn", "nomn", 0.35)),
        ),
        (r"(.+(?:ов|ев|ёв|ин|ын))у", (("", "masc", "datv", 0.6), ("а", "femn", "accs", 0.4))),
        (r"(.+(?:ов|ев|ёв|ин|ын))ым", (("", "masc", "ablt", 1.0),)),
        (r"(.+(?:ов|ев|ёв|ин|ын))е", (("", "masc", "loct", 1.0),)),
        (
            r"(.+(?:ов|ев|ёв|ин|ын))ой",
            (
                ("а", "femn", "gent", 0.4),
                ("а", "femn", "datv", 0.2),
                ("а", "femn", "ablt", 0.2),
                ("а", "femn", "loct", 0.2),
            ),
        ),
        # -ия: Гагаузии → Гагаузия.
        (r"(.+)ия", ((None, None, "nomn", 1.0),)),
        (
            r"(.+)ии",
            (("ия", None, "gent", 0.5), ("ия", None, "loct", 0.3), ("ия", None, "datv", 0.2)),
        ),
        (r"(.+)ию", (("ия", None, "accs", 1.0),)),
        (r"(.+)ией", (("ия", None, "ablt", 1.0),)),
        # Soft stems: Борреля → Боррель.
        (
            rf"(.+[{_SOFT}])я",
            (("ь", "masc", "gent", 0.35), ("ь", "masc", "accs", 0.15), (None, None, "nomn", 0.5)),
        ),
        (rf"(.+[{_SOFT}])ю", (("ь", "masc", "datv", 0.6), ("я", None, "accs", 0.4))),
        (rf"(.+[{_SOFT}])ем", (("ь", "masc", "ablt", 0.7), (None, None, "nomn", 0.3))),
        # Hard stems: Шольца → Шольц, Шольцем → Шольц, Обамы → Обама.
        (r"(.+[жшчщц])ем", (("", "masc", "ablt", 1.0),)),
        (rf"(.+[{_HARD}])ом", (("", "masc", "ablt", 0.7), (None, None, "nomn", 0.3))),
        (rf"(.+[{_HARD}])", ((None, "masc", "nomn", 0.8), (None, "femn", None, 0.2))),
        (
            rf"(.+[{_HARD}])а",
            (("", "masc", "gent", 0.45), ("", "masc", "accs", 0.2), (None, None, "nomn", 0.35)),
        ),
        (rf"(.+[{_HARD}])у", (("", "masc", "datv", 0.6), ("а", None, "accs", 0.4))),
        (rf"(.+[{_HARD}])ы", (("а", None, "gent", 0.7), (None, None, None, 0.3))),
        (rf"(.+[{_HARD}])ой", (("а", None, "ablt", 0.6), (None, "masc", "nomn", 0.4))),
    )
)
# A hard stem's -е: for a place mostly a locative (в Тусоне → Тусон), for a person mostly a
# foreign name that does not decline (Хорхе, Саломе).
_LOCATIVE_E = re.compile(rf"(.+[{_HARD}])е")
_LOCATIVE_READINGS: dict[bool, tuple[_Guess, ...]] = {
    True: (
        ("", "masc", "loct", 0.25),
        ("а", None, "datv", 0.125),
        ("а", None, "loct", 0.125),
        (None, None, None, 0.5),
    ),
    False: (
        ("", "masc", "loct", 0.5),
        ("а", None, "datv", 0.1),
        ("а", None, "loct", 0.2),
        (None, None, None, 0.2),
    ),
}
# Anything else (vowel endings: Мелони, Кими, Нетаньяху) does not decline.
_INDECLINABLE: tuple[_Guess, ...] = ((None, None, None, 1.0),)


def value(piece: str, name: Sequence[tuple[int, int, str]], words: Sequence[str]) -> str:
    """The name's ``words`` joined with the text's spacing and punctuation between them."""
    parts = [words[0]]
    for previous, token, word in zip(name, name[1:], words[1:], strict=False):
        parts.append(piece[previous[1] : token[0]])
        parts.append(word)
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class _Option:
    """A name's tokens in the nominative, read in one gender and case, and how likely."""

    score: float
    gender: str  # "" in the plural
    case: str
    words: tuple[str, ...]


@functools.lru_cache(maxsize=1 << 12)
def options(kind: str, words: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[_Option, ...]]:
    """The tokens that decline, and the name in the nominative for each agreement, best first.

    Names repeat, hence the cache. No options: the name stays as written.
    """
    if kind == "person":
        targets = tuple(i for i, word in enumerate(words) if _is_name_word(word))
    else:
        targets = _head_phrase(words)
    if not targets:
        return (), ()
    candidates = [_readings(kind, words[i]) for i in targets]
    agreements = [
        (math.prod(reading.score for reading in choice), gender, case, choice)
        for gender, _, case, choice in _agreements(kind, candidates)
    ]
    if not agreements:
        return targets, ()
    floor = max(score for score, *_ in agreements) * _NEGLIGIBLE
    options = []
    forms: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per form: cached for long
    for score, gender, case, choice in agreements:
        if score < floor:
            continue
        out = list(words)
        for index, reading in zip(targets, choice, strict=True):
            out[index] = _inflected(words[index], reading)
        form = forms.setdefault(tuple(out), tuple(out))
        options.append(_Option(score, gender, case, form))
    options.sort(key=lambda option: -option.score)
    return targets, tuple(options)


def ambiguous(options: Sequence[_Option]) -> bool:
    """Whether more than one nominative is likely enough that context should decide."""
    total = sum(option.score for option in options)
    mass: dict[tuple[str, ...], float] = {}
    for option in options:
        mass[option.words] = mass.get(option.words, 0.0) + option.score
    return bool(mass) and max(mass.values()) < _SURE * total


def choose(options: Sequence[_Option], hint: Hint | None) -> tuple[str, ...] | None:
    """The likeliest option in the case and gender read in context, else the likeliest."""
    if not options:
        return None
    if hint is not None and hint[0] is not None:
        for option in options:
            if option.case == hint[0] and (not option.gender or hint[1] in (None, option.gender)):
                return option.words
    return options[0].words


def _is_name_word(word: str) -> bool:
    """A Russian word that can decline: capitalised, not an initial or an abbreviation."""
    return (
        len(word) > 1 and word[0].isupper() and not word.isupper() and bool(_CYRILLIC.match(word))
    )


def _head_phrase(words: Sequence[str]) -> tuple[int, ...]:
    """Indexes of an organisation's or place's head noun and the adjectives before it.

    What follows the head (a genitive, a quoted name) keeps its case. A leading quote or
    bracket is skipped; an abbreviation, or no noun before other punctuation, leaves the
    name as written.
    """
    phrase: list[int] = []
    for index, word in enumerate(words):
        if not _CYRILLIC.search(word):
            if phrase:
                return ()
            continue
        if word.isupper() and len(word) > 1:
            return ()
        phrase.append(index)
        if _parse(word)[0].tag.POS not in ("ADJF", "PRTF"):
            return tuple(phrase)
    return tuple(phrase) if len(phrase) == 1 else ()


def _agreements(
    kind: str, candidates: Sequence[Sequence[_Reading]]
) -> Iterator[tuple[str, str, str, list[_Reading]]]:
    """``(gender, number, case, a reading per word)`` for each agreement all words allow.

    Each word takes its likeliest reading in that agreement (pymorphy2's corpus frequencies,
    or the guesses' priors). A person's name is singular.
    """
    numbers = ("sing",) if kind == "person" else ("sing", "plur")
    for number in numbers:
        # In the plural the genders are alike: one agreement, gender "".
        for gender in ("masc", "femn", "neut") if number == "sing" else ("",):
            for case in _CASES:
                choice = []
                for readings in candidates:
                    fitting = [r for r in readings if r.fits(gender, number, case)]
                    if not fitting:
                        break
                    choice.append(max(fitting, key=lambda r: r.score))
                else:
                    yield gender, number, case, choice


def _readings(kind: str, word: str) -> list[_Reading]:
    """The ways to read one word of a name: the dictionary's, else guesses from its ending.

    A person's word is read as a first name, surname or patronymic (or, failing that, as a
    noun for a living being), a place's as a geographical name, an organisation's as one,
    when the dictionary has such a reading. The vocative is left out (rare in news).
    """
    if _known(word):
        parses = [
            p for p in _parse(word) if p.tag.POS in ("NOUN", "ADJF", "PRTF") and "voct" not in p.tag
        ]
        preferred = [p for p in parses if _PREFERRED[kind] & p.tag.grammemes]
        if kind == "person":
            parses = preferred or [p for p in parses if "anim" in p.tag]
        else:
            parses = preferred or parses
        if parses:
            known = [_parse_reading(p) for p in parses]
            if kind != "person":
                return known
            # A foreign first name can look like a Russian one (Илона: Илон's genitive).
            guessed = [replace(r, score=r.score * _GUESS_WEIGHT) for r in _guessed(kind, word)]
            return known + guessed
    return _guessed(kind, word)


@functools.cache
def morph() -> Any:
    """pymorphy2's analyser with its Russian dictionary (shipped in pymorphy2-dicts-ru)."""
    # pymorphy2 0.9 calls inspect.getargspec, gone in Python 3.11; natasha's grammar package
    # (yargy) patches it when imported, and natasha imports yargy.
    import natasha  # noqa: F401
    from pymorphy2 import MorphAnalyzer

    return MorphAnalyzer()


@functools.lru_cache(maxsize=1 << 13)
def _parse(word: str) -> tuple[Any, ...]:
    """pymorphy2's readings of a word, likeliest first (its dictionary is slow in Python)."""
    return tuple(morph().parse(word))


@functools.lru_cache(maxsize=1 << 13)
def _known(word: str) -> bool:
    """Whether pymorphy2's dictionary has the word (else its readings are guesses)."""
    return bool(morph().word_is_known(word.lower()))


def _parse_reading(parse: Any) -> _Reading:
    """A pymorphy2 reading as a ``_Reading``."""
    grammemes = parse.tag.grammemes
    gender = next((g for g in ("masc", "femn", "neut") if g in grammemes), None)
    case = next((_CASE_OF.get(g, g) for g in grammemes if _CASE_OF.get(g, g) in _CASES), None)
    number = "plur" if "plur" in grammemes else "sing" if "sing" in grammemes else None
    return _Reading(parse.score, gender, number, case, parse=parse)


def _guessed(kind: str, word: str) -> list[_Reading]:
    """Readings of a word the dictionary does not know, from its ending (``_GUESSES``)."""
    lower = word.lower()
    if len(lower) < 4:
        return _guess_readings(lower, _INDECLINABLE)
    for pattern, guesses in _GUESSES:
        if found := pattern.fullmatch(lower):
            return _guess_readings(found.group(1), guesses)
    if found := _LOCATIVE_E.fullmatch(lower):
        return _guess_readings(found.group(1), _LOCATIVE_READINGS[kind == "person"])
    return _guess_readings(lower, _INDECLINABLE)


def _guess_readings(stem: str, guesses: Sequence[_Guess]) -> list[_Reading]:
    """``_Reading`` of each guess: the stem plus the nominative's ending, or as written."""
    number = None if all(case is None for _, _, case, _ in guesses) else "sing"
    return [
        _Reading(score, gender, number, case, nominative=None if ending is None else stem + ending)
        for ending, gender, case, score in guesses
    ]


def _inflected(word: str, reading: _Reading) -> str:
    """``word`` in the nominative of its reading, with the text's capitals and е for ё."""
    if reading.nominative is not None:
        normal = reading.nominative
    elif reading.parse is None or reading.case in ("nomn", None) or "Fixd" in reading.parse.tag:
        return word
    else:
        form = reading.parse.inflect({"nomn"})
        if form is None:
            return word
        normal = form.word
    if "ё" not in word.lower():
        normal = normal.replace("ё", "е")
    return _recase(normal, word)


def _recase(normal: str, written: str) -> str:
    """``normal`` with the capitals ``written`` has, letter by letter in each hyphened part.

    ``Санкт-Петербурге`` → ``Санкт-Петербург``, ``МакКейна`` → ``МакКейн``.
    """
    parts, originals = normal.split("-"), written.split("-")
    if len(parts) != len(originals):
        return normal.capitalize() if written[:1].isupper() else normal
    return "-".join(
        "".join(
            letter.upper() if index < len(original) and original[index].isupper() else letter
            for index, letter in enumerate(part)
        )
        for part, original in zip(parts, originals, strict=True)
    )
