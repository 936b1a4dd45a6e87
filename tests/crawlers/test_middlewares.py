"""Offsite policy, conditional GET headers, retry backoff, and refusals named by code."""

from __future__ import annotations

import gzip

import pytest
from newsflow.crawlers.middlewares import (
    AgencyOffsiteMiddleware,
    AgencyRedirectMiddleware,
    BoundedDecompressionMiddleware,
    ConditionalGetMiddleware,
    FetchRefused,
    backoff_delay,
)
from newsflow.crawlers.spiders.agency import AgencySpider
from newsflow.db.session import session_scope
from newsflow.db.store import sync_sources, update_feed
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newsflow.failures import FailureCode
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


def _redirects() -> AgencyRedirectMiddleware:
    crawler = get_crawler(AgencySpider, {"NEWSFLOW_DELAY_OVERRIDE": 0, "REDIRECT_MAX_TIMES": 3})
    crawler.spider = crawler._create_spider(source="sana-en")
    return AgencyRedirectMiddleware.from_crawler(crawler)


def _follow(middleware: AgencyRedirectMiddleware, request: Request, to: str) -> Request:
    response = Response(request.url, status=301, headers={"Location": to}, request=request)
    result = middleware.process_response(request, response)
    assert isinstance(result, Request)
    return result


def _refusal(middleware: AgencyRedirectMiddleware, request: Request, to: str) -> FetchRefused:
    with pytest.raises(FetchRefused) as refused:
        _follow(middleware, request, to)
    assert refused.value.http_status == 301
    return refused.value


def test_redirects_within_the_agency_are_followed_with_their_chain() -> None:
    hop = _follow(_redirects(), Request("https://sana.sy/en/?p=1"), "https://archive.sana.sy/x")
    assert (hop.url, hop.meta["redirect_urls"]) == (
        "https://archive.sana.sy/x",
        ["https://sana.sy/en/?p=1"],
    )


def test_a_redirect_loop_is_refused_as_a_loop() -> None:
    middleware = _redirects()
    hop = _follow(middleware, Request("https://sana.sy/a"), "https://sana.sy/b")
    refused = _refusal(middleware, hop, "https://sana.sy/a")
    assert refused.code is FailureCode.REDIRECT_LOOP
    assert (
        str(refused) == "redirect loop: https://sana.sy/a -> https://sana.sy/b -> https://sana.sy/a"
    )


def test_a_chain_past_the_hop_limit_is_refused_as_too_many() -> None:
    middleware = _redirects()
    request = Request("https://sana.sy/0")
    for hop in range(1, 4):
        request = _follow(middleware, request, f"https://sana.sy/{hop}")
    refused = _refusal(middleware, request, "https://sana.sy/4")
    assert refused.code is FailureCode.TOO_MANY_REDIRECTS
    assert isinstance(refused, IgnoreRequest)  # Scrapy still calls the errback


def test_a_redirect_off_the_agency_hosts_is_refused_as_offsite() -> None:
    refused = _refusal(_redirects(), Request("https://sana.sy/a"), "https://sana.sy.evil.example/a")
    assert refused.code is FailureCode.OFFSITE_REDIRECT
    assert "https://sana.sy.evil.example/a" in str(refused)


def test_a_body_past_the_limit_once_decompressed_is_refused_by_name() -> None:
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 1000})
    middleware = BoundedDecompressionMiddleware.from_crawler(crawler)
    request = Request("https://sana.sy/en/?p=1")
    headers = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
    small = Response(request.url, body=gzip.compress(b"<p>x</p>"), headers=headers)
    assert middleware.process_response(request, small).body == b"<p>x</p>"
    bomb = Response(request.url, body=gzip.compress(b" " * 100_000), headers=headers)
    with pytest.raises(FetchRefused) as refused:
        middleware.process_response(request, bomb)
    assert (refused.value.code, refused.value.http_status) == (FailureCode.DECOMPRESSION_LIMIT, 200)
    assert "exceeded DOWNLOAD_MAXSIZE (1000 B)" in str(refused.value)
