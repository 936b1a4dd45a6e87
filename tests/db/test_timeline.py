"""db.timeline: how many articles match a search, in total and per period, source and agency.

The store below is small and every count is known: nine articles saved through the store (so
the search index holds their stems), one an exact copy, one undated, one naming Aleppo only in
its byline, one in French.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from newsflow.db import models, store
from newsflow.db.search import SearchQueryError, search
from newsflow.db.session import session_scope
from newsflow.db.timeline import (
    MatchCount,
    PeriodCount,
    count_matches,
    period_of,
    periods,
    timeline,
)
from sqlalchemy import update

from newsflow.article import Article
from newsflow.registry import load_registry

ALEPPO = "Government forces pushed on in Aleppo countryside as talks went on."
# url → (source, published_at, title, body, language, authors)
ARTICLES: dict[str, tuple[str, datetime | None, str, str, str, tuple[str, ...]]] = {
    "https://sana.sy/en/1": (
        "sana-en",
        datetime(2016, 10, 17, 9, 0, tzinfo=UTC),  # a Monday
        "Aleppo front",
        ALEPPO,
        "en",
        (),
    ),
    "https://sana.sy/en/2": (
        "sana-en",
        datetime(2016, 10, 19, 12, 0, tzinfo=UTC),
        "Talks on Aleppo",
        "Ministers met about Aleppo and Damascus.",
        "en",
        (),
    ),
    "https://tass.com/3": (
        "tass-en",
        datetime(2016, 10, 19, 23, 30, tzinfo=UTC),  # 02:30 on the 20th in Moscow: UTC counts
        "Kremlin on Aleppo",
        "The Kremlin spoke about Aleppo late at night.",
        "en",
        (),
    ),
    "https://tass.com/copy-of-2": (  # an exact copy of sana-en/2, linked below
        "tass-en",
        datetime(2016, 10, 19, 12, 0, tzinfo=UTC),
        "Talks on Aleppo",
        "Ministers met about Aleppo and Damascus.",
        "en",
        (),
    ),
    "https://xinhua.net/5": (
        "xinhua-en",
        datetime(2016, 10, 24, 8, 0, tzinfo=UTC),  # the next Monday
        "Aleppo aid",
        "Aid convoys reached Aleppo.",
        "en",
        (),
    ),
    "https://xinhua.net/6": (
        "xinhua-en",
        datetime(2016, 11, 2, 8, 0, tzinfo=UTC),
        "Aleppo again",
        "Aleppo was quiet on Wednesday.",
        "en",
        (),
    ),
    "https://sana.sy/en/undated": ("sana-en", None, "Aleppo notes", ALEPPO, "en", ()),
    "https://sana.sy/en/byline": (  # Aleppo only in its byline: search does not match it
        "sana-en",
        datetime(2016, 10, 19, 9, 0, tzinfo=UTC),
        "Weather",
        "Rain is expected over the coast.",
        "en",
        ("Aleppo Office",),
    ),
    "https://sana.sy/fr/9": (
        "sana-fr",
        datetime(2016, 10, 19, 10, 0, tzinfo=UTC),
        "Aleppo en bref",
        "Les combats ont repris à Aleppo.",
        "fr",
        (),
    ),
}
COPY, ORIGINAL = "https://tass.com/copy-of-2", "https://sana.sy/en/2"


def store_timeline_articles(url: str) -> dict[str, int]:
    """Save ARTICLES through the store into the migrated database at ``url``; ids by URL."""
    ids: dict[str, int] = {}
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        for link, (source, published, title, body, language, authors) in ARTICLES.items():
            article = Article(
                url=link,
                title=title,
                body=body,
                language=language,
                published_at=published,
                authors=authors,
                source=source,
            )
            store.save_article(session, article, None)
        for link, article_id in session.query(models.Article.url, models.Article.id):
            ids[link] = article_id
        session.execute(
            update(models.Article)
            .where(models.Article.id == ids[COPY])
            .values(duplicate_of_id=ids[ORIGINAL], duplicate_method="exact")
        )
    return ids


@pytest.fixture
def stored(database_url: str) -> dict[str, int]:
    return store_timeline_articles(database_url)


def test_counts_every_match_copies_and_undated_included(
    stored: dict[str, int], database_url: str
) -> None:
    with session_scope(database_url) as session:
        assert count_matches(session, "Aleppo") == MatchCount(8, 7)
        assert count_matches(session, "Aleppo").copies == 1
        assert count_matches(session, "Aleppo", language="en") == MatchCount(7, 6)
        assert count_matches(session, "Aleppo", sources=["xinhua-en"]) == MatchCount(2, 2)
        window = {"since": date(2016, 10, 19), "until": date(2016, 10, 19)}
        assert count_matches(session, "Aleppo", **window) == MatchCount(4, 3)  # type: ignore[arg-type]
        assert count_matches(session, "Aleppo -Damascus") == MatchCount(6, 6)
        assert count_matches(session, "Kremlin OR aid") == MatchCount(2, 2)
        assert count_matches(session, "Aleppo lang:fr") == MatchCount(1, 1)  # a field, as search
        assert count_matches(session, "nowhere") == MatchCount(0, 0)
        with pytest.raises(SearchQueryError, match="at least one word"):
            count_matches(session, "-Aleppo")
    _counts_what_search_finds(database_url)


SEARCHES = (
    "Aleppo",
    "Aleppo -Damascus",
    '"Aleppo countryside"',
    "Alep*",
    "title:Aleppo",
    "ministers",
    "Aleppo -lang:fr",
)


def _counts_what_search_finds(database_url: str) -> None:
    """Every match search lists (unfolded) and no other: the same parsing, index and filters."""
    with session_scope(database_url) as session:
        for text in SEARCHES:
            for filters in ({}, {"language": "en"}, {"sources": ["sana-en", "tass-en"]}):
                listed = search(session, text, all_copies=True, limit=1000, **filters)  # type: ignore[arg-type]
                found = count_matches(session, text, **filters)  # type: ignore[arg-type]
                assert found.articles == len(listed) > 0, (text, filters)
                assert found.originals == sum(hit.duplicate_of is None for hit in listed)


def test_timelines(stored: dict[str, int], database_url: str) -> None:
    _a_timeline_per_day_has_every_day_of_the_window(database_url)
    _weeks_and_months_per_agency_and_source(database_url)
    _nothing_matched(database_url)


def _a_timeline_per_day_has_every_day_of_the_window(database_url: str) -> None:
    with session_scope(database_url) as session:
        days = timeline(
            session, "Aleppo", by="day", since=date(2016, 10, 16), until=date(2016, 10, 20)
        )
    assert days == [
        PeriodCount(date(2016, 10, 16), None, None, 0, 0),
        PeriodCount(date(2016, 10, 17), None, None, 1, 1),
        PeriodCount(date(2016, 10, 18), None, None, 0, 0),
        PeriodCount(date(2016, 10, 19), None, None, 4, 3),  # the copy, the French, late TASS
        PeriodCount(date(2016, 10, 20), None, None, 0, 0),
    ]


def _weeks_and_months_per_agency_and_source(database_url: str) -> None:
    with session_scope(database_url) as session:
        weeks = timeline(session, "Aleppo", by="week", per="agency")
        months = timeline(session, "Aleppo", by="month", per="source", language="en")
        instants = timeline(
            session,
            "Aleppo",
            by="day",
            since=datetime(2016, 10, 19, 11, 0, tzinfo=UTC),
            until=datetime(2016, 10, 24, 8, 0, tzinfo=UTC),  # an instant: until is exclusive
        )
    as_tuples = [(p.period, p.agency, p.articles, p.originals) for p in weeks]
    assert as_tuples == [
        (date(2016, 10, 17), "sana", 3, 3),  # the undated one is in no week
        (date(2016, 10, 17), "tass", 2, 1),
        (date(2016, 10, 17), "xinhua", 0, 0),
        (date(2016, 10, 24), "sana", 0, 0),
        (date(2016, 10, 24), "tass", 0, 0),
        (date(2016, 10, 24), "xinhua", 1, 1),
        (date(2016, 10, 31), "sana", 0, 0),
        (date(2016, 10, 31), "tass", 0, 0),
        (date(2016, 10, 31), "xinhua", 1, 1),
    ]
    assert all(p.source is None for p in weeks)
    assert [(p.period, p.source, p.agency, p.articles) for p in months] == [
        (date(2016, 10, 1), "sana-en", "sana", 2),
        (date(2016, 10, 1), "tass-en", "tass", 2),
        (date(2016, 10, 1), "xinhua-en", "xinhua", 1),
        (date(2016, 11, 1), "sana-en", "sana", 0),
        (date(2016, 11, 1), "tass-en", "tass", 0),
        (date(2016, 11, 1), "xinhua-en", "xinhua", 1),
    ]
    assert [(p.period.day, p.articles) for p in instants] == [
        (19, 3),  # sana-en/2 and its copy at 12:00, TASS at 23:30; not the 10:00 French one
        (20, 0),
        (21, 0),
        (22, 0),
        (23, 0),
        (24, 0),  # its first hours, before 08:00
    ]


def _nothing_matched(database_url: str) -> None:
    with session_scope(database_url) as session:
        assert timeline(session, "nowhere", by="week", per="agency") == []
        window = {"since": date(2016, 10, 5), "until": date(2016, 11, 3)}
        assert timeline(session, "nowhere", by="month", **window) == [  # type: ignore[arg-type]
            PeriodCount(date(2016, 10, 1), None, None, 0, 0),
            PeriodCount(date(2016, 11, 1), None, None, 0, 0),
        ]
        with pytest.raises(ValueError, match="count by day, week, month"):
            timeline(session, "Aleppo", by="year")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="group per source, agency"):
            timeline(session, "Aleppo", per="country")  # type: ignore[arg-type]


def test_periods_start_on_their_first_day() -> None:
    assert period_of(date(2016, 10, 23), "week") == date(2016, 10, 17)  # Sunday → Monday
    assert period_of(date(2016, 10, 17), "week") == date(2016, 10, 17)
    assert period_of(date(2016, 12, 31), "month") == date(2016, 12, 1)
    assert list(periods(date(2016, 11, 15), date(2017, 2, 1), "month")) == [
        date(2016, 11, 1),
        date(2016, 12, 1),
        date(2017, 1, 1),
        date(2017, 2, 1),
    ]
    assert list(periods(date(9999, 12, 1), date(9999, 12, 31), "month")) == [date(9999, 12, 1)]
    assert len(list(periods(date(2016, 1, 1), date(2016, 12, 31), "day"))) == 366
