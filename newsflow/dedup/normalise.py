"""Text as compared for duplicates: trivially different copies of one text read alike.

A body loses its dateline, credit lines and boilerplate paragraphs, then is folded: Unicode
NFKC, case, accents and Arabic diacritics, tatweel and letter variants (alef, ya, ta marbuta,
kaf), Cyrillic ё, Arabic-Indic digits and whitespace. Each step is a small pure function.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from newsflow.extraction.dateline import find_dateline

__all__ = [
    "fold",
    "normalise_body",
    "split_paragraphs",
    "strip_boilerplate",
    "strip_credits",
    "strip_dateline",
    "tokens",
]

# Combining marks that only decorate a letter: Latin/Cyrillic/Greek accents and stress marks,
# Hebrew points, Arabic harakat, shadda, sukun, dagger alef and Quranic marks. Hamza above and
# below (U+0654, U+0655) are among them, so NFD turns أ إ آ ؤ ئ into their bare letters.
_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]"
)
_LETTERS = {
    "\u0640": "",  # tatweel (kashida): stretches a word, says nothing
    "\u0671": "\u0627",  # alef wasla → alef
    "\u0649": "\u064a",  # alef maksura → ya
    "\u06cc": "\u064a",  # Persian ya → Arabic ya
    "\u0629": "\u0647",  # ta marbuta → ha
    "\u06a9": "\u0643",  # Persian kaf → Arabic kaf
    "ё": "е",
    **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + n): str(n) for n in range(10)},  # Persian digits
}
# A regex finds the few letters to fold faster than str.translate walks every character.
_LETTER = re.compile("[" + "".join(_LETTERS) + "]")
_HAN_OR_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_HAN_OR_KANA}]")
_WORD = re.compile(r"\w+")
# Each Han or Kana character is a word of its own (those scripts put no spaces).
_CJK_WORD = re.compile(rf"[{_HAN_OR_KANA}]|[^\W{_HAN_OR_KANA}]+")

# A short paragraph that only credits or signs the text: "Reporting by …", "Photo: …",
# "(Editing by …)", "© 2024 …", "By Jane Doe", "ENDS", "/TASS/".
_CREDIT = re.compile(
    r"^\(?\s*(?i:reporting|writing|additional reporting|editing|edited|translated|translation"
    r"|compiled|prepared|photos?|video|source|sources|text|автор|фото|видео|источник|текст"
    r"|перевод|المصدر|تحرير|ترجمة|إعداد|تصوير|متابعة)(?:\s+(?i:by)\b|\s*:).{0,120}$"
    r"|^(?:©|\([cC]\)|(?i:copyright)\b).{0,120}$"
    r"|^By\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*$"
    r"|^[-–—\s]*(?i:ends?|enditem|-0-|\*+)[-–—\s.]*$"
    r"|^[-–—(/\s]*[A-Z]{2,8}[)/\s.]*$"
)
# Page furniture that extraction sometimes keeps: share, follow, subscribe, read-also lines.
_BOILERPLATE = re.compile(
    r"^(?:follow|subscribe|share)\b.{0,80}\b(?:us|channel|newsletter|telegram|facebook"
    r"|twitter|vk|whatsapp|instagram|youtube)\b"
    r"|^(?:read (?:also|more)|see also|related|more on this|click here)\s*[:.]"
    r"|^(?:advertisement|all rights reserved|читайте также|смотрите также|подписывайтесь"
    r"|подпишитесь|реклама|اقرأ أيضا|اقرأ أيضاً|تابعونا|للمزيد)\b"
    r"|all rights reserved|^\S*https?://\S+$|^\S*t\.me/\S+$",
    re.IGNORECASE,
)
_SHORT_WORDS = 16  # credit and furniture lines are short; longer paragraphs are text
# "Hazem Sabbagh", "M. Ali": two to four capitalised words, not a sentence ending in a period.
_NAME_LINE = re.compile(r"^[A-ZА-ЯЁ][\w.'’-]*(?:\s+[A-ZА-ЯЁ][\w.'’-]*){1,3}(?<![a-zа-яё]\.)$")
_DASHES = " \t-–—_:.,|/"


def split_paragraphs(body: str) -> list[str]:
    """Non-empty paragraphs (lines) of a body, stripped."""
    return [line.strip() for line in body.splitlines() if line.strip()]


def strip_dateline(paragraph: str, rules: Iterable[str] = ()) -> str:
    """The paragraph without the dateline that opens it (agency rules first, then generic)."""
    text = paragraph.strip()
    for rule in (*rules, None):
        found = find_dateline(text, rule)
        if found is not None and text.startswith(found.raw):
            return text[len(found.raw) :].lstrip(_DASHES)
    return text


def strip_credits(paragraphs: Sequence[str], authors: Iterable[str] = ()) -> list[str]:
    """Paragraphs without the credit, signature and name lines that end (or open) a body."""
    names = {_casefold(a) for a in authors if a.strip()}
    kept = list(paragraphs)
    while kept and _is_credit(kept[-1], names, closing=True):
        kept.pop()
    while kept and _is_credit(kept[0], names, closing=False):
        kept.pop(0)
    return kept


def strip_boilerplate(paragraphs: Iterable[str]) -> list[str]:
    """Paragraphs without share/follow/subscribe/read-also furniture."""
    return [p for p in paragraphs if not (_short(p) and _BOILERPLATE.search(p))]


def fold(text: str) -> str:
    """NFKC, case, marks, Arabic/Persian letter variants, digits and whitespace folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFD", text))
        text = _LETTER.sub(lambda m: _LETTERS[m.group()], unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Words of a folded text (punctuation dropped)."""
    return (_CJK_WORD if _CJK.search(text) else _WORD).findall(text)


def normalise_body(
    body: str, dateline_rules: Sequence[str] = (), authors: Iterable[str] = ()
) -> str:
    """The body as compared: furniture, credits and dateline out, then folded."""
    paragraphs = strip_credits(strip_boilerplate(split_paragraphs(body)), authors)
    if paragraphs:
        paragraphs[0] = strip_dateline(paragraphs[0], dateline_rules)
    return fold(" ".join(paragraphs))


def _is_credit(paragraph: str, names: set[str], closing: bool) -> bool:
    if not _short(paragraph):
        return False
    if _casefold(paragraph).strip(_DASHES) in names or _CREDIT.match(paragraph.strip()):
        return True
    # A bare name line ("Hazem Sabbagh") signs the end of a text, never its start.
    return closing and bool(_NAME_LINE.match(paragraph.strip()))


def _short(paragraph: str) -> bool:
    return len(paragraph.split()) <= _SHORT_WORDS


@lru_cache(maxsize=4096)
def _casefold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
