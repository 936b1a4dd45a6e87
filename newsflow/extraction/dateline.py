"""Datelines: the place a story was filed from, and the agency, read at the start of the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Dateline", "find_dateline"]

_PLACE = r"(?P<place>[^\W\d_][\w.’'\- ]{1,40}?)"
_CAPITALS = r"(?P<place>[A-ZÀ-ÝА-ЯЁ][A-ZÀ-ÝА-ЯЁ.'\- ]{1,30}?[A-ZÀ-ÝА-ЯЁ.])"
_DASH = r"\s*[-–—_:]+"
# Oct 19 / Oct. 19, 2016 / June 15 / 14 мая / 19 окт.
_DATE = r"(?:[A-Za-zÀ-ÿ]{3,10}\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\s+[а-яё]{3,10}\.?)"
# Generic shapes, most specific first; each needs an agency, a date or capitals to count.
_PATTERNS = (
    # MOSCOW, Oct 19 (Reuters) -   /   Berlin (dpa) -   /   BEIJING, June 15 (Xinhua) --
    re.compile(rf"^{_PLACE}(?:,\s*{_DATE})?\s*\((?P<agency>[^()]{{2,30}})\){_DASH}"),
    # MOSCOW, May 14. /TASS/.   /   МОСКВА, 14 мая. /ТАСС/.
    re.compile(rf"^{_CAPITALS}\s*,\s*{_DATE}\.?\s*/(?P<agency>[^/\n]{{2,20}})/\.?"),
    # МОСКВА, 19 окт — РИА Новости.   (a date, a dash, then one to three capitalised words)
    re.compile(
        rf"^{_CAPITALS}\s*,\s*{_DATE}\s*[–—-]\s*"
        r"(?P<agency>[A-ZА-ЯЁ][\w-]*(?:\s+[A-ZА-ЯЁ][\w-]*){0,2})\."
    ),
    # Damascus, SANA –   /   Damascus-SANA-   /   دمشق-سانا
    re.compile(
        rf"^{_PLACE}\s*(?:,\s*|[-–]\s*)(?P<agency>[A-Z]{{2,8}}|سانا|[^\W\d_]{{2,8}}$)(?:{_DASH}|$)"
    ),
    # WASHINGTON —   /   KYIV, Ukraine (AP) handled above; capitals alone need a dash.
    re.compile(
        r"^(?P<place>[A-ZÀ-ÝА-ЯЁ][A-ZÀ-ÝА-ЯЁ.'\- ]{2,30}?(?:,\s*[A-Z][\w. ]{1,25})?)\s*[-–—]+\s"
    ),
)
# The agency in what a rule matched after the place: (Xinhua), /TASS/, or the last words.
_ENCLOSED = re.compile(r"\(([^()]{2,30})\)|/([^/]{2,20})/")
_SEGMENTS = re.compile(r"[,–—\-]+")


@dataclass(frozen=True)
class Dateline:
    """A dateline: the place, the agency if named, the text it spans, whether it is a paragraph."""

    place: str
    raw: str
    whole_paragraph: bool
    evidence: str
    agency: str | None = None


def find_dateline(first_paragraph: str, rule: str | None = None) -> Dateline | None:
    """The dateline that opens the first paragraph, by the agency rule or generic shapes."""
    text = first_paragraph.strip()
    if rule:
        return _match(re.compile(rule), text, "rule:dateline")
    for pattern in _PATTERNS:
        found = _match(pattern, text, "pattern")
        if found is not None:
            return found
    return None


def _match(pattern: re.Pattern[str], text: str, evidence: str) -> Dateline | None:
    match = pattern.match(text)
    if match is None:
        return None
    place = " ".join(match.group("place").split()).strip(" ,.-–")
    if not place:
        return None
    if place.isupper() and len(place) > 3:
        place = place.title()
    raw = match.group("raw") if "raw" in pattern.groupindex else match.group(0)
    raw = raw.strip()
    whole = match.end() >= len(text.rstrip(" -–—_:"))
    return Dateline(place, raw, whole, evidence, _agency(match))


def _agency(match: re.Match[str]) -> str | None:
    """The agency a dateline names: its own group, else read from the text after the place."""
    if "agency" in match.re.groupindex and match.group("agency"):
        return _clean(match.group("agency"))
    rest = match.string[match.end("place") : match.end()]
    enclosed = _ENCLOSED.search(rest)
    if enclosed:
        return _clean(enclosed.group(1) or enclosed.group(2))
    words = [s for s in _SEGMENTS.split(rest) if s.strip(" .:_") and not re.search(r"\d", s)]
    return _clean(words[-1]) if words else None


def _clean(agency: str) -> str | None:
    cleaned = " ".join(agency.split()).strip(" .:/()_")
    return cleaned or None
