"""Cross-script name keys: Песков, Peskov and بيسكوف meet at one value, ``bskf``.

A person or organisation name gets a key that does not depend on the script it was written in,
stored beside the surface form (``enrichments.key``), so a query by name finds the stories of
all three languages. The key is built word by word:

1. Letters are folded (case, Latin accents, Arabic diacritics and hamza seats, ё).
2. Words that transliterations disagree on are dropped or joined: the Arabic article
   (``al-``, ``el-``, ``ash-``, ``аль-``, ``ال``), ``bin``/``ibn`` inside a name, a Russian
   patronymic inside a name; ``Abd`` compounds (``Abdel Aziz``, ``Abdulaziz``, ``عبد العزيز``)
   and ``… Allah`` / ``… al-Din`` compounds become one word.
3. Each word is transliterated to a consonant skeleton over merged classes that absorb the
   usual transliteration variants: p/b (Arabic has no p), v/f/w, k/q/hard c, s/z/ts/ц, sh/ch/щ,
   h/kh/х/ح/خ, j/zh/dzh/ج, t/th/ط/ث. Vowels are dropped (Arabic writes short ones not at all),
   ``y`` always and ``w`` where it stands for a vowel; doubled consonants merge (Arabic does not
   write them) and a final ``h`` goes (Russian drops it: Abdullah, Абдулла). A word that starts
   with a vowel keeps a leading ``a``, so ``Ali`` and ``Li`` stay apart.
4. Russian instrumental and adjective endings that end in a consonant are folded (Песковым,
   Жириновского); other case endings are vowels and vanish with them (Пескова, Захаровой), so
   a query in any case finds the nominative values the Russian enrichment stores. Arabic
   clitics (و، ب، ل) are not removed: they cannot be told from a name's first letter.
5. ``data/name_aliases.tsv`` and the organisation gazetteer (``data/organisations.tsv``)
   override the skeleton where it fails or collides: acronyms and translations (UN, ООН,
   الأمم المتحدة), names transliterated by pronunciation (Guterres, Гутерриш) or through another
   language (Xi Jinping, Си Цзиньпин).

Words stay apart in the key, the last first, as a catalogue lists "Peskov, Dmitry": Dmitry
Peskov is ``bskf dmtr``. A query by surname alone ("Peskov", "Песков", "بيسكوف") is then a key's
first word, a range of the index on (kind, key), not a scan of every name (db/names.py). The key
depends on this code: a change that alters keys must come with a migration that recomputes the
stored ones, as migration 0013 fills them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from newsflow.enrichment.resources import data_lines

__all__ = ["KEY_KINDS", "MAX_KEY_LENGTH", "name_key"]

KEY_KINDS = ("person", "organisation")
MAX_KEY_LENGTH = 200  # enrichments.key is String(200)
ALIASES = "name_aliases.tsv"

# --- letters -------------------------------------------------------------------------------

# Apostrophes and half rings stand for ع / ء in Latin transliterations: kept, as a vowel.
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘`´ʿʾʼ′", "'"))
# Latin letters spelt differently in transliteration than their base letter, and letters NFKD
# does not decompose. Turkish ç ş, Czech and Polish č š ž ć are the sounds of ч and ш.
_LATIN_SPECIAL = str.maketrans(
    {
        "ç": "ch",
        "ş": "sh",
        "ș": "sh",
        "š": "sh",
        "č": "ch",
        "ć": "ch",
        "ž": "zh",
        "ż": "zh",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
    }
)
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_COMBINING = re.compile(r"[\u0300-\u036f]")
# A word: letters and digits, with apostrophes inside (Da'esh, Ma'loula).
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_HYPHENS = frozenset("-‐‑‒–—")

# Latin digraphs first (an alternation takes its first matching branch, not the longest).
# Symbols: consonant classes b d f g h j k l m n r s t x, "w" (a consonant or a vowel, decided
# by what follows), "y" (a glide, dropped), "a" (any vowel, dropped).
_LATIN_RULES = (
    ("shch", "x"),
    ("tsch", "x"),
    ("dzh", "j"),
    ("sch", "x"),
    ("tch", "x"),
    ("ch(?=[rl])", "k"),  # Christopher, Chloe: a hard k, not ч
    ("ohn", "an"),  # John, Johnson: a silent h (Джон, جون)
    ("kh", "h"),
    ("zh", "j"),
    ("sh", "x"),
    ("ch", "x"),
    ("th", "t"),
    ("dh", "d"),
    ("gh", "g"),
    ("ph", "f"),
    ("ts", "s"),
    ("tz", "s"),
    ("ck", "k"),
    ("dj", "j"),
    ("x", "ks"),
    ("c(?=[eiy])", "s"),
    ("c", "k"),
    ("q", "k"),
    ("p", "b"),
    ("v", "f"),
    ("z", "s"),
    ("[aeiou']", "a"),
    ("[bdfghjklmnrstwy]", None),  # the letter is its own symbol
)
_LATIN = re.compile("|".join(f"({pattern})" for pattern, _ in _LATIN_RULES))

_CYRILLIC = {
    **dict.fromkeys("аеиоуыэюяіїєё", "a"),
    "б": "b",
    "в": "f",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "ж": "j",
    "з": "s",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "п": "b",
    "р": "r",
    "с": "s",
    "т": "t",
    "ф": "f",
    "х": "h",
    "ц": "s",
    "ч": "x",
    "ш": "x",
    "щ": "x",
    "ъ": "",
    "ь": "",
}
_CYRILLIC_VOWELS = frozenset("аеиоуыэюяіїєё")

_ARABIC = {
    **dict.fromkeys("اأإآٱءؤئعى", "a"),
    **dict.fromkeys("يی", "y"),
    "و": "w",
    "ب": "b",
    "پ": "b",
    "ت": "t",
    "ث": "t",
    "ط": "t",
    "ج": "j",
    "ژ": "j",
    "ح": "h",
    "خ": "h",
    "ه": "h",
    "ة": "h",
    "ۀ": "h",
    "د": "d",
    "ذ": "d",
    "ض": "d",
    "ر": "r",
    "ز": "s",
    "س": "s",
    "ص": "s",
    "ظ": "s",
    "ش": "x",
    "چ": "x",
    "غ": "g",
    "گ": "g",
    "ڨ": "g",
    "ف": "f",
    "ڤ": "f",
    "ق": "k",
    "ك": "k",
    "ک": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
# Adjacent symbols one sound in another script: Ципрас / تسيبراس, Вячеслав / فياتشيسلاف.
_CLUSTERS = (("ts", "s"), ("tx", "x"))

# --- words ---------------------------------------------------------------------------------

# The Arabic article standing alone; sun-letter forms only when hyphenated (ash-Sharaa), since
# "as", "an", "at" are words of their own elsewhere.
_ARTICLES = frozenset({"al", "el", "аль", "эль", "ال", "آل"})
_HYPHENATED_ARTICLES = frozenset(
    {
        *("ad", "an", "ar", "as", "ash", "at", "az", "ath", "adh", "ed", "en", "er", "es", "esh"),
        *("et", "ez", "ud", "ul", "un", "ur", "us", "ush", "ut", "uz"),
        *("ад", "ан", "ар", "ас", "аш", "ат", "аз", "эд", "эн", "эр", "эс", "эш", "эт"),
        *("уд", "уль", "ун", "ур", "ус", "уш", "ут"),
    }
)
# "son of" inside a name: Mohammed bin Salman, Мухаммед бен Сальман, محمد بن سلمان.
_PARTICLES = frozenset(
    {"bin", "ibn", "ben", "bint", "бин", "ибн", "бен", "бинт", "بن", "ابن", "بنت"}
)
# Abd ("servant of") spelt as a word of its own, the article often glued to it.
_ABD_WORDS = frozenset(
    {"abd", "abdul", "abdel", "abdal", "abdol", "abdil"}
    | {"абд", "абдул", "абдуль", "абдель", "абдаль", "абдэль", "абдол"}
    | {"عبد"}
)
# Abu ("father of") with the article glued: Aboul Gheit, Абуль-Гейт (أبو الغيط).
_ABU_WORDS = {"abul": "abu", "aboul": "abou", "abol": "abo", "абуль": "абу", "абул": "абу"}
_ABD_GLUED = re.compile(r"(abd|абд)(?:ul|el|al|ol|il|уль|ул|ель|эль|аль|ал|ол)?(.{2,})")
_ARABIC_ABD_GLUED = re.compile(r"(عبد)(?:ال)?(.{2,})")
# The second half of a compound, written apart after an article: Nour al-Din, Нур ад-Дин.
_DIN_WORDS = frozenset({"din", "deen", "дин"})
# Regnal numbers, dropped after a name (Abdullah II, عبد الله الثاني).
_ORDINALS = frozenset(
    {"ii", "iii", "iv", "vi", "vii", "viii", "ix"}
    | {"الأول", "الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس"}
)
# Russian patronymics: dropped inside a name (Владимир Владимирович Путин).
_PATRONYMIC = re.compile(
    r".{3,}(?:(?:ович|евич|ьич)(?:а|у|ем|е)?|(?:овн|евн|ичн)(?:а|ы|е|у|ой)"
    r"|ovich|evich|yevich|ovna|evna|ichna)"
)
# Russian endings that end in a consonant (the others are vowels the key drops anyway):
# instrumental of -ов/-ин surnames, adjective surnames, first names in -ий/-ей.
_RUSSIAN_ENDINGS = (
    (re.compile(r"(.{2,}(?:ов|ев|ин|ын))ым"), r"\1"),
    (re.compile(r"(.{2,}[сц]к)(?:ого|ому|им|ом)"), r"\1ий"),
    (re.compile(r"(.{2,}[ие])ем"), r"\1"),
)
_INSTRUMENTAL_ENDINGS = (
    re.compile(r".{2,}(?:ов|ев|ин|ын)ым"),
    re.compile(r".{2,}[сц]ким"),
    re.compile(r".{2,}[ие]ем"),
)
# A first name's instrumental -ом, folded only beside one of those (Ахмедом аш-Шараа is not).
_RUSSIAN_INSTRUMENTAL = re.compile(r"(.{3,}[бвгджзклмнпрстфхцчшщ])ом")


@dataclass(frozen=True, slots=True)
class _Word:
    """A folded word of a name, and whether a hyphen joins it to the next."""

    text: str
    hyphen: bool


@lru_cache(maxsize=65_536)
def name_key(value: str, kind: str) -> str | None:
    """The cross-script key of a person or organisation name; None for other kinds or no letters.

    ``name_key("Dmitry Peskov", "person") == name_key("Дмитрий Песков", "person")
    == name_key("ديمتري بيسكوف", "person") == "bskf dmtr"`` (words last first, so a surname
    begins it). Cached: it runs on every stored person and organisation row and on every query
    by name.
    """
    if kind not in KEY_KINDS or not any(c.isalpha() for c in value):
        return None
    words = _words(value)
    if not words:
        return None
    aliases = _aliases()
    found = aliases.spelt.get((kind, _spelling(words)))
    if found is not None:
        return found
    key = _skeleton_key(words)
    # Multi-word spellings of an alias also match by skeleton, so their inflected forms do.
    return aliases.skeletal.get((kind, key), key) if " " in key else key


def _words(value: str) -> list[_Word]:
    """The folded words of a name, each marked when a hyphen joins it to the next."""
    text = _fold(value)
    return [_Word(m.group(), text[m.end() : m.end() + 1] in _HYPHENS) for m in _WORD.finditer(text)]


def _fold(value: str) -> str:
    """Case, Latin accents, Arabic marks and ё folded; apostrophes unified."""
    text = unicodedata.normalize("NFKC", value).casefold().translate(_APOSTROPHES)
    # Stray combining marks (casefolded İ leaves one) would split a word.
    text = _COMBINING.sub("", _ARABIC_MARKS.sub("", text)).replace("ё", "е")
    return "".join(_fold_latin(c) if _is_accented_latin(c) else c for c in text)


def _is_accented_latin(letter: str) -> bool:
    """Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional (Ḥasan, Ṣāliḥ)."""
    return "\u00c0" <= letter <= "\u024f" or "\u1e00" <= letter <= "\u1eff"


@cache
def _fold_latin(letter: str) -> str:
    special = letter.translate(_LATIN_SPECIAL)
    if special != letter:
        return special
    return _COMBINING.sub("", unicodedata.normalize("NFD", letter))


def _spelling(words: Sequence[_Word]) -> str:
    """How aliases are looked up: folded words, single-spaced (al-Assad = al Assad)."""
    return " ".join(w.text for w in words)


def _skeleton_key(words: Sequence[_Word]) -> str:
    """The key from the skeletons of a name's words, last first, cut to MAX_KEY_LENGTH at a
    word (the first words of a long name go)."""
    skeletons = [_skeleton(parts) for parts in _parts(words)]
    key = " ".join(filter(None, reversed(skeletons)))
    if len(key) > MAX_KEY_LENGTH:
        key = key[: MAX_KEY_LENGTH + 1].rsplit(" ", 1)[0][:MAX_KEY_LENGTH]
    return key


def _parts(words: Sequence[_Word]) -> list[list[str]]:
    """The key's words, each as the folded pieces it is made of (compounds have several).

    Pieces are transliterated apart, so joining them makes no digraph (Abd + Hamid ≠ "dh").
    """
    out: list[list[str]] = []
    after_article = joins_abd = False
    last = len(words) - 1
    instrumental = any(_instrumental(word.text) for word in words)
    for position, word in enumerate(words):
        text = _fold_russian(word.text, instrumental)
        if _is_article(word) and position < last:
            after_article = True
            continue
        if position > 0 and text in _ORDINALS:
            continue
        text, had_article = _without_arabic_article(text)
        if out and (joins_abd or _second_half(text, had_article or after_article)):
            out[-1].append(text)
        elif out and 0 < position < last and (text in _PARTICLES or _PATRONYMIC.fullmatch(text)):
            pass
        else:
            out.append(_split_abd(text))
        joins_abd = text in _ABD_WORDS and position < last
        after_article = False
    return out


def _is_article(word: _Word) -> bool:
    return word.text in _ARTICLES or (word.hyphen and word.text in _HYPHENATED_ARTICLES)


def _without_arabic_article(text: str) -> tuple[str, bool]:
    """An Arabic word without its article ال, and whether it had one.

    Three letters must be left (الأسد → أسد), except in الله, the second half of Abdullah,
    Nasrallah and Hezbollah.
    """
    if text.startswith("ال") and (len(text) >= 5 or text == "الله"):
        return text[2:], True
    return text, False


def _second_half(text: str, after_article: bool) -> bool:
    """Whether a word after an article ends a compound: … Allah, … al-Din (one word when
    transliterated: Nasrallah, Nureddin)."""
    return after_article and (text in _DIN_WORDS or text in ("له", "دين"))


def _split_abd(text: str) -> list[str]:
    """A glued Abd compound as Abd and the rest (Abdulaziz, Абдулла, عبدالله); Abdel, Abdul
    standing alone as Abd, their article dropped as the Arabic script's is."""
    if text in _ABD_WORDS:
        return [text[:3]]
    if text in _ABU_WORDS:
        return [_ABU_WORDS[text]]
    match = _ABD_GLUED.fullmatch(text) or _ARABIC_ABD_GLUED.fullmatch(text)
    if match is None or (len(text) < 6 and not _is_arabic(text)):
        return [text]
    abd, rest = match.groups()
    return [abd, rest.lstrip("aeiouаеиоуэ")]


