"""Stories: articles of several sources about one event, found by the names their leads share.

Two agencies rarely word an event alike, but they name the same people, places and bodies
("Peskov", "Kremlin", "Aleppo", "Belgian"). An article's *salient terms* are those names from
its title and lead (capitalised words other than function words and frequent openers, crudely
stemmed by a six-letter prefix so "Peskov's"/"Peskov" and "Пескова"/"Песков" meet); scripts
without capitals (Arabic, Persian, CJK) fall back to the lead's longer words. The terms are
stored as keys bucketed by language and UTC day, so a lookup reads only the articles of a
±48 h window in that language, however long the history grows. Two articles join one story
when enough of their terms meet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np

from newsflow.dedup.lsh import stable_key
from newsflow.dedup.normalise import fold, split_paragraphs, strip_dateline
from newsflow.dedup.shingles import mix64

__all__ = [
    "COMMON_TERM",
    "STORY_BAND0",
    "STORY_METHOD",
    "STORY_TERMS",
    "STORY_WINDOW",
    "day_keys",
    "is_story",
    "lookup_keys",
    "salient_terms",
    "story_score",
]

STORY_METHOD = "text"  # same-language names in title and lead; later methods add their own
STORY_WINDOW = timedelta(hours=48)
STORY_TERMS = 12  # at most this many terms per article: title first, then lead
STORY_BAND0 = 100  # story term slots follow the near-duplicate bands in article_bands
# Two articles are one story when they share at least MIN_SHARED terms and MIN_SCORE of all
# their terms (Jaccard): generic names ("Russia", "Foreign Minister") alone do not make a story.
MIN_SHARED = 4
MIN_SCORE = 0.3
# A name that more than this many articles of one language carry on one day ("Russia" on a
# busy day) names no particular event: its key is not looked up, which also keeps a lookup's
# rows bounded however many articles a day brings.
COMMON_TERM = 50
_LEAD_PARAGRAPHS = 1  # the lead names the event; later paragraphs add background
_STEM = 6
_WINDOW_DAYS = range(-2, 3)  # a UTC day ±2 covers every pair within 48 h


def _folded_set(words: str) -> frozenset[str]:
    return frozenset(fold(words).split())


_LETTER = re.compile(r"[^\W\d_]")
# Letters of scripts without capitals: Hebrew, Arabic, Syriac, Thaana, Thai, CJK, Hangul.
_UNCASED_LETTER = re.compile("[\u0590-\u08ff\u0e00-\u0e7f\u3040-\u9fff\uac00-\ud7af]")
_CASED_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Capitalised words that name nothing: function words of English headlines ("Kremlin Waits
# For US Reply") and frequent sentence openers (folded forms).
_NOT_NAMES = _folded_set(
    "a an and as at after amid about against before by for from in into of on or over the to"
    " under with without says said say will would new not no its his her their this that these"
    " those there then he she it we they you mr mrs ms also however meanwhile earlier later"
    " last once both all each other some such"
    " according while when where what which who today yesterday on monday tuesday wednesday"
    " thursday friday saturday sunday january february march april may june july august"
    " september october november december"
    " при для после также однако кроме как это его она они был была были что эти этот по"
    " на во из от до со не все всё"
)
# Frequent words of uncased scripts that name nothing (folded forms).
_UNCASED_STOP = _folded_set(
    "التي الذي الذين على الى إلى الي عن في من مع ان أن انه إنه هذا هذه ذلك تلك كان كانت"
    " قال وقال واضاف وأضاف اليوم خلال بين بعد قبل حيث كما وذلك وهو وهي"
)
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")


def salient_terms(title: str, body: str, dateline_rules: Sequence[str] = ()) -> tuple[str, ...]:
    """The names of an article's title and lead, title first, at most STORY_TERMS."""
    paragraphs = split_paragraphs(body)[:_LEAD_PARAGRAPHS]
    if paragraphs:
        paragraphs[0] = strip_dateline(paragraphs[0], dateline_rules)
    texts = [title, *paragraphs]
    if _is_cased(" ".join(texts)):
        found = [t for text in texts for t in _cased_names(text)]
    else:
        found = [t for text in texts for t in _uncased_words(text)]
    return tuple(dict.fromkeys(found))[:STORY_TERMS]


def story_score(shared: int, terms_a: int, terms_b: int) -> float:
    """Jaccard of two term sets from their sizes and overlap; 0.0 below MIN_SHARED."""
    if shared < MIN_SHARED:
        return 0.0
    return shared / (terms_a + terms_b - shared)


def is_story(score: float) -> bool:
    """Whether a score puts two articles into one story."""
    return score >= MIN_SCORE


def day_keys(terms: Sequence[str], language: str | None, day: date) -> list[tuple[int, int]]:
    """(slot, key) to store: each term keyed by language and the article's UTC day."""
    keys = _term_keys(terms, language, [day.toordinal()])
    return [(STORY_BAND0 + slot, int(key)) for slot, key in enumerate(keys[:, 0])]


def lookup_keys(terms: Sequence[str], language: str | None, published: datetime) -> dict[int, int]:
    """Key → term index, for every day an article within STORY_WINDOW may be filed under."""
    day = published.date().toordinal()
    keys = _term_keys(terms, language, [day + shift for shift in _WINDOW_DAYS])
    return {int(key): index for index, row in enumerate(keys) for key in row}


def _term_keys(terms: Sequence[str], language: str | None, days: list[int]) -> np.ndarray:
    """Signed 64-bit keys, one row per term and one column per day (ordinal)."""
    base = np.array(
        [stable_key(b"story", (language or "").encode(), t.encode()) for t in terms], dtype=np.int64
    ).view(np.uint64)
    # Adding the day spread by an odd constant, then the 64-bit finaliser, keys every day apart.
    spread = np.array(days, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return mix64(base[:, None] + spread[None, :]).view(np.int64)


def _is_cased(text: str) -> bool:
    letters = len(_LETTER.findall(text))
    return bool(letters) and len(_UNCASED_LETTER.findall(text)) / letters < 0.5


def _cased_names(text: str) -> list[str]:
    names = []
    for match in _CASED_WORD.finditer(text):
        word = match.group()
        if len(word) >= 3 and word[0].isupper():
            name = _name_stem(word)
            if name:
                names.append(name)
    return names


@lru_cache(maxsize=65536)
def _name_stem(word: str) -> str | None:
    """The folded six-letter stem of a capitalised word, or None for a function word."""
    folded = re.split("['’]", fold(word))[0]
    return None if folded in _NOT_NAMES else folded[:_STEM]


def _uncased_words(text: str) -> list[str]:
    words = []
    for word in fold(text).split():
        word = word.strip(".,:;!?()[]«»\"'،؛؟")
        if len(word) < 4 or word in _UNCASED_STOP or word.isdigit():
            continue
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix) :]
                break
        words.append(word[:_STEM])
    return words
