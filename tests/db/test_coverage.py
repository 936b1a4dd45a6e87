"""Coverage per agency-local day: discovered, stored, missing, failed, and which days are gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from newsflow.db import store
from newsflow.db.coverage import coverage_rows, is_gap, refresh_coverage
from newsflow.db.session import session_scope

from newsflow.article import Article
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import load_registry

DAMASCUS = ZoneInfo("Asia/Damascus")
UTC3 = timezone(timedelta(hours=3))
LEGACY, ARCHIVE = "https://sana.sy/en/?p={}", "https://archive.sana.sy/en/?p={}"


def test_refresh_counts_each_local_day_and_flags_gaps(database_url: str) -> None:
    window = (date(2016, 10, 18), date(2016, 10, 20))
    with session_scope(database_url) as session:
        store.sync_sources(session, load_registry().values())
        run_id = store.start_run(session, "sana-en", "backfill", window)
        store.record_discoveries(
            session,
            run_id,
            "sana-en",
            [
                (LEGACY.format(1), date(2016, 10, 18), "sitemap"),
                (LEGACY.format(2), date(2016, 10, 19), "sitemap"),
                (ARCHIVE.format(2), date(2016, 10, 19), "listing"),  # the same post, other host
                (LEGACY.format(3), date(2016, 10, 19), "sitemap"),
            ],
        )
        page = FetchedPage(
            url=ARCHIVE.format(2),
            final_url=ARCHIVE.format(2),
            status=200,
            kind=PageKind.ARTICLE,
            fetched_at=datetime.now(UTC),
            body=b"<html>",
        )
        page_id = store.save_page(session, run_id, "sana-en", page)
        # 00:30 local on the 19th is still the 18th in UTC: days follow the agency's zone.
        for n, moment, page_of in (
            (1, datetime(2016, 10, 18, 9, 0, tzinfo=UTC3), None),
            (2, datetime(2016, 10, 19, 0, 30, tzinfo=UTC3), page_id),
        ):
            store.save_article(
                session,
                Article(
                    url=LEGACY.format(n),
                    title=f"t{n}",
                    body="b",
                    published_at=moment,
                    source="sana-en",
                ),
                page_of,
            )
        store.record_failure(session, run_id, "sana-en", LEGACY.format(3), "fetch", "HTTP 503", 503)
        assert refresh_coverage(session, "sana-en", *window, DAMASCUS) == 3
    with session_scope(database_url) as session:
        rows = {
            r.day: (r.discovered, r.stored, r.missing, r.failed, is_gap(r))
            for r in coverage_rows(session, "sana-en", *window)
        }
    assert rows == {
        date(2016, 10, 18): (1, 1, 0, 0, False),
        date(2016, 10, 19): (3, 1, 1, 1, True),  # only p=3 is missing: the twin URL is not
        date(2016, 10, 20): (0, 0, 0, 0, True),  # a wire agency with nothing at all that day
    }
