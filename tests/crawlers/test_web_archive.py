"""The web archive through the real crawler: a fallback, a removal's last capture, a backfill.

SANA's recorded site and a Wayback-style archive (tests/webarchive_site.py) are served by one
replay on 127.0.0.1; the archive is one more host behind the mirror (``web.archive.test``),
declared in SANA's registry entry in place of the Wayback Machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsflow.crawlers.run import crawl_in_subprocess
from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import select

from newsflow.cli import main
from newsflow.replay import ReplayServer, Route
from tests.webarchive_site import (
    ARCHIVE,
    CDX,
    REPLAY,
    archive_hits,
    archive_registry,
    archive_replay,
    assert_paced,
)

SLOW = "https://archive.sana.sy/en/?p=92371"  # answers after the site's patience ran out
SLOW_UNCAPTURED = "https://archive.sana.sy/en/?p=92340"  # as slow, and never captured
DELETED = "https://sana.sy/en/?p=92318"
SOFT_404 = "https://sana.sy/en/?p=92296"
HTML = {"Content-Type": "text/html; charset=UTF-8"}
NOT_FOUND_PAGE = (
    b"<html><head><title>Page not found - SANA</title></head><body>"
    b"<h1>Oops! That page can't be found.</h1><p>Nothing was found at this location.</p>"
    b"</body></html>"
)


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SANA's registry entry with the test archive as its English edition's web archive."""
    with archive_registry(tmp_path, monkeypatch, revisit_all=True):
        yield


@pytest.fixture
def site() -> Iterator[ReplayServer]:
    """SANA's recorded site, two archive-host pages slower than its patience, and the archive."""
    with archive_replay(slow=(SLOW, SLOW_UNCAPTURED)) as server:
        yield server


def _crawl(site: ReplayServer, database_url: str, **options: str) -> None:
    env = {
        "NEWSFLOW_BASE_URL": site.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",  # the site is local; the archive keeps its delay
        "NEWSFLOW_DATABASE_URL": database_url,
    }
    since, until, mode = options.get("since"), options.get("until"), options.get("mode")
    assert crawl_in_subprocess("sana-en", None, since, until, env=env, timeout=90, mode=mode) == 0


def _articles() -> dict[str, models.Article]:
    with session_scope() as session:
        return {a.url: a for a in session.execute(select(models.Article)).scalars()}


def _failures() -> dict[str, str | None]:
    with session_scope() as session:
        rows = session.execute(select(models.Failure.url, models.Failure.code)).all()
    return {url: code for url, code in rows}


def test_an_article_the_site_times_out_is_stored_from_its_closest_capture(
    database_url: str, registry: None, site: ReplayServer
) -> None:
    _crawl(site, database_url)

    articles = _articles()
    slow = articles["https://sana.sy/en/?p=92371"]
    assert slow.via == "web-archive"
    # The 2016 capture (nearest the listed day), not the later one; read raw, default port gone.
    assert slow.capture_url == f"{REPLAY}20161019113000id_/http://archive.sana.sy/en/?p=92371"
    assert slow.captured_at == datetime(2016, 10, 19, 11, 30, tzinfo=UTC)
    assert "archived 2019" not in slow.title and slow.body
    printed = CliRunner().invoke(main, ["history", slow.url], prog_name="newsflow")
    assert f"read from web-archive: {slow.capture_url} (2016-10-19 11:30 UTC)" in printed.output
    assert all(a.via is None for url, a in articles.items() if url != slow.url)
    failures = _failures()
    assert SLOW not in failures and slow.url not in failures  # the capture stood in for it
    # Never captured: the site's own failure is recorded, as without an archive, under the
    # address it was listed at first (a listing names the archive host, the sitemap sana.sy).
    uncaptured = {SLOW_UNCAPTURED, "https://sana.sy/en/?p=92340"}
    assert [failures[url] for url in uncaptured & set(failures)] == ["timeout"]
    assert not uncaptured & set(articles)
    # Both of the article's addresses were asked about, and nothing but the archive's captures.
    asked = [hit.url for hit in archive_hits(site.hits) if hit.url.startswith(CDX)]
    assert any("archive.sana.sy%2Fen%2F%3Fp%3D92371" in url for url in asked)
    assert any("%2F%2Fsana.sy%2Fen%2F%3Fp%3D92371" in url for url in asked)
    assert_paced(site)


def test_a_removed_article_gets_its_last_capture_linked_and_history_shows_it(
    database_url: str, registry: None, site: ReplayServer
) -> None:
    _crawl(site, database_url)
    assert _articles()[DELETED].archived_capture_url is None
    assert SOFT_404 in _articles()
    gone = Route(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
    site.routes["https://archive.sana.sy/en/?p=92318"] = gone
    # Another article's page now says it is not found, with a 200: a soft 404.
    site.routes["https://archive.sana.sy/en/?p=92296"] = Route(200, NOT_FOUND_PAGE, HTML)
    asked_before = len(archive_hits(site.hits))

    _crawl(site, database_url, mode="revisit")

    deleted = _articles()[DELETED]
    assert deleted.removed_reason == "not_found"
    # The newest successful capture under either address (the 2018 one answered 404).
    last = f"{REPLAY}20170605120000id_/https://sana.sy/en/?p=92318"
    assert deleted.archived_capture_url == last
    assert deleted.archived_capture_at == datetime(2017, 6, 5, 12, tzinfo=UTC)
    assert deleted.via is None  # its text is still the site's
    soft = _articles()[SOFT_404]
    assert soft.removed_reason == "not_found"
    assert soft.archived_capture_url == f"{REPLAY}20161017150000id_/https://sana.sy/en/?p=92296"
    linked = {a.url for a in _articles().values() if a.archived_capture_url}
    assert linked == {DELETED, SOFT_404}  # only the removed articles were looked up
    assert len(archive_hits(site.hits)) - asked_before == 4  # their two addresses, no fetch
    printed = CliRunner().invoke(main, ["history", DELETED], prog_name="newsflow")
    assert printed.exit_code == 0, printed.output
    assert f"last capture in the web archive: {last} (2017-06-05 12:00 UTC)" in printed.output


def test_a_backfill_from_the_archive_stores_exactly_the_window_s_captured_articles(
    database_url: str, registry: None, site: ReplayServer
) -> None:
    _crawl(site, database_url, since="2016-10-10", until="2016-10-16", mode="web-archive")

    articles = _articles()
    assert set(articles) == {
        "https://sana.sy/en/?p=92188",  # 10 October, captured twice (one row a URL)
        "https://sana.sy/en/?p=92207",  # 12 October, captured under the archive host
        "https://sana.sy/en/?p=92251",  # 16 October, captured after the window
    }
    assert all(a.via == "web-archive" and a.capture_url for a in articles.values())
    assert articles["https://sana.sy/en/?p=92207"].capture_url == (
        f"{REPLAY}20161013100000id_/http://archive.sana.sy/en/?p=92207"
    )
    fetched = {hit.url for hit in archive_hits(site.hits) if "id_/" in hit.url}
    # Published outside the window, captured inside the index's range: read, then left out.
    assert f"{REPLAY}20161012090000id_/https://sana.sy/en/?p=92150" in fetched
    # Captured before the window: never asked for; a listing is no article.
    assert not any("92040" in url or "cat=106" in url for url in fetched)
    assert not [
        hit
        for hit in site.hits
        if not hit.url.startswith(ARCHIVE + "/") and "robots.txt" not in hit.url
    ]  # the site itself was never asked
    assert_paced(site)
