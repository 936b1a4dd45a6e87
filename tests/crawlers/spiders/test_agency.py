"""The agency spider end to end: replay → child-process crawl → SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import select

from newsflow.replay import ReplayServer

SEED = "https://sana.sy/en/?p=92385"
FEED = "https://sana.sy/en/?feed=rss2"
TIMELINE = "https://archive.sana.sy/en/?paged={page}"
OCTOBER = json.loads(
    (Path(__file__).parents[2] / "fixtures/sites/sana/reference/backfill_2016-10.json").read_text()
)
OCTOBER_IDS = set(OCTOBER["post_ids"])


def _rows(url: str, model: type) -> list:
    with session_scope(url) as session:
        return list(session.execute(select(model)).scalars())


def _counts(url: str) -> list[dict]:
    return [run.counts for run in sorted(_rows(url, models.CrawlRun), key=lambda r: r.id)]


def test_scheduled_crawls_store_articles_then_only_ask_what_changed(
    crawl, store_url: str, replay: ReplayServer
) -> None:
    assert crawl("sana-en") == 0
    seed = next(a for a in _rows(store_url, models.Article) if a.url == SEED)
    assert seed.title == (
        "Russia: Kremlin waiting for US and European response to Belgian airstrikes in Aleppo"
    )
    assert seed.published_at == datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    assert seed.published_offset_minutes == 180
    failures = {(f.url, f.stage, f.http_status) for f in _rows(store_url, models.Failure)}
    assert ("https://sana.sy/en/?cat=106&paged=2", "fetch", 404) in failures
    feed = next(f for f in _rows(store_url, models.Feed) if f.url == FEED)
    assert (feed.item_count, feed.last_status) == (4, 200)

    feed_hits, seed_hits = len(replay.hits_for(FEED)), len(replay.hits_for(SEED))
    assert crawl("sana-en") == 0
    again = replay.hits_for(FEED)[feed_hits:]
    assert [h.status for h in again] == [304]
    assert again[0].headers["If-None-Match"] == '"3a9e8ba7e25f5cc4c7a7219a1228c968"'
    assert again[0].headers["If-Modified-Since"] == "Wed, 19 Oct 2016 13:03:27 GMT"
    assert len(replay.hits_for(SEED)) == seed_hits  # known articles are not refetched
    first, second = _counts(store_url)
    assert first["articles_new"] >= 5 and first["fetch_failures"] >= 1
    assert second["articles_new"] == 0 and second["not_modified"] >= 1
    assert second["skipped_known"] >= 5


def test_the_arabic_edition_reads_its_malformed_feed_and_records_the_problem(
    crawl, store_url: str
) -> None:
    assert crawl("sana-ar") == 0
    assert [a.url for a in _rows(store_url, models.Article)] == ["https://sana.sy/?p=462137"]
    problems = [f for f in _rows(store_url, models.Failure) if f.url == "https://sana.sy/feed/"]
    assert len(problems) == 1 and problems[0].stage == "parse"
    assert "duplicate attribute" in problems[0].reason
    assert _counts(store_url)[0]["articles_new"] == 1


def test_backfill_stores_exactly_the_window_and_stops_at_older_pages(
    crawl, store_url: str, replay: ReplayServer
) -> None:
    assert crawl("sana-en", since="2016-10-01", until="2016-10-31") == 0
    ids = {int(a.url.rsplit("=", 1)[1]) for a in _rows(store_url, models.Article)}
    assert ids == OCTOBER_IDS
    assert not replay.hits_for(TIMELINE.format(page=6))
    assert replay.hits_for(TIMELINE.format(page=5))  # September only from here on: stop

    hits = len(replay.hits)
    assert crawl("sana-en", since="2016-10-01", until="2016-10-31") == 0  # a resume
    articles = {h.url for h in replay.hits[hits:] if "?p=" in h.url}
    assert not articles
    assert _counts(store_url)[1]["articles_new"] == 0


def test_a_wider_backfill_reads_the_sitemaps_a_narrower_one_read_before(
    crawl, store_url: str, replay: ReplayServer
) -> None:
    assert crawl("sana-en", since="2016-10-19", until="2016-10-19") == 0
    narrow = {int(a.url.rsplit("=", 1)[1]) for a in _rows(store_url, models.Article)}
    assert narrow < OCTOBER_IDS
    hits = len(replay.hits)
    assert crawl("sana-en", since="2016-10-01", until="2016-10-31") == 0
    ids = {int(a.url.rsplit("=", 1)[1]) for a in _rows(store_url, models.Article)}
    assert ids == OCTOBER_IDS  # a 304 vouching for the narrow window would have hidden these
    sitemaps = [h for h in replay.hits[hits:] if "sitemap" in h.url]
    assert sitemaps and all("If-None-Match" not in h.headers for h in sitemaps)