def _fold_russian(text: str, instrumental: bool = False) -> str:
    """A Cyrillic word with its consonant case ending folded (Песковым → Песков).

    ``instrumental``: another word of the name is surely in the instrumental case, so a
    first name's -ом is its ending too (Владимиром Путиным); alone it may be part of the name.
    """
    if not _is_cyrillic(text):
        return text
    for pattern, replacement in _RUSSIAN_ENDINGS:
        match = pattern.fullmatch(text)
        if match:
            return match.expand(replacement)
    match = _RUSSIAN_INSTRUMENTAL.fullmatch(text) if instrumental else None
    return match.group(1) if match else text


def _instrumental(text: str) -> bool:
    """Whether a word can only be an instrumental form (Песковым, Жириновским, Дмитрием)."""
    return _is_cyrillic(text) and any(p.fullmatch(text) for p in _INSTRUMENTAL_ENDINGS)


def _is_cyrillic(text: str) -> bool:
    return "\u0400" <= text[0] <= "\u04ff"


def _is_arabic(text: str) -> bool:
    return "\u0600" <= text[0] <= "\u06ff"


def _skeleton(parts: Sequence[str]) -> str:
    """A word's consonant skeleton: an ``a`` when it starts with a vowel, then its classes."""
    symbols = "".join(_symbols(part) for part in parts)
    for cluster, merged in _CLUSTERS:
        symbols = symbols.replace(cluster, merged)
    if not symbols:
        return ""
    consonants: list[str] = []
    for position, symbol in enumerate(symbols):
        if symbol == "w":  # a consonant first or before a vowel (Walid, Marwan), else a vowel
            follows = symbols[position + 1 : position + 2]
            symbol = "f" if position == 0 or follows == "a" else ""
        elif symbol in "ay":
            continue
        # Doubled consonants merge (Arabic writes one); digits are kept as written.
        if symbol and (not consonants or consonants[-1] != symbol or symbol.isdigit()):
            consonants.append(symbol)
    if len(consonants) > 1 and consonants[-1] == "h":
        consonants.pop()
    initial = "a" if symbols[0] in "ay" else ""
    return initial + "".join(consonants) or "a"


