"""Places → countries: gazetteer names in the title and body, and the dateline's place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsflow.article import Article
from newsflow.enrichment.base import Annotation, Context, article_text
from newsflow.enrichment.gazetteer import (
    PlaceName,
    countries,
    place_index,
    resolve_place,
    stoplist,
)
from newsflow.enrichment.names import NameMatch
from newsflow.enrichment.text import Token, is_arabic, is_capitalised, tokenize

__all__ = ["PlacesEnricher"]

# Names this short are abbreviations (US, UK, UAE): taken only when written in capitals.
_ABBREVIATION = 3
# A city outside the countries the article is otherwise about must be this big to be taken:
# small towns abroad share their names with common words (Time, Norway; مدينة, "city").
_FOREIGN_CITY = 30_000
_FOREIGN_ALTERNATE = 100_000
_SENTENCE_END = (".", "!", "?", "\n", "—", "–")


@dataclass(frozen=True, slots=True)
class _Mention:
    entry: PlaceName
    start: int | None
    end: int | None
    evidence: str


class PlacesEnricher:
    """Places named in the article, each with its country; one row per place and per country.

    ``place`` rows: value is the gazetteer's English name, label the ISO 3166-1 alpha-2 code
    (None for world regions), score the number of mentions. ``country`` rows sum them by code.
    """

    name = "places"
    version = 1

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        """Place and country annotations of one article."""
        mentions = _text_mentions(article) + _dateline_mentions(article)
        return _place_rows(mentions) + _country_rows(mentions)


def _text_mentions(article: Article) -> list[_Mention]:
    text = article_text(article)
    tokens = tokenize(text)
    language = article.language
    matches = list(place_index().find(text, tokens, lambda m: _acceptable(m, tokens, language)))
    # Two passes: the countries named beyond doubt decide between homonyms elsewhere.
    readings = [_usable(m.entries, language) for m in matches]
    sure = [[e for e in entries if _plausible(e, set())] for entries in readings]
    known = _unambiguous_countries(sure) | _dateline_countries(article)
    mentions = []
    for match, entries in zip(matches, readings, strict=True):
        opening = _opens_sentence(text, tokens, match.first)
        entries = [e for e in entries if _plausible(e, known, opening)]
        if not entries:
            continue
        entry = next((e for e in entries if e.place.code in known), entries[0])
        start, end = tokens[match.first].start, tokens[match.last].end
        mentions.append(_Mention(entry, start, end, f"{entry.via}:{text[start:end]}"))
    return mentions


def _plausible(entry: PlaceName, known: set[str], opening: bool = False) -> bool:
    """Whether a reading is likely: countries and regions are; small towns need context."""
    place = entry.place
    if place.kind != "city":
        return True
    alternate = entry.via == "alternate"
    if place.code in known and not (alternate and opening):
        return True
    return place.population >= (_FOREIGN_ALTERNATE if alternate else _FOREIGN_CITY)


def _opens_sentence(text: str, tokens: Sequence[Token], position: int) -> bool:
    """Whether a token starts a sentence, where any word is capitalised."""
    if position == 0:
        return True
    gap = text[tokens[position - 1].end : tokens[position].start].strip(" \t\"“”«»'(")
    return gap.endswith(_SENTENCE_END)


def _dateline_mentions(article: Article) -> list[_Mention]:
    if not article.dateline:
        return []
    entry = resolve_place(article.dateline, article.language)
    return [_Mention(entry, None, None, "dateline")] if entry else []


def _dateline_countries(article: Article) -> set[str]:
    entry = resolve_place(article.dateline, article.language) if article.dateline else None
    return {entry.place.code} if entry and entry.place.code else set()


def _usable(entries: Iterable[PlaceName], language: str | None) -> list[PlaceName]:
    """Entries of a name in the article's language (or in none in particular), best first."""
    return [e for e in entries if e.lang is None or language is None or e.lang == language]


def _unambiguous_countries(chosen: Sequence[Sequence[PlaceName]]) -> set[str]:
    """Countries named without doubt: every reading of the name lies in the same country."""
    found: set[str] = set()
    for entries in chosen:
        codes = {e.place.code for e in entries}
        code = codes.pop() if len(codes) == 1 else None
        if code is not None:
            found.add(code)
    return found


def _acceptable(match: NameMatch[PlaceName], tokens: Sequence[Token], language: str | None) -> bool:
    """Whether a gazetteer hit reads as a place here: case, language, abbreviations, stoplist."""
    entries = _usable(match.entries, language)
    if not entries or match.key in stoplist():
        return False
    words = tokens[match.first : match.last + 1]
    first = words[0].text
    if is_arabic(first):
        return True
    # Russian country adjectives are written in lower case (российский, американских).
    adjective = all(e.via == "demonym" and e.lang == "ru" for e in entries)
    if not is_capitalised(first) and not adjective:
        return False
    if len(match.key.replace(" ", "")) <= _ABBREVIATION:
        return all(w.text.isupper() for w in words)
    return True


def _place_rows(mentions: Sequence[_Mention]) -> list[Annotation]:
    rows: dict[tuple[str, str | None], Annotation] = {}
    for mention in mentions:
        place = mention.entry.place
        key = (place.name, place.code)
        row = rows.get(key)
        if row is None:
            rows[key] = Annotation(
                "place", place.name, place.code, mention.start, mention.end, mention.evidence, 1.0
            )
            continue
        start = row.start if row.start is not None else mention.start
        end = row.end if row.start is not None else mention.end
        evidence = row.evidence if row.start is not None else mention.evidence
        if "dateline" in (row.evidence, mention.evidence) and "dateline" not in evidence:
            evidence += "+dateline"
        rows[key] = Annotation(
            "place", place.name, place.code, start, end, evidence, (row.score or 0) + 1
        )
    return list(rows.values())


def _country_rows(mentions: Sequence[_Mention]) -> list[Annotation]:
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for mention in mentions:
        code = mention.entry.place.code
        if code:
            counts[code] = counts.get(code, 0) + 1
            names.setdefault(code, _country_name(code))
    return [
        Annotation("country", names[code], code, evidence="places", score=float(count))
        for code, count in sorted(counts.items(), key=lambda item: -item[1])
    ]


def _country_name(code: str) -> str:
    country = countries().get(code)
    return country.name if country else code
