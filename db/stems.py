"""Stemmed words for search, alike on SQLite and PostgreSQL (migration 0014, issue 21).

An article's title, body and authors are cut into words, and each word is folded and stemmed
in the article's language (``articles.language``): пожаров and пожары are both ``пожар``,
الغارات and غارة both ``غار``, Kremlin'e ``kreml``. The stems are written to the search index
by the store when it saves an article (``index_article``) and by migration 0014 for the
articles stored before (``stem_rows``); a query is folded and stemmed the same way in each
language it may be in (``stem_word``), so an inflected query finds every inflection.

- Words are runs of letters, digits and combining marks; a Han, kana or Hangul character is a
  word of its own (those scripts put no spaces between words). Apostrophes and hyphens part
  words (Iran's is ``iran`` ``s``, al-Nusra ``al`` ``nusra``); in Turkish the suffixes after
  an apostrophe are left out (Kremlin'e is ``kreml``).
- Folding: NFKC (ligatures, Arabic presentation forms), Arabic vowel marks and tatweel dropped,
  Arabic-Indic digits as ASCII, lower case (Turkish I/İ as ı/i in Turkish), and after stemming
  the accents of Latin, Greek and Cyrillic letters (é, ü, ş, й, ё): Turkiye finds Türkiye.
- Stemmers: Snowball's (PyStemmer, C) for Russian, Persian, Turkish, English, French, Spanish,
  German and the other languages it has (``SNOWBALL``); for Arabic the light stemmer Light10
  (Larkey, Ballesteros and Connell, 2007; as Lucene's ArabicStemmer and Elasticsearch's
  ``arabic`` analyzer), after Lucene's Arabic normalisation (أ إ آ → ا, ى → ي, ة → ه). Persian
  text is first normalised to Persian letters (ي → ی, ك → ک, ة and ۀ → ه). Languages without
  a stemmer (Chinese, Korean, undeclared) keep their folded words.

SQLite keeps the stems as text in the FTS5 table ``articles_stems`` (rowid = article id,
columns title, body, authors); PostgreSQL as a ``tsvector`` in ``articles_stems.vector``
(title weight A, body B, authors C and marked ``@``) written here position by position, so
neither database's own parser splits a stem the other keeps whole. Rows written by SQL
outside the store hold the article's words unstemmed (triggers, migration 0014) until the
store saves the article's text again: searchable word for word, as before.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from typing import Any

import Stemmer
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

__all__ = [
    "AGENCY_LANGUAGES",
    "AUTHOR",
    "INDEXED_BODY_CHARS",
    "SNOWBALL",
    "accented_word",
    "index_article",
    "language_key",
    "prepare",
    "quoted",
    "stem_word",
    "stems",
    "word_pattern",
    "words",
    "words_of",
    "write_stems",
]

# ISO 639-1 → PyStemmer's Snowball algorithm. Arabic has its own light stemmer (below).
SNOWBALL = {
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
STEMMED = frozenset(SNOWBALL) | {"ar"}
# The languages the agencies publish in: a query is stemmed in each (and in its sources').
AGENCY_LANGUAGES = ("ru", "ar", "fa", "tr", "en", "fr", "es", "de")
# As migration 0008 indexes bodies: a tsvector holds at most 1 MB of lexemes.
INDEXED_BODY_CHARS = 200_000
# Longer "words" are base64, URLs run together or junk; PostgreSQL refuses lexemes over 2 KB.
MAX_WORD_CHARS = 100
# What an author's word begins with on PostgreSQL, where the fields share one tsvector.
AUTHOR = "@"
# PostgreSQL's last position: later words share it (so phrases there are approximate).
_LAST_POSITION = 16_383

# Kana, CJK ideographs (and extension A, compatibility), Hangul syllables: a word a character.
_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
)
_CJK = "".join(f"{chr(low)}-{chr(high)}" for low, high in _CJK_RANGES)
_ZW = "\u200c\u200d"  # zero-width (non-)joiners: inside Persian words, dropped from stems
# Arabic vowel marks (harakat), superscript alef and tatweel: written or not, the same word.
_ARABIC_MARKS = dict.fromkeys([*range(0x064B, 0x0660), 0x0670, 0x0640])
_DIGITS = {0x0660 + d: str(d) for d in range(10)} | {0x06F0 + d: str(d) for d in range(10)}
_PREPARE = str.maketrans(_ARABIC_MARKS | _DIGITS)
_PREPARED = re.compile("[\u0640\u064b-\u065f\u0660-\u0669\u0670\u06f0-\u06f9]")
_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})
_PERSIAN = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه"}
)
_TURKISH = str.maketrans({"I": "ı", "İ": "i"})
_LANGUAGE_CODE = re.compile(r"[A-Za-z]+")
_APOSTROPHES = "'’"
# Languages whose words after an apostrophe are suffixes of the word before it.
CLITICS = frozenset(("tr", "az"))

# Suffixes a Persian writer sets apart with a zero-width non-joiner.
_FA_SUFFIXES = frozenset(
    ("ای", "ی", "ها", "های", "هایی", "هایش", "تر", "ترین", "ام", "ات", "اش", "مان", "تان", "شان")
)
# Light10's prefixes, tried in this order (one is taken), and suffixes (each taken in turn).
_AR_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def language_key(language: str | None) -> str | None:
    """The ISO 639-1 code a declared language is stemmed by ('ru' for 'ru-RU'), or None."""
    if not language:
        return None
    found = _LANGUAGE_CODE.match(language)
    code = found.group().lower() if found else None
    return code if code in STEMMED else None


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Words of plain text, where a word's characters are letters and digits; the odd
    characters that need more (combining marks, joiners, Han, kana, Hangul, _); and words in
    general: one Han, kana or Hangul character, or a run of letters, digits and marks.

    Classes are spelt as ranges of code points, which ``re`` tests in one lookup (a class
    with ``\\w`` and ranges tests every range in turn).
    """
    bmp = "".join(chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF)
    letters = {ord(c) for c in re.findall(r"[^\W_]", bmp)}
    marks = {c for c in range(0x0300, 0x10000) if unicodedata.category(chr(c))[0] == "M"}
    cjk = {c for low, high in _CJK_RANGES for c in range(low, high + 1)}
    joiners = {ord(c) for c in _ZW}
    word = _ranges((letters | marks | joiners) - cjk)
    odd = _ranges(marks | joiners | cjk | {ord("_")})
    return (
        re.compile(r"[^\W_]+"),
        re.compile(f"[{odd}]"),
        # Letters beyond the BMP (rare: old scripts, mathematical letters) by \w.
        re.compile(f"[{_CJK}]|(?:[{word}]|[^\\W_\x00-\uffff])+"),
    )


