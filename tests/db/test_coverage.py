"""Coverage per agency-local day: discovered, stored, failed, and which days are gaps."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from db import store
from db.coverage import coverage_rows, is_gap, refresh_coverage
from db.session import session_scope
from newsflow.article import Article
from newsflow.registry import load_registry

DAMASCUS = ZoneInfo("Asia/Damascus")
UTC3 = timezone(timedelta(hours=3))


def test_refresh_counts_each_local_day_and_flags_gaps(database_url: str) -> None:
    with session_scope(database_url) as session:
        store.sync_sources(session, load_registry().values())
        run_id = store.start_run(
            session, "sana-en", "backfill", (date(2016, 10, 18), date(2016, 10, 20))
        )
        store.record_discoveries(
            session,
            run_id,
            "sana-en",
            [
                ("https://sana.sy/en/?p=1", date(2016, 10, 18), "listing"),
                ("https://sana.sy/en/?p=2", date(2016, 10, 19), "listing"),
                ("https://sana.sy/en/?p=3", date(2016, 10, 19), "listing"),
            ],
        )
        # 00:30 local on the 19th is still the 18th in UTC: days follow the agency's zone.
        for n, moment in (
            (1, datetime(2016, 10, 18, 9, 0, tzinfo=UTC3)),
            (2, datetime(2016, 10, 19, 0, 30, tzinfo=UTC3)),
        ):
            store.save_article(
                session,
                Article(
                    url=f"https://sana.sy/en/?p={n}",
                    title=f"t{n}",
                    body="b",
                    published_at=moment,
                    source="sana-en",
                ),
                None,
            )
        store.record_failure(
            session, run_id, "sana-en", "https://sana.sy/en/?p=3", "fetch", "HTTP 503", 503
        )
        assert (
            refresh_coverage(session, "sana-en", date(2016, 10, 18), date(2016, 10, 20), DAMASCUS)
            == 3
        )
    with session_scope(database_url) as session:
        rows = {
            r.day: (r.discovered, r.stored, r.failed, is_gap(r))
            for r in coverage_rows(session, "sana-en", date(2016, 10, 18), date(2016, 10, 20))
        }
    assert rows == {
        date(2016, 10, 18): (1, 1, 0, False),
        date(2016, 10, 19): (2, 1, 1, True),
        date(2016, 10, 20): (0, 0, 0, True),
    }
