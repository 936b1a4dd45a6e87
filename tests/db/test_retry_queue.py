"""The retry queue per listing day: queued and given-up URLs counted from the discoveries."""

from __future__ import annotations

from datetime import date

from newsflow.db.retry_queue import RetryDay, retries_per_day, retry_days
from newsflow.db.session import session_scope

from .retry_queue_data import DAYS, PER_DAY, SOURCE, fill_queue


def test_a_windows_days_count_their_queued_and_given_up_urls(database_url: str) -> None:
    fill_queue(database_url)
    with session_scope(database_url) as session:
        window = retries_per_day(session, SOURCE, DAYS[0], DAYS[1])
        later = retries_per_day(session, SOURCE, date(2016, 11, 1), date(2016, 11, 30))
    assert window == {
        DAYS[0]: RetryDay(SOURCE, DAYS[0], *PER_DAY[DAYS[0]]),
        DAYS[1]: RetryDay(SOURCE, DAYS[1], *PER_DAY[DAYS[1]]),
    }
    assert later == {}


def test_the_status_lists_every_queued_url_and_the_recently_given_up_newest_first(
    database_url: str,
) -> None:
    fill_queue(database_url)
    with session_scope(database_url) as session:
        found = retry_days(session, [SOURCE, "tass-en"], given_up_since=DAYS[1])
    # The given-up URL of the first day was listed before DAYS[1]; its queued one still shows.
    assert found == [
        RetryDay(SOURCE, None, *PER_DAY[None]),
        RetryDay(SOURCE, DAYS[2], *PER_DAY[DAYS[2]]),
        RetryDay(SOURCE, DAYS[1], *PER_DAY[DAYS[1]]),
        RetryDay(SOURCE, DAYS[0], queued=1, given_up=0),
    ]
