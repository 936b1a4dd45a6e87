"""Per-source patience in the crawl: each request gets its source's timeout and retries for its
host, and no other source's.

Two agencies shaped like SANA (a live host and a slow archive host) are crawled at the same
time from one local server whose archive pages answer late or with 503s. Only ``patient``
declares patience, and only for its archive host.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from newsflow.crawlers.middlewares import BackoffRetryMiddleware
from newsflow.crawlers.patience import META, FetchPolicy, PatienceMiddleware, policy_of
from newsflow.crawlers.polite import PoliteClient
from newsflow.crawlers.run import crawl_in_subprocess
from newsflow.db import models
from newsflow.db.session import session_scope
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from newsflow.registry import REGISTRY_PATH_ENV, get_source, load_registry
from newsflow.replay import ReplayServer, Route
from newsflow.settings import get_settings

SLOW = 1.5  # seconds the slow pages take: past the default timeout of the test, within patience
DEFAULT_TIMEOUT = 1  # NEWSFLOW_CRAWL__TIMEOUT in the crawl children
DEFAULT_RETRIES = 1  # NEWSFLOW_CRAWL__RETRY_TIMES in the crawl children
PATIENT_RETRIES = 3
DAY = date(2024, 3, 12)

AGENCY = """
id = "{id}"
name = "{id} agency"
homepage = "https://{id}.example/"
timezone = "UTC"
domains = ["{id}.example"]
crawl_delay = 0.0
{patience}
[editions.en]
language = "en"
feeds = ["https://{id}.example/feed.xml"]
article_patterns = ['^https://(archive\\.)?{id}\\.example/news/']
"""
PATIENCE = f"""
[patience.hosts."archive.patient.example"]
download_timeout = {3 * SLOW}
retries = {PATIENT_RETRIES}
backoff = 0
"""
HTML = {"Content-Type": "text/html; charset=utf-8"}
PARAGRAPHS = (
    "The port authority reopened the main harbour on Tuesday after a week of storms that kept "
    "fishing boats and ferries at their moorings along the whole coast.",
    "Officials said divers had inspected the breakwater and found only minor damage, and that "
    "the ferry service to the islands would run on its summer timetable from Thursday.",
    "Fishermen welcomed the news but said the lost week would be felt in the markets, where "
    "prices for fresh fish had already doubled since the first storm warnings.",
)


def _article(title: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{title}</title>'
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2024-03-12T09:30:00+00:00">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def _feed(agency: str, urls: list[str]) -> Route:
    items = "".join(
        f"<item><title>{url}</title><link>{url}</link>"
        "<pubDate>Tue, 12 Mar 2024 09:30:00 GMT</pubDate></item>"
        for url in urls
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{agency}</title><link>https://{agency}.example/</link>{items}</channel></rss>"
    )
    return Route(200, body.encode(), {"Content-Type": "application/rss+xml"})


def _routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for agency in ("patient", "hasty"):
        slow = [
            f"https://archive.{agency}.example/news/slow",
            f"https://{agency}.example/news/slow",
        ]
        busy = [
            f"https://archive.{agency}.example/news/busy",
            f"https://{agency}.example/news/busy",
        ]
        for url in slow:
            routes[url] = Route(200, _article(f"A late page of {agency}"), HTML, delay=SLOW)
        for url in busy:
            routes[url] = Route(503, b"<h1>Service Unavailable</h1>", HTML)
        routes[f"https://{agency}.example/feed.xml"] = _feed(agency, slow + busy)
    return routes


@pytest.fixture(scope="module")
def slow_site() -> Iterator[ReplayServer]:
    with ReplayServer(_routes()) as server:
        yield server


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    directory = tmp_path / "agencies"
    directory.mkdir()
    for agency, patience in (("patient", PATIENCE), ("hasty", "")):
        text = AGENCY.format(id=agency, patience=patience)
        (directory / f"{agency}.toml").write_text(text, encoding="utf-8")
    return directory


def test_a_patient_host_gets_its_slow_page_while_others_time_out_and_queue_a_retry(
    database_url: str, slow_site: ReplayServer, registry: Path
) -> None:
    slow_site.hits.clear()
    env = {
        "NEWSFLOW_DATABASE_URL": database_url,
        "NEWSFLOW_BASE_URL": slow_site.base_url,
        REGISTRY_PATH_ENV: str(registry),
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "NEWSFLOW_CRAWL__CONCURRENT_PER_HOST": "4",  # the slow pages wait side by side
        "NEWSFLOW_CRAWL__TIMEOUT": str(DEFAULT_TIMEOUT),
        "NEWSFLOW_CRAWL__RETRY_TIMES": str(DEFAULT_RETRIES),
        "NEWSFLOW_CRAWL__RETRY_BACKOFF": "0",
    }
    with ThreadPoolExecutor(2) as pool:  # at the same time: patience must not leak across
        crawls = [
            pool.submit(crawl_in_subprocess, source, None, env=env, timeout=60)
            for source in ("patient-en", "hasty-en")
        ]
        assert [crawl.result() for crawl in crawls] == [0, 0]

    stored, failed, queue = _outcome(database_url)
    assert stored == {"https://archive.patient.example/news/slow"}
    assert failed == {
        "https://patient.example/news/slow": "timeout",
        "https://archive.hasty.example/news/slow": "timeout",
        "https://hasty.example/news/slow": "timeout",
        "https://archive.patient.example/news/busy": "http_5xx",
        "https://patient.example/news/busy": "http_5xx",
        "https://archive.hasty.example/news/busy": "http_5xx",
        "https://hasty.example/news/busy": "http_5xx",
    }
    # Every failure passes: its URL stays queued, one attempt counted, for the next run.
    assert queue == {url: (DAY, 1) for url in failed}
    assert _hits(slow_site) == {
        "https://archive.patient.example/news/slow": 1,
        "https://patient.example/news/slow": 1 + DEFAULT_RETRIES,
        "https://archive.hasty.example/news/slow": 1 + DEFAULT_RETRIES,
        "https://hasty.example/news/slow": 1 + DEFAULT_RETRIES,
        "https://archive.patient.example/news/busy": 1 + PATIENT_RETRIES,
        "https://patient.example/news/busy": 1 + DEFAULT_RETRIES,
        "https://archive.hasty.example/news/busy": 1 + DEFAULT_RETRIES,
        "https://hasty.example/news/busy": 1 + DEFAULT_RETRIES,
    }


def _outcome(
    database_url: str,
) -> tuple[set[str], dict[str, str | None], dict[str, tuple[date | None, int]]]:
    """Stored article URLs, failure codes by URL, and the queue: (listed day, attempts)."""
    found = models.Discovery
    with session_scope(database_url) as session:
        stored = set(session.execute(select(models.Article.url)).scalars())
        failed = dict(session.execute(select(models.Failure.url, models.Failure.code)).all())
        queue = session.execute(
            select(found.url, found.listed_on, found.attempts).where(found.done_at.is_(None))
        )
        return stored, failed, {url: (day, attempts) for url, day, attempts in queue}


def _hits(site: ReplayServer) -> dict[str, int]:
    counted: dict[str, int] = {}
    for hit in site.hits:
        if "/news/" in hit.url:
            counted[hit.url] = counted.get(hit.url, 0) + 1
    return counted


def _middleware(source_id: str | None) -> PatienceMiddleware:
    """The middleware of a crawl of ``source_id`` under the crawler's own settings."""
    settings = Settings()
    settings.setmodule("newsflow.crawlers.settings")
    source = get_source(source_id) if source_id else None
    crawler = SimpleNamespace(settings=settings, spider=SimpleNamespace(source=source))
    return PatienceMiddleware(crawler)  # type: ignore[arg-type]