@lru_cache(maxsize=16_384)
def _symbols(text: str) -> str:
    """A folded word as skeleton symbols, script by script."""
    if _is_arabic(text):
        return "".join(_ARABIC.get(c, _other(c)) for c in text)
    if _is_cyrillic(text):
        return _cyrillic_symbols(text)
    return "".join(_latin_symbols(text))


def _latin_symbols(text: str) -> Iterator[str]:
    text = text.removesuffix("'s")  # Peskov's
    position = 0
    for match in _LATIN.finditer(text):
        yield from (_other(c) for c in text[position : match.start()])
        symbol = _LATIN_RULES[match.lastindex - 1][1] if match.lastindex else None
        yield match.group() if symbol is None else symbol
        position = match.end()
    yield from (_other(c) for c in text[position:])


def _cyrillic_symbols(text: str) -> str:
    # An initial у before a vowel is an English w (Уильям, Уоллес), as و is in Arabic.
    head = "w" if text[0] == "у" and text[1:2] in _CYRILLIC_VOWELS else ""
    body = text[1:] if head else text
    return head + "".join(_CYRILLIC.get(c, _other(c)) for c in body.replace("дж", "j"))


def _other(character: str) -> str:
    """A character no table covers: a digit as itself, another script's letter as itself."""
    if character == "j":  # дж, replaced before the Cyrillic table is read
        return "j"
    if character.isdigit():
        return str(unicodedata.digit(character, character))
    return character if character.isalnum() else ""


