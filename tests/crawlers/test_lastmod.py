"""A lastmod trigger survives a kill: the refetch of a known, edited URL is never lost.

The crawl that reads the moved ``<lastmod>`` stores the sitemap's validators and queues the URL
again in one transaction. It is SIGKILLed the moment it asks for the article; the next crawl is
answered 304 for the sitemap and must still fetch the article, from the queue.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import select

from newsflow.replay import ReplayServer, Route, load_routes

SOURCE = "sana-en"
ARTICLE = "https://sana.sy/en/?p=92385"
SITEMAP = "https://sana.sy/en/news-sitemap.xml"
TIMEOUT = 120.0


def _crawl(replay: ReplayServer, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "NEWSFLOW_DATABASE_URL": url,
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "newsflow.crawlers.run", "--source", SOURCE],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _finish(replay: ReplayServer, url: str, log: Path) -> None:
    assert _crawl(replay, url, log).wait(timeout=TIMEOUT) == 0, log.read_text()[-3000:]


def _validated(route: Route) -> Route:
    etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
    return Route(route.status, route.body, {**route.headers, "ETag": etag})


def _versions(url: str) -> list[list[str]]:
    with session_scope(url) as session:
        return list(
            session.execute(
                select(models.ArticleVersion.changed_fields)
                .join(models.Article, models.Article.id == models.ArticleVersion.article_id)
                .where(models.Article.url == ARTICLE)
            ).scalars()
        )


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_a_crawl_killed_after_reading_a_moved_lastmod_refetches_on_the_next_run(
    database_url: str, tmp_path: Path
) -> None:
    routes = dict(load_routes())
    routes[SITEMAP] = _validated(routes[SITEMAP])
    with ReplayServer(routes) as replay:
        _finish(replay, database_url, tmp_path / "first.log")
        loc = f"<loc>{ARTICLE}</loc>".encode()
        stamp = f"<lastmod>{datetime.now(UTC).isoformat()}</lastmod>".encode()
        routes[SITEMAP] = _validated(Route(200, routes[SITEMAP].body.replace(loc, loc + stamp)))
        edited = routes[ARTICLE].body.replace(b"Kremlin spokesman", b"Kremlin press secretary")
        for url in (ARTICLE, "https://archive.sana.sy/en/?p=92385"):
            routes[url] = Route(200, edited, routes[url].headers)

        replay.delay = 1.0  # the article's answer comes well after the kill
        asked = len(replay.hits_for(ARTICLE))
        child = _crawl(replay, database_url, tmp_path / "killed.log")
        deadline = time.monotonic() + TIMEOUT
        while len(replay.hits_for(ARTICLE)) == asked:
            assert child.poll() is None and time.monotonic() < deadline, "no refetch asked"
            time.sleep(0.002)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert _versions(database_url) == []
        replay.delay = 0.0

        sitemap_hits = len(replay.hits_for(SITEMAP))
        _finish(replay, database_url, tmp_path / "after.log")
    hits = replay.hits_for(SITEMAP)
    assert [h.status for h in hits[sitemap_hits:]] == [304]  # only the queue knows it
    assert _versions(database_url) == [["body"]]
    with session_scope(database_url) as session:
        pending = session.execute(
            select(models.Discovery.url).where(models.Discovery.done_at.is_(None))
        ).scalars()
        assert ARTICLE not in set(pending)
