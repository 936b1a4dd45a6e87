"""The backfill progress line is read from the database while the crawl writes to it."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest
from newsflow.db import store
from newsflow.db.session import session_scope

from newsflow.article import Article
from newsflow.cli.progress import ProgressWatcher, progress_bar
from newsflow.registry import load_registry


def test_progress_counts_found_stored_and_failed(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with ProgressWatcher("sana-en", date(2016, 10, 1), date(2016, 10, 31), every=0.05):
        with session_scope(database_url) as session:
            store.sync_sources(session, load_registry().values())
            run_id = store.start_run(session, "sana-en", "backfill")
            store.record_discoveries(
                session,
                run_id,
                "sana-en",
                [
                    ("https://sana.sy/en/?p=1", date(2016, 10, 19), "listing"),
                    ("https://sana.sy/en/?p=2", date(2016, 10, 18), "listing"),
                ],
            )
            published = datetime(2016, 10, 19, 15, tzinfo=timezone(timedelta(hours=3)))
            store.save_article(
                session,
                Article(
                    url="https://sana.sy/en/?p=1",
                    title="t",
                    body="b",
                    published_at=published,
                    source="sana-en",
                ),
                None,
            )
            store.record_failure(
                session, run_id, "sana-en", "https://sana.sy/en/?p=2", "fetch", "HTTP 503", 503
            )
        time.sleep(0.5)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].endswith("sana-en: 2 URLs found, 1 articles in window, 1 failures")
    assert "] 0/2 URLs  0.0/s  ETA ?" in lines[-1]  # listed in the window, none settled yet


def test_the_bar_shows_settled_of_listed_the_rate_and_the_time_left() -> None:
    assert progress_bar(100, 50, 20, 10.0, width=10) == "[#####-----] 50/100 URLs  2.0/s  ETA 25s"
    assert progress_bar(4000, 100, 100, 10.0).endswith("100/4000 URLs  10.0/s  ETA 6m30s")
    assert progress_bar(3, 3, 0, 5.0, width=3) == "[###] 3/3 URLs  0.0/s  ETA 0s"
    assert progress_bar(0, 0, 0, 0.0, width=2) == "[--] 0/0 URLs  0.0/s  ETA ?"
