"""What counts as an edit: normalised comparison of title, body, authors and date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.article import Article
from newsflow.edits import changed_fields, comparable_body, removal_marker, removal_reason

BASE = Article(
    url="https://tass.com/politics/1",
    title="Talks to resume",
    body="MOSCOW, May 14. /TASS/. Talks will resume on Monday.\n\nBoth sides agreed.",
    authors=("Ivan Petrov",),
    published_at=datetime(2024, 5, 14, 15, 5, tzinfo=UTC),
)


@pytest.mark.parametrize(
    "line",
    [
        "1,234 shares",
        "Views: 5.2K",
        "Share 12 | Tweet 3",
        "125",
        "Read also: Talks to resume in Geneva next week",
        "READ MORE - Lavrov meets Kerry",
        "Читайте также: Переговоры возобновятся",
        "Follow us on Telegram",
        "12 comments",
    ],
)
def test_counters_teasers_and_follow_lines_are_furniture(line: str) -> None:
    body = BASE.body + "\n\n" + line
    assert comparable_body(body) == comparable_body(BASE.body)
    assert changed_fields(BASE, BASE.evolve(body=body)) == []


@pytest.mark.parametrize(
    "line",
    [
        "Correction appended.",
        "In 2016, 12 people were injured.",
        "Related talks will follow in Geneva, the ministry said on Monday evening.",
    ],
)
def test_short_real_sentences_are_text(line: str) -> None:
    assert changed_fields(BASE, BASE.evolve(body=BASE.body + "\n\n" + line)) == ["body"]


def test_each_changed_field_is_named_once_in_order() -> None:
    edited = BASE.evolve(
        title="Talks to resume on Monday",
        authors=("Ivan Petrov", "Anna Orlova"),
        published_at=datetime(2024, 5, 15, 9, 0, tzinfo=UTC),
    )
    assert changed_fields(BASE, edited) == ["title", "authors", "published_at"]


def test_byline_order_and_case_are_no_change_but_a_lost_byline_is() -> None:
    two = BASE.evolve(authors=("Ivan Petrov", "Anna Orlova"))
    assert changed_fields(two, two.evolve(authors=("ANNA ORLOVA", "Ivan Petrov"))) == []
    assert changed_fields(two, two.evolve(authors=())) == ["authors"]


def test_removal_markers_round_trip() -> None:
    assert removal_reason([removal_marker("redirect_home")]) == "redirect_home"
    assert removal_reason(["title", "body"]) is None
