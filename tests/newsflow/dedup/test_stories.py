"""Story terms: the names two agencies share when they report one event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsflow.dedup.stories import (
    STORY_BAND0,
    day_keys,
    is_story,
    lookup_keys,
    salient_terms,
    story_score,
)
from newsflow.registry import get_source

SANA = (
    "Russia: Kremlin waiting for US and European response to Belgian airstrikes in Aleppo",
    "Moscow, SANA – Kremlin spokesman Dmitry Peskov said that the Kremlin is awaiting for the US "
    "and Europe to respond to the airstrikes carried out by Belgian aircrafts on a village in "
    "Aleppo countryside.",
)
TASS = (
    "Kremlin expects Washington, Brussels to react to Belgian air raid near Aleppo",
    "MOSCOW, October 19. /TASS/. The Kremlin expects the United States and Europe to respond to "
    "the strike by Belgian warplanes on a village near Aleppo, Kremlin spokesman Dmitry Peskov "
    "told reporters on Wednesday.",
)
OTHER = (
    "Russia and Kazakhstan to set up joint commission on Caspian shipping routes",
    "MOSCOW, May 14. /TASS/. Russia and Kazakhstan have agreed to set up a joint commission on "
    "shipping routes in the Caspian Sea, Russian Deputy Foreign Minister Gennady Orlovtsev said.",
)
RULES = [get_source("tass-en").agency.rules.dateline or ""]


def _score(a: tuple[str, str], b: tuple[str, str]) -> float:
    ta, tb = salient_terms(*a, RULES), salient_terms(*b, RULES)
    return story_score(len(set(ta) & set(tb)), len(ta), len(tb))


def test_salient_terms_are_names_title_first() -> None:
    terms = salient_terms(*SANA)
    assert terms[:4] == ("russia", "kremli", "europe", "belgia")
    assert {"peskov", "dmitry", "aleppo"} <= set(terms)
    assert not {"the", "for", "moscow", "sana"} & set(terms)  # function words, dateline


def test_russian_names_meet_across_inflections() -> None:
    a = salient_terms("Песков ответил Вашингтону", "Дмитрий Песков заявил журналистам.")
    b = salient_terms("Пескова спросили о Вашингтоне", "Слова Дмитрия Пескова.")
    assert {"песков", "вашинг"} <= set(a) & set(b)


def test_arabic_falls_back_to_longer_words() -> None:
    terms = salient_terms("الكرملين ينتظر رد واشنطن", "أعلن المتحدث باسم الكرملين ديمتري بيسكوف")
    assert {"كرملين", "واشنطن", "بيسكوف"} <= set(terms)


def test_two_agencies_on_one_event_make_a_story_and_others_do_not() -> None:
    assert is_story(_score(SANA, TASS))
    assert not is_story(_score(SANA, OTHER))
    assert story_score(3, 3, 3) == 0.0  # too few shared names, however alike


def test_lookup_keys_cover_the_window_of_stored_keys() -> None:
    terms = ("kremli", "peskov")
    published = datetime(2016, 10, 19, 23, 30, tzinfo=UTC)
    stored_next_day = dict(day_keys(terms, "en", (published + timedelta(hours=40)).date()))
    lookups = lookup_keys(terms, "en", published)
    assert {stored_next_day[STORY_BAND0], stored_next_day[STORY_BAND0 + 1]} <= lookups.keys()
    assert not set(dict(day_keys(terms, "ru", published.date())).values()) & lookups.keys()
    assert not set(dict(day_keys(terms, "en", published.date() + timedelta(days=3))).values()) & (
        lookups.keys()
    )
