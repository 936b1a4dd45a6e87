"""Places → countries: the places named in the title and body, and the dateline's place.

With a model for the language (English, Russian) the places are its place names, resolved
by the gazetteer to a canonical name and country where it knows them; without one, the
gazetteer's names are read from the text by rules of case and context. Either way a
demonym or country adjective (Syrian, сирийский) is a ``nationality``, not a place, and a
word of a person's or organisation's name is not a town.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from newsflow.article import Article
from newsflow.enrichment.arabic import find_arabic_names
from newsflow.enrichment.base import Annotation, Context, article_text
from newsflow.enrichment.gazetteer import (
    Place,
    PlaceName,
    countries,
    demonym_index,
    demonyms,
    place_index,
    resolve_place,
    stoplist,
)
from newsflow.enrichment.names import NameMatch
from newsflow.enrichment.ner import Mention, article_mentions
from newsflow.enrichment.organisations import organisation_index
from newsflow.enrichment.people import find_names
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
    (None for world regions and for places the gazetteer does not know, whose value is the
    name as written), score the number of mentions. ``country`` rows sum them by code.
    ``nationality`` rows: a demonym or country adjective as written, label the country code.
    """

    name = "places"
    version = 2

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        """Place, country and nationality annotations of one article."""
        names = article_mentions(article, context)
        if names is None:
            found = _text_mentions(article, _people_words(article))
        else:
            found = _model_mentions(article, names)
        places = [m for m in found if m.entry.via != "demonym"] + _dateline_mentions(article)
        nationalities = [m for m in found if m.entry.via == "demonym"]
        return _place_rows(places) + _country_rows(places) + _nationality_rows(nationalities)


def _model_mentions(article: Article, names: Sequence[Mention]) -> list[_Mention]:
    """A model's places resolved by the gazetteer, and the gazetteer's demonyms outside names."""
    text = article_text(article)
    places = [m for m in names if m.kind == "place"]
    readings = [_readings(m.written(text), m, article.language) for m in places]
    known = _unambiguous_countries(readings) | _dateline_countries(article)
    found = []
    for mention, entries in zip(places, readings, strict=True):
        written = mention.written(text)
        if not entries and organisation_index().get(written):
            continue  # the gazetteer's organisations are the entities enricher's (the Kremlin)
        entry = next((e for e in entries if e.place.code in known), entries[0] if entries else None)
        entry = entry or PlaceName(Place(mention.value or written, None, "unknown"), "model")
        found.append(_Mention(entry, mention.start, mention.end, f"model:{written}"))
    return found + _demonyms(article, [m for m in names if m.kind in ("person", "organisation")])


def _demonyms(article: Article, named: Sequence[Mention]) -> list[_Mention]:
    """The gazetteer's demonyms and country adjectives outside people's and bodies' names."""
    text = article_text(article)
    tokens = tokenize(text)
    accept = lambda m: _acceptable(m, tokens, article.language)  # noqa: E731
    inside = {i for n in named for i in range(n.start, n.end)}  # linear: names do not overlap
    found = []
    for match in demonym_index().find(text, tokens, accept):
        entries = _usable(match.entries, article.language)
        start, end = tokens[match.first].start, tokens[match.last].end
        if start not in inside and end - 1 not in inside:
            found.append(_Mention(entries[0], start, end, f"demonym:{text[start:end]}"))
    return found


def _overlap(found: _Mention, name: Mention) -> bool:
    return (
        found.start is not None
        and found.end is not None
        and (found.start < name.end and name.start < found.end)
    )


def _readings(written: str, mention: Mention, language: str | None) -> list[PlaceName]:
    """The gazetteer's places a name may be (demonyms aside), by its text or dictionary form."""
    entries = _usable(place_index().get(written), language)
    if not entries and mention.value:
        entries = _usable(place_index().get(mention.value), language)
    return [e for e in entries if e.via != "demonym"]


def _people_words(article: Article) -> set[int]:
    """The tokens of people's names the cue rules read: a surname there is not a town."""
    text = article_text(article)
    tokens = tokenize(text)
    people = find_names(text, tokens, set()) + find_arabic_names(tokens, set())
    return {i for f in people if f.kind == "person" for i in range(f.first, f.last + 1)}


def _text_mentions(article: Article, people: Collection[int] = ()) -> list[_Mention]:
    """The gazetteer's places read from the text by case and context, outside people's names."""
    text = article_text(article)
    tokens = tokenize(text)
    language = article.language
    matches = [
        m
        for m in place_index().find(text, tokens, lambda m: _acceptable(m, tokens, language))
        if not any(i in people for i in range(m.first, m.last + 1))
    ]
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


def _nationality_rows(mentions: Sequence[_Mention]) -> list[Annotation]:
    """One row per country: its English demonym, the code, the first mention, the count."""
    rows: dict[str, Annotation] = {}
    for mention in mentions:
        code = mention.entry.place.code
        if code is None:
            continue
        row = rows.get(code)
        if row is None:
            value = demonyms().get(code, mention.entry.place.name)
            rows[code] = Annotation(
                "nationality", value, code, mention.start, mention.end, mention.evidence, 1.0
            )
        else:
            rows[code] = replace(row, score=(row.score or 0) + 1)
    return list(rows.values())


def _country_name(code: str) -> str:
    country = countries().get(code)
    return country.name if country else code
