"""Dateline: the place a story was filed from, its country, and the agency that filed it."""

from __future__ import annotations

from newsflow.article import Article
from newsflow.enrichment.base import Annotation, Context, body_offset
from newsflow.enrichment.gazetteer import resolve_place
from newsflow.enrichment.organisations import agency_named, agency_of
from newsflow.enrichment.text import fold_name
from newsflow.extraction.dateline import Dateline, find_dateline
from newsflow.registry import RegistryError, Source, get_source

__all__ = ["DatelineEnricher"]

# Extraction drops a dateline that is a paragraph of its own; the article keeps its place.
_RULE = "rule:dateline"


class DatelineEnricher:
    """The dateline's place (value: gazetteer name, label: ISO country) and agency.

    The opening of the body is read again to find the agency and the dateline's offsets; when
    extraction removed a dateline paragraph, the article's ``dateline`` field stands alone and
    the agency is the source's own if the agency's dateline rule had recognised it.
    """

    name = "dateline"
    version = 1

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        """The dateline and agency annotations of one article (none without a dateline)."""
        source = _source(article.source)
        found = _reread(article, source)
        if found is None and not article.dateline:
            return []
        place = article.dateline or (found.place if found else "")
        rows = [_place_row(article, place, found)]
        agency = _agency_row(article, source, found)
        return rows + ([agency] if agency else [])


def _source(source_id: str | None) -> Source | None:
    try:
        return get_source(source_id) if source_id else None
    except RegistryError:
        return None


def _reread(article: Article, source: Source | None) -> Dateline | None:
    rule = source.agency.rules.dateline if source else None
    paragraphs = article.paragraphs
    found = find_dateline(paragraphs[0], rule) if paragraphs else None
    if found is None:
        return None
    same = not article.dateline or fold_name(found.place) == fold_name(article.dateline)
    return found if same else None


def _place_row(article: Article, place: str, found: Dateline | None) -> Annotation:
    entry = resolve_place(place, article.language)
    value = entry.place.name if entry else place
    code = entry.place.code if entry else None
    evidence = f"{article.provenance.get('dateline', 'pattern')}:{place}"
    start = _raw_start(article, found)
    if found is None or start is None:
        return Annotation("dateline", value, code, evidence=evidence)
    return Annotation("dateline", value, code, start, start + len(found.raw), evidence)


def _raw_start(article: Article, found: Dateline | None) -> int | None:
    """Where the dateline's text starts in the enriched text, if it is there."""
    at = article.body.find(found.raw) if found else -1
    return body_offset(article) + at if at >= 0 else None


def _agency_row(
    article: Article, source: Source | None, found: Dateline | None
) -> Annotation | None:
    if found is not None and found.agency:
        known = agency_named(found.agency)
        value, label = (known.name, known.label) if known else (found.agency, None)
        start = _raw_start(article, found)
        if start is None:
            return Annotation("agency", value, label, evidence="dateline")
        start += found.raw.find(found.agency)
        return Annotation("agency", value, label, start, start + len(found.agency), "dateline")
    # A dateline paragraph the agency's own rule recognised was filed by that agency.
    if found is None and source and article.provenance.get("dateline") == _RULE:
        own = agency_of(source.agency.id)
        if own is not None:
            return Annotation("agency", own.name, own.label, evidence=f"registry:{source.id}")
    return None