def test_the_defaults_are_the_crawl_settings_and_sanas_archive_host_waits_minutes() -> None:
    middleware = _middleware("sana-en")
    live = Request("https://sana.sy/en/?p=92385")
    archive = Request("https://archive.sana.sy/en/?paged=2")
    for request in (live, archive):
        middleware.process_request(request)
    default = FetchPolicy(
        download_timeout=60.0,
        retries=3,
        retry_http_codes=frozenset({500, 502, 503, 504, 522, 524, 408, 429}),
        backoff=2.0,
        backoff_max=120.0,
    )
    assert policy_of(live) == middleware.defaults == default
    assert (live.meta["download_timeout"], live.meta["max_retry_times"]) == (60.0, 3)
    assert (archive.meta["download_timeout"], archive.meta["max_retry_times"]) == (150.0, 5)
    assert policy_of(archive) == FetchPolicy(150.0, 5, default.retry_http_codes, 30.0, 300.0)


def test_a_redirect_to_another_host_takes_that_hosts_patience() -> None:
    middleware = _middleware("sana-en")
    request = Request("https://archive.sana.sy/en/?p=1")
    middleware.process_request(request)
    hop = request.replace(url="https://sana.sy/en/?p=1")  # a redirect copies the meta
    middleware.process_request(hop)
    assert (hop.meta["download_timeout"], hop.meta["max_retry_times"]) == (60.0, 3)


def test_without_a_source_every_host_gets_the_defaults() -> None:
    middleware = _middleware(None)
    request = Request("https://archive.sana.sy/en/?p=1")
    middleware.process_request(request)
    assert policy_of(request) == middleware.defaults


def test_a_look_outside_the_crawl_waits_as_long_as_the_crawl_would(
    slow_site: ReplayServer, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The probe before a scheduled crawl and `sources check --live` read the listings too.
    monkeypatch.setenv("NEWSFLOW_CRAWL__TIMEOUT", str(DEFAULT_TIMEOUT))
    get_settings.cache_clear()
    source = load_registry(registry)["patient-en"]
    with PoliteClient(source.owns_host, 0, slow_site.base_url, patience=source.patience) as client:
        archive = client.get("https://archive.patient.example/news/slow", follow=False)
        live = client.get("https://patient.example/news/slow", follow=False)
    get_settings.cache_clear()
    assert (archive.ok, archive.problem) == (True, None)
    assert live.problem is not None and "Timeout" in live.problem


def test_the_retry_codes_and_backoff_are_the_requests_own() -> None:
    crawler = get_crawler(Spider)
    crawler.spider = crawler._create_spider("patience")
    retry = BackoffRetryMiddleware.from_crawler(crawler)
    policy = FetchPolicy(10.0, 2, frozenset({404}), backoff=0.0, backoff_max=0.0)
    asked = Request("https://archive.sana.sy/en/?p=1", meta={META: policy, "max_retry_times": 2})
    plain = Request("https://sana.sy/en/?p=1")

    def answer(request: Request, status: int) -> Request | Response:
        response = HtmlResponse(request.url, status=status)
        return asyncio.run(retry.process_response(request, response))

    again = answer(asked, 404)
    assert isinstance(again, Request) and again.meta["retry_times"] == 1
    assert isinstance(answer(asked, 503), Response)  # not one of the policy's codes
    assert isinstance(answer(plain, 404), Response)  # the settings' codes: 404 is not one