# --- aliases -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Aliases:
    """Keys by (kind, folded spelling), and by (kind, skeleton) of multi-word spellings."""

    spelt: dict[tuple[str, str], str]
    skeletal: dict[tuple[str, str], str]


@cache
def _aliases() -> _Aliases:
    """The alias table, then the gazetteer's organisation names (the table wins a conflict)."""
    spelt: dict[tuple[str, str], str] = {}
    skeletal: dict[tuple[str, str], str] = {}
    for kind, canonical, spellings in alias_lines():
        key = _skeleton_key(_words(canonical))
        for spelling in (canonical, *spellings):
            words = _words(spelling)
            spelt.setdefault((kind, _spelling(words)), key)
            skeleton = _skeleton_key(words)
            if " " in skeleton and skeleton != key:
                skeletal.setdefault((kind, skeleton), key)
    return _Aliases(spelt, skeletal)


def alias_lines() -> Iterator[tuple[str, str, list[str]]]:
    """(kind, canonical name, other spellings) of ``data/name_aliases.tsv``, then of the
    organisation gazetteer, whose canonical names are what the entities enricher stores."""
    for kind, canonical, *spellings in data_lines(ALIASES):
        yield kind, canonical, [s for s in spellings if s.strip()]
    for canonical, _label, _category, _agency, names in data_lines("organisations.tsv"):
        yield "organisation", canonical, names.split("|")
