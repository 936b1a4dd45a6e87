"""Scheduled runs through the real ingest flow: an idle poll probes and starts no crawl child.

RIA's recorded site (one feed with validators, one listing, no robots.txt) is served by a
replay of each test's own, whose routes change between runs as the agency's site would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from newsflow.db import models, store
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from sqlalchemy import func, select

from newsflow.replay import ReplayServer, Route, load_routes
from newsflow.settings import get_settings

SOURCE = "ria-ru"
ROBOTS = "https://ria.ru/robots.txt"
FEED = "https://ria.ru/export/rss2/archive/index.xml"
LISTING = "https://ria.ru/politics/"
INDEX = "https://ria.ru/sitemap_article_index.xml"
# A new article the site publishes between runs (the 2016 page, which no scheduled run reads).
NEW = "https://ria.ru/20240515/novoe-1945699999.html"
OLD_PAGE = "https://ria.ru/20161019/1479512345.html"


@pytest.fixture
def site() -> Iterator[ReplayServer]:
    """The recorded sites, served for this test alone: its routes may change."""
    with ReplayServer(load_routes()) as server:
        yield server


def _publish(site: ReplayServer) -> None:
    """NEW goes up on the site (the 2016 page under a new address, its canonical link too)."""
    page = site.routes[OLD_PAGE]
    site.routes[NEW] = Route(200, page.body.replace(OLD_PAGE.encode(), NEW.encode()), page.headers)


def _scheduled(site: ReplayServer) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    """A scheduled ingest run of ria-ru; its summary and the requests the site received."""
    before = len(site.hits)
    summary = ingest(SOURCE, kind="scheduled", base_url=site.base_url)
    assert summary["status"] == "completed", summary
    return summary, [(h.url, h.status) for h in site.hits[before:]]


def _run_pages(run_id: int) -> int:
    with session_scope() as session:
        pages = select(func.count()).select_from(models.Page).where(models.Page.run_id == run_id)
        return session.execute(pages).scalar_one()


def _stored_counts(run_id: int) -> dict[str, Any]:
    with session_scope() as session:
        run = session.get(models.CrawlRun, run_id)
        assert run is not None
        return dict(run.counts)


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_an_idle_scheduled_run_probes_and_starts_no_crawl(
    database_url: str, site: ReplayServer, fast_crawl: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _scheduled(site)  # nothing stored yet: the probe asks nothing, the child crawls
    assert "probe_skipped" not in first["counts"]
    assert first["counts"]["articles_new"] == 1 and first["counts"]["pages_fetched"] >= 3

    second, requests = _scheduled(site)

    # Only the probe's three requests: a crawl child would have asked them all again.
    assert requests == [(ROBOTS, 404), (FEED, 304), (LISTING, 200)]
    counts = second["counts"]
    assert counts["probe_skipped"] == 1 and counts["probe_requests"] == 3
    assert counts["not_modified"] == 1
    assert counts["pages_fetched"] == 0 and counts["articles_new"] == 0
    assert _run_pages(second["run_id"]) == 0
    assert _stored_counts(second["run_id"]) == counts  # the run row says what was reported

    monkeypatch.setenv("NEWSFLOW_CRAWL__PROBE", "0")  # switched off: the child crawls again
    get_settings.cache_clear()
    third, requests = _scheduled(site)
    assert "probe_skipped" not in third["counts"]
    assert third["counts"]["not_modified"] == 1 and third["counts"]["pages_fetched"] >= 1
    assert (FEED, 304) in requests and (LISTING, 200) in requests

    monkeypatch.delenv("NEWSFLOW_CRAWL__PROBE")
    get_settings.cache_clear()
    before = len(site.hits)
    day = date(2024, 5, 14)
    backfill = ingest(SOURCE, kind="backfill", since=day, until=day, base_url=site.base_url)
    assert backfill["status"] == "completed"
    assert "probe_skipped" not in backfill["counts"]  # a backfill never probes
    assert INDEX in [h.url for h in site.hits[before:]]  # its crawl read the sitemaps


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_a_feed_with_news_is_crawled_and_its_article_stored(
    database_url: str, site: ReplayServer, fast_crawl: None
) -> None:
    _scheduled(site)
    old = site.routes[FEED]
    item = f"<item><title>Новое</title><link>{NEW}</link><guid>{NEW}</guid></item>".encode()
    body = old.body.replace(b"<item>", item + b"<item>", 1)
    fresh = {"ETag": '"feed-2"', "Last-Modified": "Wed, 15 May 2024 08:00:00 GMT"}
    site.routes[FEED] = Route(200, body, {**old.headers, **fresh})
    _publish(site)

    summary, requests = _scheduled(site)

    assert "probe_skipped" not in summary["counts"]
    assert summary["counts"]["articles_new"] == 1
    assert (FEED, 200) in requests and (NEW, 200) in requests
    with session_scope() as session:
        assert session.execute(
            select(models.Article.id).where(models.Article.url == NEW)
        ).scalar_one()
        assert session.get(models.Feed, FEED).etag == '"feed-2"'  # stored by the crawl

    summary, requests = _scheduled(site)  # and then nothing is new again
    assert summary["counts"]["probe_skipped"] == 1
    assert requests == [(ROBOTS, 404), (FEED, 304), (LISTING, 200)]


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_a_failing_probe_or_a_queue_makes_the_scheduled_run_crawl(
    database_url: str, site: ReplayServer, fast_crawl: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_CRAWL__RETRY_BACKOFF", "0")  # the crawl retries the 500 at once
    get_settings.cache_clear()
    _scheduled(site)
    listing = site.routes[LISTING]
    site.routes[LISTING] = Route(500, b"down for maintenance")

    failed, requests = _scheduled(site)

    assert "probe_skipped" not in failed["counts"]
    assert requests.count((LISTING, 500)) > 1  # the probe's, then the crawl's with its retries
    with session_scope() as session:
        failures = session.execute(
            select(models.Failure.url, models.Failure.http_status).where(
                models.Failure.run_id == failed["run_id"]
            )
        ).all()
    assert (LISTING, 500) in failures  # recorded by the crawl, as any failure

    site.routes[LISTING] = listing
    _publish(site)
    with session_scope() as session:
        store.record_discoveries(session, None, SOURCE, [(NEW, date(2024, 5, 15), "feed")])

    queued, requests = _scheduled(site)

    assert "probe_skipped" not in queued["counts"]
    assert queued["counts"]["articles_new"] == 1 and (NEW, 200) in requests
    with session_scope() as session:
        assert store.pending_discoveries(session, SOURCE, 10) == []
