"""Offsite policy, conditional GET headers and retry backoff."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawlers.middlewares import AgencyOffsiteMiddleware, ConditionalGetMiddleware, backoff_delay
from crawlers.spiders.agency import AgencySpider
from db.session import session_scope
from db.store import sync_sources, update_feed
from newsflow.registry import get_source


def test_only_the_agency_hosts_pass_and_drops_are_counted() -> None:
    crawler = get_crawler(AgencySpider, {"NEWSFLOW_DELAY_OVERRIDE": 0})
    crawler.spider = crawler._create_spider(source="sana-en")
    middleware = AgencyOffsiteMiddleware.from_crawler(crawler)
    middleware.spider_opened(crawler.spider)
    for url in ("https://sana.sy/en/?p=1", "https://archive.sana.sy/en/?p=1"):
        middleware.process_request(Request(url))
    with pytest.raises(IgnoreRequest):
        middleware.process_request(Request("https://sana.sy.evil.example/en/?p=1"))
    assert crawler.stats.get_value("newsflow/offsite_dropped") == 1


def test_feed_requests_carry_the_stored_validators(store_url: str) -> None:
    url = "https://sana.sy/en/?feed=rss2"
    with session_scope(store_url) as session:
        sync_sources(session, [get_source("sana-en")])
        update_feed(
            session,
            url,
            "sana-en",
            "feed",
            200,
            etag='"abc"',
            last_modified="Wed, 19 Oct 2016 13:03:27 GMT",
        )
    middleware = ConditionalGetMiddleware(store_url)
    feed = Request(url, meta={"newsflow_kind": "feed"})
    article = Request(url, meta={"newsflow_kind": "article"})
    middleware.process_request(feed)
    middleware.process_request(article)
    assert feed.headers[b"If-None-Match"] == b'"abc"'
    assert feed.headers[b"If-Modified-Since"] == b"Wed, 19 Oct 2016 13:03:27 GMT"
    assert b"If-None-Match" not in article.headers


def test_backoff_doubles_up_to_the_cap_and_honours_retry_after() -> None:
    assert [backoff_delay(n, 2.0, 10.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 10.0]
    assert backoff_delay(1, 2.0, 120.0, at_least=30.0) == 30.0
