"""Feeds: items and dates as the reference says; malformed feeds read, unusable ones named."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from newsflow.crawlers.discovery.feeds import FeedError, parse_feed

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


CYRILLIC_LINK = "https://ria.ru/20240312/переговоры-1932.html"


def _rss(declaration: str) -> str:
    return (
        f'<?xml version="1.0"{declaration}?><rss version="2.0"><channel><title>Лента новостей'
        f"</title><item><title>Переговоры в Москве</title><link>{CYRILLIC_LINK}</link>"
        "<pubDate>Tue, 12 Mar 2024 10:00:00 +0300</pubDate></item></channel></rss>"
    )


@pytest.mark.parametrize("encoding", ["windows-1251", "koi8-r"])
@pytest.mark.parametrize(
    ("declared", "content_type"),
    [
        (True, "application/rss+xml"),
        (True, "text/xml"),  # RFC 3023 would say us-ascii: the declaration must win
        (True, "text/html"),
        (False, "application/rss+xml"),  # nothing declared: detected
        (False, "text/xml; charset={encoding}"),
    ],
)
def test_a_cyrillic_feed_reads_exactly_however_its_charset_is_given(
    encoding: str, declared: bool, content_type: str
) -> None:
    body = _rss(f' encoding="{encoding}"' if declared else "").encode(encoding)
    feed = parse_feed(
        body, "https://ria.ru/export/rss2/archive/index.xml", content_type.format(encoding=encoding)
    )
    assert [i.url for i in feed.items] == [CYRILLIC_LINK]
    assert feed.problem is None
