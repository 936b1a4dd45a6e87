"""Offsite policy, conditional GET headers, retry backoff, and refusals named by code."""

from __future__ import annotations

import gzip

import pytest
from newsflow.crawlers.middlewares import (
    AgencyMetaRefreshMiddleware,
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
from scrapy.http import HtmlResponse, Response
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


def test_a_redirect_to_an_address_that_is_not_http_is_refused_not_handed_on() -> None:
    # Scrapy declines to follow it and hands on the 301 itself, which failed as http_4xx.
    for target in ("file:///etc/passwd", "ftp://sana.sy/x", "data:text/plain,x"):
        refused = _refusal(_redirects(), Request("https://sana.sy/a"), target)
        assert refused.code is FailureCode.OFFSITE_REDIRECT
        assert (
            str(refused) == f"redirected to an address that is not http(s), not fetched: {target}"
        )


def _refreshes() -> AgencyMetaRefreshMiddleware:
    crawler = get_crawler(AgencySpider, {"NEWSFLOW_DELAY_OVERRIDE": 0, "REDIRECT_MAX_TIMES": 3})
    crawler.spider = crawler._create_spider(source="sana-en")
    return AgencyMetaRefreshMiddleware.from_crawler(crawler)


def _refresh(
    middleware: AgencyMetaRefreshMiddleware, request: Request, to: str, delay: int = 0
) -> Request | Response:
    page = f'<html><head><meta http-equiv="refresh" content="{delay}; url={to}"></head></html>'
    response = HtmlResponse(request.url, body=page.encode(), request=request)
    return middleware.process_response(request, response)


def _refused_refresh(
    middleware: AgencyMetaRefreshMiddleware, request: Request, to: str
) -> FetchRefused:
    with pytest.raises(FetchRefused) as refused:
        _refresh(middleware, request, to)
    assert refused.value.http_status == 200
    return refused.value


def test_a_meta_refresh_within_the_agency_is_followed_with_its_chain() -> None:
    hop = _refresh(_refreshes(), Request("https://sana.sy/a"), "/b")
    assert isinstance(hop, Request)
    assert (hop.url, hop.meta["redirect_urls"]) == ("https://sana.sy/b", ["https://sana.sy/a"])


def test_meta_refreshes_are_refused_by_name_like_redirects() -> None:
    middleware = _refreshes()
    away = _refused_refresh(middleware, Request("https://sana.sy/a"), "https://evil.example/a")
    assert (away.code, str(away)) == (
        FailureCode.OFFSITE_REDIRECT,
        "redirected off the agency's hosts to https://evil.example/a",
    )
    local = _refused_refresh(middleware, Request("https://sana.sy/a"), "file:///etc/passwd")
    assert local.code is FailureCode.OFFSITE_REDIRECT
    hop = _refresh(middleware, Request("https://sana.sy/a"), "https://sana.sy/b")
    assert isinstance(hop, Request)
    loop = _refused_refresh(middleware, hop, "https://sana.sy/a")
    assert (loop.code, str(loop)) == (
        FailureCode.REDIRECT_LOOP,
        "redirect loop: https://sana.sy/a -> https://sana.sy/b -> https://sana.sy/a",
    )
    request = Request("https://sana.sy/0")
    for n in range(1, 4):
        followed = _refresh(middleware, request, f"https://sana.sy/{n}")
        assert isinstance(followed, Request)
        request = followed
    assert _refused_refresh(middleware, request, "/4").code is FailureCode.TOO_MANY_REDIRECTS


def test_a_refresh_to_the_page_itself_or_a_slow_one_keeps_the_page() -> None:
    # A reload is no redirect (Scrapy followed it into its dupe filter and lost the page); a
    # refresh slower than METAREFRESH_MAXDELAY is not followed, wherever it points.
    middleware = _refreshes()
    request = Request("https://sana.sy/live")
    assert isinstance(_refresh(middleware, request, "https://sana.sy/live"), HtmlResponse)
    assert isinstance(_refresh(middleware, request, "file:///etc/passwd", 600), HtmlResponse)


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
