"""Evidence strength classification."""

from __future__ import annotations

import pytest

from newsflow.provenance import is_weak, weak_shares


@pytest.mark.parametrize(
    ("evidence", "weak"),
    [
        ("jsonld.datePublished", False),
        ("meta[article:published_time]", False),
        ("rule:date meta[property='article:published_time']::attr(content)", False),
        ("time[datetime]", False),
        ("h1", False),
        ("url", True),
        ("title", True),
        ("trafilatura", True),
        (None, True),
    ],
)
def test_is_weak(evidence: str | None, weak: bool) -> None:
    assert is_weak(evidence) is weak


def test_weak_shares_per_field() -> None:
    shares = weak_shares(
        [
            {"title": "h1", "published_at": "url", "authors": "byline"},
            {"title": "title", "published_at": "jsonld.datePublished"},
        ]
    )
    assert shares == {"title": 0.5, "published_at": 0.5, "authors": 0.5}


def test_no_articles_no_shares() -> None:
    assert weak_shares([]) == {}
