"""The probe before a scheduled crawl, against the recorded RIA site and a store a crawl filled.

One real crawl of ria-ru (one feed with validators, one listing, no robots.txt) fills a store
for the module; each test probes a copy of it through a replay of its own, whose routes it may
change as the agency would: a new feed, a changed listing page, an error, a robots.txt rule.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from newsflow.crawlers.probe import probe
from newsflow.crawlers.run import crawl_in_subprocess
from newsflow.db import migrate, models, store
from newsflow.db.session import dispose_engines, session_scope
from sqlalchemy import func, select

from newsflow.registry import get_source
from newsflow.replay import ReplayServer, Route, load_routes
from newsflow.settings import get_settings

SOURCE = "ria-ru"
ROBOTS = "https://ria.ru/robots.txt"
FEED = "https://ria.ru/export/rss2/archive/index.xml"
FEED_ETAG = '"a4c1f0e2b7d94d3e"'
LISTING = "https://ria.ru/politics/"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store after one real crawl of ria-ru: feed validators, the listing page, its article."""
    path = tmp_path_factory.mktemp("probe") / "crawled.sqlite3"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    with ReplayServer(load_routes()) as replay:
        env = {
            "NEWSFLOW_BASE_URL": replay.base_url,
            "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
            "NEWSFLOW_DATABASE_URL": url,
        }
        crawl_in_subprocess(SOURCE, None, env=env, timeout=120)
    dispose_engines()
    return path


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No politeness delay (a local replay), settings read afresh."""
    monkeypatch.setenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def stored(crawled: Path, tmp_path: Path, quick: None) -> Iterator[str]:
    """A copy of the crawled store for one test."""
    path = tmp_path / "store.sqlite3"
    shutil.copy(crawled, path)
    yield f"sqlite:///{path}"
    dispose_engines()


@pytest.fixture
def site() -> Iterator[ReplayServer]:
    """The recorded sites, served for this test alone: its routes may change."""
    with ReplayServer(load_routes()) as server:
        yield server


def _probe(site: ReplayServer, url: str, run_id: int | None = None) -> Any:
    return probe(get_source(SOURCE), run_id, url, site.base_url)


def _snapshot(url: str) -> dict[str, Any]:
    """Everything a probe could be tempted to write."""
    with session_scope(url) as session:
        feeds = session.execute(
            select(
                models.Feed.url,
                models.Feed.etag,
                models.Feed.last_modified,
                models.Feed.last_status,
                models.Feed.last_fetched_at,
            )
        ).all()
        discoveries = session.execute(
            select(models.Discovery.url, models.Discovery.done_at, models.Discovery.attempts)
        ).all()
        pages = session.execute(select(func.count()).select_from(models.Page)).scalar_one()
        runs = session.execute(select(models.CrawlRun.id, models.CrawlRun.counts)).all()
    return {"feeds": feeds, "discoveries": discoveries, "pages": pages, "runs": runs}


def test_a_first_run_crawls_without_a_request(
    store_url: str, site: ReplayServer, quick: None
) -> None:
    found = _probe(site, store_url)
    assert not found.nothing_new
    assert found.reason == f"no validators stored for {FEED}"
    assert (found.requests, found.not_modified) == (0, 0)
    assert site.hits == []


def test_nothing_new_after_a_crawl_costs_three_requests_and_writes_nothing(
    stored: str, site: ReplayServer
) -> None:
    before = _snapshot(stored)
    assert before["feeds"][0].etag == FEED_ETAG  # what the crawl stored

    found = _probe(site, stored)

    assert found.nothing_new, found.reason
    assert found.reason == "nothing new at 3 URLs (1 not modified)"
    assert (found.requests, found.not_modified) == (3, 1)
    assert [(h.url, h.status) for h in site.hits] == [(ROBOTS, 404), (FEED, 304), (LISTING, 200)]
    feed = site.hits[1]
    assert feed.headers["If-None-Match"] == FEED_ETAG
    assert feed.headers["If-Modified-Since"] == "Tue, 14 May 2024 17:05:00 GMT"
    agent = get_settings().crawl.user_agent
    assert {h.headers["User-Agent"] for h in site.hits} == {agent}
    assert _snapshot(stored) == before  # no validators, no feed rows, no pages


def test_a_feed_with_news_answers_200_and_means_crawl(stored: str, site: ReplayServer) -> None:
    before = _snapshot(stored)
    old = site.routes[FEED]
    body = old.body.replace(b"</channel>", b"<item><link>https://ria.ru/x</link></item></channel>")
    fresh = {"ETag": '"a-new-etag"', "Last-Modified": "Tue, 14 May 2024 18:00:00 GMT"}
    site.routes[FEED] = Route(200, body, {**old.headers, **fresh})

    found = _probe(site, stored)

    assert not found.nothing_new
    assert found.reason == f"{FEED} answered 200"
    assert (found.requests, found.not_modified) == (2, 0)  # robots.txt, the feed: no further
    assert _snapshot(stored) == before  # the new ETag is the crawl's to store


def test_a_changed_listing_page_means_crawl(stored: str, site: ReplayServer) -> None:
    old = site.routes[LISTING]
    site.routes[LISTING] = Route(
        200, old.body.replace(b"</body>", b"<p>new</p></body>"), old.headers
    )

    found = _probe(site, stored)

    assert not found.nothing_new
    assert found.reason == f"{LISTING} changed"
    assert (found.requests, found.not_modified) == (3, 1)


def test_a_listing_page_answering_304_to_its_stored_validators_is_unchanged(
    stored: str, site: ReplayServer
) -> None:
    with session_scope(stored) as session:
        page = session.execute(select(models.Page).where(models.Page.url == LISTING)).scalar_one()
        page.headers = {**page.headers, "Etag": '"politics-1"'}
    old = site.routes[LISTING]
    site.routes[LISTING] = Route(200, old.body, {**old.headers, "ETag": '"politics-1"'})

    found = _probe(site, stored)

    assert found.nothing_new, found.reason
    assert (found.requests, found.not_modified) == (3, 2)
    assert site.hits[-1].status == 304
    assert site.hits[-1].headers["If-None-Match"] == '"politics-1"'


def test_queued_discoveries_mean_crawl_without_a_request(stored: str, site: ReplayServer) -> None:
    queued = "https://ria.ru/20240514/duma-1945675599.html"
    with session_scope(stored) as session:
        store.record_discoveries(session, None, SOURCE, [(queued, date(2024, 5, 14), "feed")])

    found = _probe(site, stored)

    assert not found.nothing_new
    assert found.reason == "queued discoveries to fetch"
    assert found.requests == 0 and site.hits == []


def test_after_a_cut_run_the_crawl_walks_on_so_the_probe_says_crawl(
    stored: str, site: ReplayServer
) -> None:
    with session_scope(stored) as session:
        cut = store.start_run(session, SOURCE, "scheduled")
        store.finish_run(session, cut, {}, "timed_out", "stopped")
        run_id = store.start_run(session, SOURCE, "scheduled")

    found = _probe(site, stored, run_id)

    assert not found.nothing_new
    assert found.reason == "the source's last run was cut short"
    assert found.requests == 0


@pytest.mark.parametrize(
    ("url", "route", "reason"),
    [
        (FEED, Route(500, b"oops"), f"{FEED} answered 500"),
        (FEED, Route(200, b""), f"{FEED} answered 200"),  # a feed sent whole: its ETag is gone
        (
            LISTING,
            Route(301, b"", {"Location": "https://ria.ru/politics"}),
            f"{LISTING} answered 301",
        ),
        (LISTING, Route(404, b"gone"), f"{LISTING} answered 404"),
        (ROBOTS, Route(503, b"busy"), "robots.txt of ria.ru answered 503"),
    ],
)
def test_anything_but_not_modified_means_crawl(
    stored: str, site: ReplayServer, url: str, route: Route, reason: str
) -> None:
    before = _snapshot(stored)
    site.routes[url] = route

    found = _probe(site, stored)

    assert not found.nothing_new
    assert found.reason == reason
    assert _snapshot(stored) == before  # the crawl records the failure, not the probe


def test_a_site_that_is_down_means_crawl(stored: str) -> None:
    found = probe(get_source(SOURCE), None, stored, "http://127.0.0.1:9")
    assert not found.nothing_new
    assert found.reason.startswith(f"{ROBOTS}: ConnectError")
    assert found.requests == 1


def test_a_robots_txt_refusal_means_crawl_and_is_not_asked_when_not_obeyed(
    stored: str, site: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = b"User-agent: newsflow\nDisallow: /politics/\n\nUser-agent: *\nAllow: /\n"
    site.routes[ROBOTS] = Route(200, rules, {"Content-Type": "text/plain"})

    found = _probe(site, stored)
    assert not found.nothing_new
    assert found.reason == f"robots.txt disallows {LISTING}"
    assert [h.url for h in site.hits] == [ROBOTS, FEED]

    monkeypatch.setenv("NEWSFLOW_CRAWL__OBEY_ROBOTS_TXT", "0")
    get_settings.cache_clear()
    hits = len(site.hits)
    found = _probe(site, stored)
    assert found.nothing_new, found.reason
    assert [h.url for h in site.hits[hits:]] == [FEED, LISTING]  # robots.txt not even read


def test_requests_to_one_host_keep_the_crawl_delay(
    stored: str, site: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", "0.4")
    get_settings.cache_clear()
    started = time.monotonic()
    found = _probe(site, stored)
    assert found.nothing_new and found.requests == 3
    assert time.monotonic() - started >= 0.8  # two pauses: after robots.txt, after the feed
