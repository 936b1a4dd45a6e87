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
