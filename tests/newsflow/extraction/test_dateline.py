"""Datelines are read from the first paragraph; a dateline paragraph of its own is removed."""

from __future__ import annotations

import pytest

from newsflow.extraction.dateline import find_dateline
from newsflow.registry import get_source


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("MOSCOW, Oct 19 (Reuters) - Russia said on Wednesday", "Moscow"),
        ("Berlin (dpa) - Die Regierung hat am Montag", "Berlin"),
        ("PARIS (AFP) — Le gouvernement a annoncé", "Paris"),
        ("Damascus, SANA – Temperatures are expected to drop", "Damascus"),
        ("Damascus-SANA- The ministry said", "Damascus"),
        ("WASHINGTON — The Senate voted on Tuesday", "Washington"),
    ],
)
def test_generic_datelines(text: str, place: str) -> None:
    found = find_dateline(text)
    assert found is not None
    assert found.place == place
    assert not found.whole_paragraph


@pytest.mark.parametrize(
    ("text", "place", "agency"),
    [
        ("دمشق-سانا", "دمشق", "سانا"),
        ("МОСКВА, 14 мая. /ТАСС/. Россия и Казахстан договорились", "Москва", "ТАСС"),
        ("BEIJING, June 15 (Xinhua) -- China on Tuesday launched", "Beijing", "Xinhua"),
        ("ST. PETERSBURG, May 14. /TASS/. The target for cargo", "St. Petersburg", "TASS"),
        ("МОСКВА, 19 окт — РИА Новости. Министерство транспорта", "Москва", "РИА Новости"),
        ("Damascus, SANA – Temperatures are expected to drop", "Damascus", "SANA"),
        ("WASHINGTON — The Senate voted on Tuesday", "Washington", None),
    ],
)
def test_datelines_name_their_agency(text: str, place: str, agency: str | None) -> None:
    found = find_dateline(text)
    assert found is not None
    assert (found.place, found.agency) == (place, agency)


@pytest.mark.parametrize(
    ("source", "text", "agency"),
    [
        ("sana-en", "Moscow, SANA – Kremlin spokesman Dmitry Peskov said", "SANA"),
        ("sana-ar", "موسكو-سانا", "سانا"),
        ("tass-en", "MOSCOW, May 14. /TASS/. Russia and Kazakhstan", "TASS"),
        ("ria-ru", "ПЕТРОЗАВОДСК, 14 мая — РИА Новости. Лесные пожарные", "РИА Новости"),
        ("anadolu-en", "ANKARA", None),
    ],
)
def test_agency_read_from_a_rule_match(source: str, text: str, agency: str | None) -> None:
    found = find_dateline(text, get_source(source).agency.rules.dateline)
    assert found is not None
    assert found.agency == agency


def test_no_dateline_in_plain_sentence() -> None:
    assert find_dateline("The council approved the budget on Tuesday.") is None


def test_arabic_dateline_paragraph_with_rule() -> None:
    rule = get_source("sana-ar").agency.rules.dateline
    found = find_dateline("موسكو-سانا", rule)
    assert found is not None
    assert found.place == "موسكو"
    assert found.whole_paragraph
    assert found.evidence == "rule:dateline"


def test_rule_dateline_keeps_raw_text() -> None:
    rule = get_source("sana-en").agency.rules.dateline
    found = find_dateline("Moscow, SANA – Kremlin spokesman Dmitry Peskov said", rule)
    assert found is not None
    assert (found.place, found.raw, found.whole_paragraph) == ("Moscow", "Moscow, SANA –", False)
