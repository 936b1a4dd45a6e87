"""How strong a field's evidence is: structured data and agency rules beat guesses from text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Evidence a publisher declared on purpose (structured data, meta tags, markup) or an agency
# rule a person wrote; anything else (URL, free text, <title>, extractor guesses) is weak.
STRONG_PREFIXES = (
    "rule:",
    "jsonld",
    "microdata",
    "meta",
    "og:",
    "time[",
    "dcterms",
    "dc.",
    "h1",
    "byline",
    "feed",
)
TRACKED_FIELDS = ("title", "published_at", "authors")


def is_weak(evidence: str | None) -> bool:
    """Whether a field's evidence is a fallback rather than something the page declared."""
    return not evidence or not evidence.startswith(STRONG_PREFIXES)


def weak_shares(provenances: Iterable[Mapping[str, str]]) -> dict[str, float]:
    """Per tracked field, the share of articles whose value came from weak evidence."""
    rows = list(provenances)
    if not rows:
        return {}
    return {field: sum(is_weak(p.get(field)) for p in rows) / len(rows) for field in TRACKED_FIELDS}
