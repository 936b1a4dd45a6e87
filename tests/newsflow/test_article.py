"""The Article record: immutable all the way down, and able to cross process boundaries."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import pytest

from newsflow.article import Article

DAMASCUS = timezone(timedelta(hours=3))


def _article() -> Article:
    return Article(
        url="https://sana.sy/en/?p=92385",
        title="Kremlin waiting for response",
        body="First paragraph.\n\nSecond paragraph.",
        language="en",
        published_at=datetime(2016, 10, 19, 14, 5, tzinfo=DAMASCUS),
        authors=("R. Said",),
        provenance={"title": "h1", "published_at": "meta[article:published_time]"},
    )


def test_an_article_pickles_whole_and_stays_frozen() -> None:
    article = _article()
    again = pickle.loads(pickle.dumps(article))
    assert again == article
    assert dict(again.provenance) == {"title": "h1", "published_at": "meta[article:published_time]"}
    assert again.utc_offset_minutes == 180
    with pytest.raises(TypeError):
        again.provenance["title"] = "og:title"  # type: ignore[index]


def test_a_naive_date_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Article(url="u", title="t", body="b", published_at=datetime(2016, 10, 19))
