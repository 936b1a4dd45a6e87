"""Datelines: the place a story was filed from, read at the start of the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Dateline", "find_dateline"]

_PLACE = r"(?P<place>[^\W\d_][\w.’'\- ]{1,40}?)"
_DASH = r"\s*[-–—_:]+"
# Generic shapes, most specific first; each needs an agency, a date or capitals to count.
_PATTERNS = (
    # MOSCOW, Oct 19 (Reuters) -   /   Berlin (dpa) -   /   PARIS (AFP) —
    re.compile(
        rf"^{_PLACE}(?:,\s*[A-Za-zÀ-ÿ]{{3,10}}\.?\s+\d{{1,2}}(?:,\s*\d{{4}})?)?"
        rf"\s*\((?P<agency>[^()]{{2,30}})\){_DASH}"
    ),
    # Damascus, SANA –   /   Damascus-SANA-   /   دمشق-سانا
    re.compile(
        rf"^{_PLACE}\s*(?:,\s*|[-–]\s*)(?P<agency>[A-Z]{{2,8}}|سانا|[^\W\d_]{{2,8}}$)(?:{_DASH}|$)"
    ),
    # WASHINGTON —   /   KYIV, Ukraine (AP) handled above; capitals alone need a dash.
    re.compile(r"^(?P<place>[A-ZÀ-Ý][A-ZÀ-Ý.'\- ]{2,30}?(?:,\s*[A-Z][\w. ]{1,25})?)\s*[-–—]+\s"),
)


@dataclass(frozen=True)
class Dateline:
    """A dateline: the place, the text it spans, and whether it is a paragraph of its own."""

    place: str
    raw: str
    whole_paragraph: bool
    evidence: str


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
    return Dateline(place, raw, whole, evidence)
