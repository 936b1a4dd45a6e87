"""The backfill progress line is read from the database while the crawl writes to it."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from db import store
from db.session import session_scope
from newsflow.article import Article
from newsflow.cli.progress import ProgressWatcher
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