def _ranges(points: set[int]) -> str:
    spans: list[list[int]] = []
    for c in sorted(points):
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    return "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in spans)


def prepare(text: str) -> str:
    """Compatibility forms folded, Arabic vowel marks and tatweel dropped, digits as ASCII."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_PREPARE) if _PREPARED.search(text) else text


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of ``text`` (prepared or not), as matches with their place in it."""
    return word_pattern(text).finditer(text)


def words_of(text: str) -> list[str]:
    """The words of ``text`` (prepared or not)."""
    return word_pattern(text).findall(text)


def word_pattern(text: str) -> re.Pattern[str]:
    """The pattern that finds the words of ``text``: the plain one unless it needs more."""
    plain, odd, general = _patterns()
    return general if odd.search(text) else plain


def stems(text: str, language: str | None) -> list[str]:
    """The stems of a text's words in order, stemmed in ``language`` (a code, or None).

    Turkish sets a proper noun's suffixes apart with an apostrophe (Kremlin'in, Peskov'un):
    they are left out, so the name is a word of its own.
    """
    code = language_key(language)
    text = prepare(text)
    if code in CLITICS:
        found = [m.group() for m in words(text) if not after_apostrophe(text, m)]
    else:
        found = words_of(text)
    return [s for s in (_stem(code, w) for w in found) if s]


def after_apostrophe(text: str, word: re.Match[str]) -> bool:
    """Whether a word follows another's apostrophe directly (the suffix of Kremlin'in)."""
    at = word.start()
    return at >= 2 and text[at - 1] in _APOSTROPHES and text[at - 2].isalnum()


def stem_word(word: str, language: str | None) -> str:
    """A query word's stem in a language, as the index holds it ('' for too long a word).

    With ``language`` None (or without a stemmer) the word is folded only, as rows that
    triggers wrote unstemmed hold it on SQLite.
    """
    return _stem(language_key(language), word)


def accented_word(word: str) -> str:
    """A query word folded but with its accents, as PostgreSQL's ``simple`` parser keeps them
    in the rows its trigger writes unstemmed."""
    if len(word) > MAX_WORD_CHARS:
        return ""
    return "".join(c for c in word.lower() if c not in _ZW)


@lru_cache(maxsize=200_000)
def _stem(code: str | None, word: str) -> str:
    """One word's stem in a language (None: folded only); '' for no word or too long a one."""
    if len(word) > MAX_WORD_CHARS:
        return ""
    word = word.translate(_TURKISH).lower() if code == "tr" else word.lower()
    if code == "ar":
        word = _arabic_light10(word.translate(_ARABIC))
    elif code is not None:
        if code == "fa":
            word = _persian_light(word.translate(_PERSIAN))
        stemmer = _stemmer(SNOWBALL[code])
        stemmed = stemmer.stemWord(word)
        if code == "ru":
            stemmed = _russian_possessive(stemmed)
        elif code == "tr" and word[len(stemmed) : len(stemmed) + 3] in ("lar", "ler"):
            # Snowball takes a plural's -lAr and stops, a bare noun loses more (yangınlar
            # yangın, yangın yangı): stemmed again, the plural meets its singular.
            stemmed = stemmer.stemWord(stemmed)
        word = stemmed
    return _fold(word)


