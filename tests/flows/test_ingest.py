"""The ingest flow end to end: replay → Scrapy child process → database, twice in one process."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows import ingest as ingest_flow
from newsflow.flows.ingest import ingest, ingest_sources
from prefect import flow
from sqlalchemy import select

SEED = "https://sana.sy/en/?p=92385"
SEED_BODY_START = "Moscow, SANA – Kremlin spokesman Dmitry Peskov said"
SEED_BODY_END = "Sergey Lavrov and US State Secretary John Kerry."
FEED = "https://sana.sy/en/?feed=rss2"


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_two_runs_in_one_process_store_once_and_use_conditional_get(
    database_url: str, replay, fast_crawl
) -> None:
    first = ingest_sources(["sana-en", "sana-ar"], base_url=replay.base_url)
    feed_hits_before = len(replay.hits_for(FEED))
    seed_hits_before = len(replay.hits_for(SEED))
    second = ingest_sources(["sana-en", "sana-ar"], base_url=replay.base_url)

    by_source = {s["source"]: s for s in first}
    assert {s["status"] for s in first + second} == {"completed"}
    assert by_source["sana-en"]["counts"]["articles_new"] >= 4
    assert by_source["sana-ar"]["counts"]["articles_new"] == 1
    assert all(s["counts"].get("articles_new", 0) == 0 for s in second)

    repeat = replay.hits_for(FEED)[feed_hits_before:]
    assert repeat and repeat[0].status == 304
    assert repeat[0].headers.get("If-None-Match") == '"3a9e8ba7e25f5cc4c7a7219a1228c968"'
    assert len(replay.hits_for(SEED)) == seed_hits_before  # known articles are not refetched

    with session_scope(database_url) as session:
        urls = session.execute(select(models.Article.url)).scalars().all()
        seed = session.execute(
            select(models.Article).where(models.Article.url == SEED)
        ).scalar_one()
    assert len(urls) == len(set(urls))
    assert (
        seed.title
        == "Russia: Kremlin waiting for US and European response to Belgian airstrikes in Aleppo"
    )
    assert seed.body.startswith(SEED_BODY_START) and seed.body.endswith(SEED_BODY_END)
    assert seed.authors == ["Hazem Sabbagh"]
    assert seed.published_at == datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    assert seed.published_offset_minutes == 180
    assert seed.provenance["published_at"]
    assert (seed.dateline, seed.language, seed.section) == ("Moscow", "en", "Politics")


def test_failures_are_recorded_and_the_run_goes_on(database_url: str, replay, fast_crawl) -> None:
    summary = ingest("sana-en", base_url=replay.base_url)
    with session_scope(database_url) as session:
        failures = session.execute(select(models.Failure)).scalars().all()
        runs = session.execute(select(models.CrawlRun)).scalars().all()
    assert summary["status"] == "completed" and len(runs) == 1
    assert runs[0].counts == summary["counts"]  # what the database keeps is what was reported
    assert summary["counts"]["duplicates_exact"] == 0
    missing = [f for f in failures if f.url == "https://sana.sy/en/?cat=106&paged=2"]
    assert missing and missing[0].http_status == 404


def test_unknown_source_fails_with_the_known_ones_named(database_url: str) -> None:
    state = ingest("nope-xx", return_state=True)
    assert state.is_failed()
    assert "sana-en" in str(state.result(raise_on_failure=False))


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_dedup_and_enrichment_follow_the_crawl_and_finish_after_it(
    database_url: str, replay, fast_crawl, monkeypatch
) -> None:
    monkeypatch.setattr(replay, "delay", 0.5)  # a slow site: the crawl outlasts several rounds
    monkeypatch.setattr(ingest_flow, "FOLLOW_IDLE_SECONDS", 0.1)
    summary = ingest("sana-en", base_url=replay.base_url)
    counts = summary["counts"]
    with session_scope(database_url) as session:
        articles = session.execute(select(models.Article)).scalars().all()
        originals = [a for a in articles if a.duplicate_of_id is None]
    assert summary["status"] == "completed"
    assert 0 < counts["dedup_checked_during_crawl"] <= len(articles)
    assert 0 < counts["enriched_during_crawl"] <= counts["enriched"] == len(originals)
    # Nothing left queued (what enrichment beside dedup leaves: tests/db/test_enrichment.py).
    assert all(a.dedup_hash == a.content_hash == a.enriched_hash for a in articles)


def test_a_crawl_storing_an_article_at_a_time_is_followed_in_rounds_of_several(
    monkeypatch,
) -> None:
    # A round's transactions cost more than its article: one round per stored article (a crawl
    # at its host's pace) would spend most of the follower's CPU on them.
    rounds: list[str] = []

    def one_each(source_id: str, *args: object, **kwargs: object) -> Counter[str]:
        rounds.append(source_id)
        return Counter(dedup_checked=1)

    monkeypatch.setattr(ingest_flow, "deduplicate_source", one_each)
    monkeypatch.setattr(ingest_flow, "enrich_source", lambda *a, **k: Counter(enriched=1))
    monkeypatch.setattr(ingest_flow, "FOLLOW_IDLE_SECONDS", 0.25)
    done = threading.Event()

    @flow
    def crawl_of_one_second() -> dict[str, int]:
        following = ingest_flow.follow.submit("sana-en", 1, done)
        time.sleep(1.0)
        done.set()
        return following.result()

    counts = crawl_of_one_second()
    assert 1 <= len(rounds) <= 5  # one a quarter second, not one as soon as the last ended
    assert counts["dedup_checked"] == counts["enriched"] == len(rounds)
