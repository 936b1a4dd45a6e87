"""Publication and modification times: gathered from every declaration, offset kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime

from lxml.html import HtmlElement

from newsflow.extraction.evidence import Found
from newsflow.extraction.metadata import Metadata

__all__ = ["find_modified", "find_published", "parse_datetime"]

_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published",
    "og:published_time", "published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "publication_date", "parsely-pub-date", "sailthru.date",
    "dcterms.issued", "dc.date.issued", "dcterms.date", "dc.date", "dcterms.created",
    "dc.date.created", "date", "article.published", "cxenseparse:recs:publishtime",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "article:modified", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod",
)  # fmt: skip
_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_TOLERANCE = timedelta(seconds=60)
_EPOCH = re.compile(r"^1\d{9}(?:\d{3})?$")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class _Candidate:
    moment: datetime
    has_time: bool
    evidence: str


def parse_datetime(text: str, language: str | None = None) -> tuple[datetime, bool] | None:
    """Parse a declared date; returns the datetime (maybe naive) and whether it had a time."""
    text = " ".join(text.split())
    if not text or len(text) > 80:
        return None
    if _EPOCH.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC), True
    iso = re.sub(r"(?<=\d)\s*(?:UTC|GMT)$", "+00:00", text.replace("Z", "+00:00"))
    iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso)
    moment: datetime | None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        # Free-form dates need a year: "1h ago" and "14:36" are relative to an unknown now.
        moment = (_parse_rfc(text) or _parse_loose(text, language)) if _YEAR.search(text) else None
    if moment is None:
        return None
    has_time = not _DATE_ONLY.match(text) and bool(_HAS_TIME.search(text) or "T" in text)
    return moment, has_time


def find_published(
    root: HtmlElement,
    meta: Metadata,
    zone: tzinfo | None,
    rule: Found | None = None,
    language: str | None = None,
) -> Found | None:
    """The publication time: best declared value, offset kept, agency zone for local times."""
    candidates: list[_Candidate] = []
    for candidate in _parsed(_published_sources(root, meta, rule), language):
        # The first declaration with a time and an offset wins; stop reading the page there.
        if candidate.has_time and candidate.moment.tzinfo is not None and not _timed(candidates):
            return Found(candidate.moment, candidate.evidence)
        candidates.append(candidate)
    return _choose(candidates, list(_parsed(_modified_sources(meta), language)), zone)


def find_modified(root: HtmlElement, meta: Metadata, zone: tzinfo | None) -> Found | None:
    """The last modification time, when the page declares one."""
    return _choose(list(_parsed(_modified_sources(meta), None)), [], zone)


def _published_sources(
    root: HtmlElement, meta: Metadata, rule: Found | None
) -> Iterator[tuple[str, str]]:
    if rule is not None:
        yield rule.value, rule.evidence
    for node in meta.articles:
        for key in ("datePublished", "dateCreated"):
            if isinstance(node.get(key), str):
                yield node[key], f"jsonld.{key}"
    for key in _PUBLISHED_META:
        for value in meta.meta.get(key, ()):
            yield value, f"meta[{key}]"
    for element in meta.microdata.get("datePublished", ()):
        yield _element_value(element), "microdata.datePublished"
    yield from _time_elements(root)
    for node in meta.pages:
        if isinstance(node.get("datePublished"), str):
            yield node["datePublished"], "jsonld.WebPage.datePublished"


def _modified_sources(meta: Metadata) -> Iterator[tuple[str, str]]:
    for node in meta.articles:
        if isinstance(node.get("dateModified"), str):
            yield node["dateModified"], "jsonld.dateModified"
    for key in _MODIFIED_META:
        for value in meta.meta.get(key, ()):
            yield value, f"meta[{key}]"
    for element in meta.microdata.get("dateModified", ()):
        yield _element_value(element), "microdata.dateModified"


def _time_elements(root: HtmlElement) -> Iterator[tuple[str, str]]:
    # A <time> in the article header beats one in a sidebar teaser; document order otherwise.
    times = root.xpath("//body//time[@datetime]")
    inside = [t for t in times if t.xpath("ancestor::article or ancestor::header")]
    for element in inside + [t for t in times if t not in inside]:
        yield element.get("datetime", ""), "time[datetime]"


def _element_value(element: HtmlElement) -> str:
    for attr in ("content", "datetime", "value"):
        if element.get(attr):
            return str(element.get(attr))
    return element.text_content()


def _parsed(sources: Iterator[tuple[str, str]], language: str | None) -> Iterator[_Candidate]:
    for text, evidence in sources:
        parsed = parse_datetime(text, language)
        if parsed is not None and 1990 <= parsed[0].year <= 2100:
            yield _Candidate(parsed[0], parsed[1], evidence)


def _timed(candidates: list[_Candidate]) -> list[_Candidate]:
    return [c for c in candidates if c.has_time]


def _choose(
    candidates: list[_Candidate], extra: list[_Candidate], zone: tzinfo | None
) -> Found | None:
    if not candidates:
        return None
    timed = _timed(candidates)
    best = timed[0] if timed else candidates[0]
    if best.moment.tzinfo is not None:
        return Found(best.moment, best.evidence)
    return _localise(best, [*candidates, *extra], zone)


def _localise(best: _Candidate, others: list[_Candidate], zone: tzinfo | None) -> Found:
    """Give a naive time an offset: from a twin declaration, the agency zone, or UTC."""
    for other in others:
        if other.moment.tzinfo is not None and other.has_time:
            wall = other.moment.replace(tzinfo=None)
            if abs(wall - best.moment) <= _TOLERANCE:
                return Found(best.moment.replace(tzinfo=other.moment.tzinfo), best.evidence)
    if zone is not None:
        return Found(best.moment.replace(tzinfo=zone), f"{best.evidence};tz=agency")
    return Found(best.moment.replace(tzinfo=UTC), f"{best.evidence};tz=assumed-utc")


def _parse_rfc(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_loose(text: str, language: str | None) -> datetime | None:
    import dateparser  # imported late: slow to load and only needed for free-form dates

    settings = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]}
    languages = [language, "en"] if language and language != "en" else ["en"]
    try:
        return dateparser.parse(text, languages=languages, settings=settings)  # type: ignore[arg-type]
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