def _russian_possessive(stem: str) -> str:
    """Snowball reads the -ов/-ев of a bare surname or town as a plural ending (Песков
    песк, Киев ки) but keeps it in the other cases (Пескова песков): taken off there too."""
    if len(stem) >= 4 and stem.endswith(("ов", "ев")):
        return stem[:-2]
    return stem


def _fold(word: str) -> str:
    """Accents of Latin, Greek and Cyrillic letters and zero-width joiners dropped."""
    if word.isascii():
        return word
    if any(c in _ZW for c in word):
        word = "".join(c for c in word if c not in _ZW)
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    return unicodedata.normalize("NFC", bare)


def _persian_light(word: str) -> str:
    """Persian endings Snowball leaves or splits unevenly, taken off before it: a suffix
    after a zero-width non-joiner (زلزله‌ای, خانه‌ها), and the ezafe or adjective -ی
    (متروی تهران, ایرانی), so مترو and ایران meet their forms."""
    head, joiner, tail = word.partition("\u200c")
    if joiner and head and tail in _FA_SUFFIXES:
        return head
    if word.endswith("ی") and len(word) >= 4:
        return word[:-1]
    return word


def _arabic_light10(word: str) -> str:
    """Light10 on a normalised word: one article or conjunction off, then suffixes in turn."""
    for prefix in _AR_PREFIXES:
        # و needs three letters left, the others two.
        if word.startswith(prefix) and len(word) >= len(prefix) + (3 if len(prefix) == 1 else 2):
            word = word[len(prefix) :]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[: -len(suffix)]
    return word


_LOCAL = threading.local()  # a PyStemmer stemmer is not to be shared between threads


def _stemmer(algorithm: str) -> Any:
    stemmers: dict[str, Any] = _LOCAL.__dict__.setdefault("stemmers", {})
    if algorithm not in stemmers:
        stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return stemmers[algorithm]


# --- writing the index ---------------------------------------------------------------------


def index_article(
    session: Session,
    article_id: int,
    language: str | None,
    title: str,
    body: str,
    authors: Sequence[str],
) -> None:
    """Write an article's stems to the search index, replacing what was there."""
    write_stems(session.connection(), [stem_row(article_id, language, title, body, authors)])


def stem_row(
    article_id: int, language: str | None, title: str, body: str, authors: Sequence[str]
) -> dict[str, Any]:
    """An article's stems by field, as ``write_stems`` takes them."""
    return {
        "id": article_id,
        "title": stems(title or "", language),
        "body": stems((body or "")[:INDEXED_BODY_CHARS], language),
        "authors": stems("\n".join(authors or ()), language),
    }


def write_stems(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Replace the index rows of these articles (``stem_row``s) in one executemany."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "INSERT INTO articles_stems (article_id, vector) "
                "VALUES (:id, CAST(:vector AS tsvector)) "
                "ON CONFLICT (article_id) DO UPDATE SET vector = excluded.vector"
            ),
            [{"id": row["id"], "vector": tsvector(row)} for row in rows],
        )
        return
    connection.execute(
        text(
            "INSERT OR REPLACE INTO articles_stems (rowid, title, body, authors) "
            "VALUES (:id, :title, :body, :authors)"
        ),
        [{key: _joined(value) for key, value in row.items()} for row in rows],
    )


def _joined(value: Any) -> Any:
    return " ".join(value) if isinstance(value, list) else value


def tsvector(row: dict[str, Any]) -> str:
    """A tsvector literal of a row's stems: title A, body B, authors C and marked (``@``:
    a plain word never matches an author, with no weight to check), apart by a position (a
    phrase does not run from one field into the next)."""
    positions: dict[str, list[str]] = {}
    at = 0
    for field, weight, mark in (("title", "A", ""), ("body", "B", ""), ("authors", "C", AUTHOR)):
        for stem in row[field]:
            at += 1
            positions.setdefault(mark + stem, []).append(f"{min(at, _LAST_POSITION)}{weight}")
        at += 1
    return " ".join(
        f"'{quoted(stem)}':{','.join(places[:256])}" for stem, places in positions.items()
    )


def quoted(lexeme: str) -> str:
    """A lexeme as tsquery and tsvector text quote it (between single quotes)."""
    return lexeme.replace("\\", "\\\\").replace("'", "''")
