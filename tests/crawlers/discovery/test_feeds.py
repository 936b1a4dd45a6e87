"""Feeds: items and dates as the reference says; malformed feeds read, unusable ones named."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from crawlers.discovery.feeds import FeedError, parse_feed
from newsflow.replay import SITES_DIR

SANA = SITES_DIR / "sana"


def test_feed_items_and_dates_match_the_reference() -> None:
    reference = json.loads((SANA / "reference" / "feed_en.json").read_text())
    feed = parse_feed((SANA / "recorded" / "en_feed_rss2.xml").read_bytes(), reference["url"])
    expected = [(i["link"], datetime.fromisoformat(i["pubDate_utc"])) for i in reference["items"]]
    assert [(i.url, i.date) for i in feed.items] == expected
    assert feed.problem is None
    assert feed.newest == expected[0][1]


def test_malformed_feed_still_yields_its_item_and_names_the_problem() -> None:
    body = (SANA / "recorded" / "ar_feed_malformed.xml").read_bytes()
    feed = parse_feed(body, "https://sana.sy/feed/")
    assert [i.url for i in feed.items] == ["https://sana.sy/?p=462137"]
    assert feed.problem and "duplicate attribute" in feed.problem


@pytest.mark.parametrize("body", [b"", b"User-agent: *\nDisallow: /", b"<html><p>hi</p></html>"])
def test_a_feed_without_items_that_is_not_a_feed_is_an_error(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body, "https://sana.sy/feed/")
