"""One pace per host across crawls: reservations a delay apart on the database's clock, and
the middleware that keeps them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from newsflow.crawlers.pace import LEAD, HostPaceMiddleware, Reservation, reserve
from newsflow.db import models
from newsflow.db.session import session_scope
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.task import Clock

HOST = "paced.example"


# -- reservations --------------------------------------------------------------------------

# A child process that reserves for the test: what another worker or machine would do.
RESERVING_CHILD = """
import json, sys
from newsflow.crawlers.pace import reserve
url, host, delay, count = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps([vars(reserve(url, host, delay)) for _ in range(count)]))
"""


def _reserve_in_child(url: str, host: str, delay: float, count: int) -> subprocess.Popen[str]:
    """A child that reserves ``count`` times once it reads a line (it says "ready" first)."""
    command = [sys.executable, "-c", RESERVING_CHILD, url, host, str(delay), str(count)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


def test_reservations_from_threads_and_processes_are_a_delay_apart(database_url: str) -> None:
    delay = 1.0  # long beside the test: every reservation after the first queues behind another
    children = [_reserve_in_child(database_url, HOST, delay, 8) for _ in range(2)]
    for child in children:  # all at once: two processes and four threads
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.close()
    with ThreadPoolExecutor(4) as pool:
        reservations = list(pool.map(lambda _: reserve(database_url, HOST, delay), range(16)))
    for child in children:
        assert child.stdout is not None
        reservations += [Reservation(**r) for r in json.loads(child.stdout.read())]
        assert child.wait(timeout=60) == 0
    starts = sorted(r.start for r in reservations)
    assert len(starts) == 32
    first = starts[0]
    # Each start is exactly one delay after the one before (to a float's rounding at 1.8e9 s).
    assert [round(s - first, 4) for s in starts] == [float(i) for i in range(32)]
    # Each wait runs from the database's now at reservation: after the first reservation's
    # (LEAD before the first start) and within the few seconds the reservations took.
    for r in reservations:
        assert -0.001 <= r.start - r.wait - (first - LEAD) < 10


def test_another_host_does_not_wait_behind_a_busy_one(database_url: str) -> None:
    for _ in range(5):
        busy = reserve(database_url, HOST, 60.0)
    assert busy.wait > 239  # four minutes queued on paced.example
    other = reserve(database_url, f"other.{HOST}", 60.0)
    assert LEAD - 0.001 <= other.wait <= LEAD  # at once, but for the lead every start has
    assert abs(other.start - (busy.start - busy.wait)) < 5  # both now, on the same clock


# -- the middleware ------------------------------------------------------------------------


def _middleware(database_url: str, delay: float, clock: Clock) -> HostPaceMiddleware:
    """The pace of a crawl with ``delay``, on ``clock``, reserving in the calling thread."""
    settings = {
        "NEWSFLOW_PACE": True,
        "NEWSFLOW_DATABASE_URL": database_url,
        "NEWSFLOW_CRAWL_DELAY": delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,  # the project's
    }
    return HostPaceMiddleware(get_crawler(settings_dict=settings), clock, maybeDeferred)


def _started(middleware: HostPaceMiddleware, url: str) -> tuple[Request, list[Any]]:
    """A request handed to the middleware as Scrapy would; the list gets None once it may go."""
    request = Request(url)
    outcome: list[Any] = []
    Deferred.fromCoroutine(middleware.process_request(request)).addBoth(outcome.append)
    return request, outcome


def _next_at(database_url: str, host: str) -> float | None:
    with session_scope(database_url) as session:
        pace = session.get(models.HostPace, host)
        return pace.next_at if pace else None


def test_a_request_reserves_only_once_the_one_before_it_is_answered(store_url: str) -> None:
    clock = Clock()
    pace = _middleware(store_url, 10.0, clock)
    first, went = _started(pace, f"https://www.{HOST}/a")
    clock.advance(LEAD)
    assert went == [None]
    reserved = _next_at(store_url, HOST)  # www. and the bare name share one pace
    assert reserved is not None
    _, waiting = _started(pace, f"https://{HOST}/b")
    clock.advance(60)
    assert waiting == [] and _next_at(store_url, HOST) == reserved  # not even reserved yet
    _, elsewhere = _started(pace, f"https://archive.{HOST}/c")
    clock.advance(LEAD)
    assert elsewhere == [None]  # another host goes its own way
    pace.process_response(first, Response(first.url))
    assert _next_at(store_url, HOST) == pytest.approx(reserved + 10.0)
    clock.advance(9.8)  # its start: ten seconds after the first's, on the database's clock
    assert waiting == []
    clock.advance(LEAD + 0.2)  # the first went LEAD after its reservation, this one's now
    assert waiting == [None]
    assert pace.stats.get_value("newsflow/pace_missed") is None


def test_a_start_woken_too_late_for_is_given_up_once(store_url: str) -> None:
    clock = Clock()
    pace = _middleware(store_url, 1.0, clock)
    _, outcome = _started(pace, f"https://{HOST}/a")
    clock.advance(0.5)  # a stalled reactor: 0.45 s past the start, more than a tenth of 1 s
    assert outcome == [] and pace.stats.get_value("newsflow/pace_missed") == 1
    start = time.time()
    assert _next_at(store_url, HOST) == pytest.approx(start + LEAD + 2.0, abs=0.2)  # 2 starts
    clock.advance(1.1)
    assert outcome == [None]  # the second start is kept


def test_with_no_delay_requests_pass_without_the_database(tmp_path: Path) -> None:
    unusable = f"sqlite:///{tmp_path / 'no-such-store.sqlite3'}"
    pace = _middleware(unusable, 0.0, Clock())
    outcomes = [_started(pace, f"https://{HOST}/{n}")[1] for n in range(3)]
    assert outcomes == [[None]] * 3
    assert not (tmp_path / "no-such-store.sqlite3").exists()  # never even opened
    assert pace.stats.get_value("newsflow/pace_fallbacks") is None


def test_without_the_database_a_crawl_paces_itself_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    unmigrated = f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}"  # no host_pace table
    clock = Clock()
    pace = _middleware(unmigrated, 2.0, clock)
    first, went = _started(pace, f"https://{HOST}/a")
    assert went == [None]  # not lost: it goes at once
    _, waiting = _started(pace, f"https://{HOST}/b")
    pace.process_exception(first, TimeoutError())
    clock.advance(1.9)
    assert waiting == []  # this crawl's own pace: two seconds after the first
    clock.advance(0.1)
    assert waiting == [None]
    assert pace.stats.get_value("newsflow/pace_fallbacks") == 2
    warnings = [r for r in caplog.records if "shared pace unavailable" in r.getMessage()]
    assert len(warnings) == 1 and "no such table: host_pace" in warnings[0].getMessage()


def test_the_pace_is_switched_off_by_its_setting() -> None:
    with pytest.raises(NotConfigured):
        HostPaceMiddleware.from_crawler(get_crawler(settings_dict={"NEWSFLOW_PACE": False}))
