"""One pace per host across crawls: reservations a delay apart on the database's clock, the
middleware that keeps them, and two crawls of one host's editions, side by side in two
processes, sharing its rate (request times read by a local server)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from newsflow.crawlers.extensions import RobotsCrawlDelay
from newsflow.crawlers.pace import LEAD, HostPaceMiddleware, Reservation, reserve
from newsflow.crawlers.run import crawl_in_subprocess
from newsflow.db import models
from newsflow.db.session import session_scope
from protego import Protego
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred, maybeDeferred
from twisted.internet.task import Clock

from newsflow.registry import REGISTRY_PATH_ENV

HOST = "paced.example"
DELAY = 0.3  # the agency's crawl delay in the end-to-end test
ARTICLES = 5  # per edition
EDITIONS = ("en", "ar")
# Starts are reserved exactly a delay apart; a request leaves when its crawl's reactor gets to
# it: a millisecond or two after its start, tens on a loaded machine (a wake later than a
# tenth of the delay gives its start up and reserves again). Seen on 2 CPUs, loaded up to 11,
# for 0.3 s: median gaps 0.300 to 0.305 s, the shortest 0.276 s.
JITTER = 0.05

AGENCY_TOML = f"""
id = "paced"
name = "Paced site"
homepage = "https://{HOST}/"
timezone = "UTC"
domains = ["{HOST}"]
crawl_delay = {DELAY}
""" + "".join(
    f"""
[editions.{key}]
language = "{key}"
feeds = ["https://{HOST}/{key}/feed.xml"]
article_patterns = ['^https://paced\\.example/{key}/news/\\d+$']
"""
    for key in EDITIONS
)


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


def _first_sent(
    database_url: str, delay: float, url: str = f"https://{HOST}/a"
) -> tuple[Clock, HostPaceMiddleware, Request]:
    """A crawl's pace on a fake clock whose first request to the host has gone, at once."""
    clock = Clock()
    pace = _middleware(database_url, delay, clock)
    first, went = _started(pace, url)
    clock.advance(LEAD)
    assert went == [None]
    return clock, pace, first


def _next_at(database_url: str, host: str) -> float | None:
    with session_scope(database_url) as session:
        pace = session.get(models.HostPace, host)
        return pace.next_at if pace else None


def test_a_request_reserves_only_once_the_one_before_it_is_answered(store_url: str) -> None:
    # The fake clock runs far ahead of the database's, whose few real seconds never matter.
    clock, pace, first = _first_sent(store_url, 100.0, f"https://www.{HOST}/a")
    reserved = _next_at(store_url, HOST)  # www. and the bare name share one pace
    assert reserved is not None
    _, waiting = _started(pace, f"https://{HOST}/b")
    clock.advance(600)
    assert waiting == [] and _next_at(store_url, HOST) == reserved  # not even reserved yet
    _, elsewhere = _started(pace, f"https://archive.{HOST}/c")
    clock.advance(LEAD)
    assert elsewhere == [None]  # another host goes its own way
    pace.process_response(first, Response(first.url))
    assert _next_at(store_url, HOST) == pytest.approx(reserved + 100.0)
    clock.advance(90)  # its start: 100 s after the first's, on the database's clock
    assert waiting == []
    clock.advance(10 + LEAD)
    assert waiting == [None]
    assert pace.stats.get_value("newsflow/pace_missed") is None


@pytest.fixture
def answered_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reservation's wait as the database gave it: on a fake clock, the real time a busy
    machine took between the answer and the wait (more than LEAD, at times) is not the test's."""
    monkeypatch.setattr(Reservation, "left", lambda self: self.wait)


@pytest.mark.usefixtures("answered_at_once")
def test_a_start_woken_too_late_for_is_taken_again_from_now(store_url: str) -> None:
    clock = Clock()
    pace = _middleware(store_url, 10.0, clock)
    _, outcome = _started(pace, f"https://{HOST}/a")
    clock.advance(5)  # a stalled reactor: about 5 s past the start, more than a tenth of 10 s
    assert outcome == [] and pace.stats.get_value("newsflow/pace_missed") == 1
    # Nobody reserved after it: the start moves to now, and the next one a delay after that,
    # where giving it up would have queued behind it, a whole delay later.
    assert _next_at(store_url, HOST) == pytest.approx(time.time() + LEAD + 10.0, abs=1)
    clock.advance(LEAD)
    assert outcome == [None]


@pytest.mark.usefixtures("answered_at_once")
def test_a_start_woken_too_late_for_is_given_up_when_another_crawl_reserved_after_it(
    store_url: str,
) -> None:
    clock = Clock()
    pace = _middleware(store_url, 10.0, clock)
    _, outcome = _started(pace, f"https://{HOST}/a")
    theirs = reserve(store_url, HOST, 10.0)  # another crawl of the host, a delay later
    clock.advance(5)
    assert outcome == [] and pace.stats.get_value("newsflow/pace_missed") == 1
    # Taken now, it would come too soon before theirs: it queues behind theirs instead.
    assert _next_at(store_url, HOST) == pytest.approx(theirs.start + 2 * 10.0, abs=0.01)
    clock.advance(2 * 10.0 - 1)  # its new start is the one after theirs
    assert outcome == []
    clock.advance(1 + LEAD)
    assert outcome == [None]  # the second start is kept


def test_the_next_request_waits_a_delay_after_the_one_before_really_left(store_url: str) -> None:
    clock, pace, first = _first_sent(store_url, 10.0)
    clock.advance(4)  # the reactor sent it 4 s after its start; its answer came in at once
    first.meta["download_latency"] = 0.0
    pace.process_response(first, Response(first.url))
    with session_scope(store_url) as session:  # the database's clock moves those 4 s too
        session.get_one(models.HostPace, HOST).next_at -= 4
    _, waiting = _started(pace, f"https://{HOST}/b")
    clock.advance(10 - 4 + LEAD)  # the host's next start: only 6 s after the first really left
    assert waiting == []
    clock.advance(4)
    assert waiting == [None]


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


def test_robots_txt_crawl_delay_slows_the_host_s_pace_and_never_speeds_it() -> None:
    pace = _middleware("sqlite:///unused.sqlite3", 1.0, Clock())
    crawler = SimpleNamespace(
        settings=Settings({"USER_AGENT": "newsflow"}), get_downloader_middleware=lambda _: pace
    )
    robots = RobotsCrawlDelay(crawler)  # type: ignore[arg-type]
    for asked in ("7", "0.5"):
        rules = Protego.parse(f"User-agent: *\nCrawl-delay: {asked}\n")
        robots.robots_parsed(rules, Request(f"https://www.{HOST}/robots.txt"))
    assert pace.delay_for(HOST) == 7.0
    assert pace.delay_for(f"archive.{HOST}") == 1.0


def test_the_pace_is_switched_off_by_its_setting() -> None:
    with pytest.raises(NotConfigured):
        HostPaceMiddleware.from_crawler(get_crawler(settings_dict={"NEWSFLOW_PACE": False}))


# -- two crawls of one host ----------------------------------------------------------------


@dataclass
class PacedSite:
    """An agency site on 127.0.0.1 (mirror layout) noting when each request arrived.

    It answers nothing until both crawls have asked for robots.txt, so the two crawl side by
    side however far apart their processes got going.
    """

    arrivals: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    both_started: threading.Event = field(default_factory=threading.Event)

    def answer(self, path: str) -> tuple[int, str, bytes]:
        with self.lock:
            self.arrivals.append((time.monotonic(), path))
            if sum(p == "/robots.txt" for _, p in self.arrivals) == len(EDITIONS):
                self.both_started.set()
        self.both_started.wait(timeout=30)
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        for key in EDITIONS:
            if path == f"/{key}/feed.xml":
                return 200, "application/rss+xml", _feed(key)
            if path.startswith(f"/{key}/news/"):
                return 200, "text/html; charset=utf-8", _article(path)
        return 404, "text/plain", b"not here"


def _feed(key: str) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>https://{HOST}/{key}/news/{n}</link>"
        f"<pubDate>Tue, 01 Dec 2026 0{n}:00:00 GMT</pubDate></item>"
        for n in range(1, ARTICLES + 1)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{key}</title>'
        f"<link>https://{HOST}/{key}/</link>{items}</channel></rss>"
    ).encode()


def _article(path: str) -> bytes:
    text = f"The harbour at {path} reopened on Tuesday after a week of storms. " * 8
    return (
        f"<html><head><title>Story {path}</title>"
        '<meta property="article:published_time" content="2026-12-01T10:00:00Z"></head>'
        f"<body><article><h1>Story {path}</h1><p>{text}</p><p>{text}</p></article></body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    site: PacedSite
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        status, kind, body = self.site.answer(self.path.removeprefix(f"/{HOST}"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def paced_site() -> Iterator[tuple[PacedSite, str]]:
    """The site and its base URL, served for one test."""
    site = PacedSite()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"site": site}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield site, f"http://{host!s}:{port}"
    server.shutdown()
    server.server_close()


def test_two_editions_crawled_at_once_share_their_host_s_pace(
    database_url: str,
    paced_site: tuple[PacedSite, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, base_url = paced_site
    (tmp_path / "paced.toml").write_text(AGENCY_TOML, encoding="utf-8")
    for name in ("NEWSFLOW_CRAWL__DELAY_OVERRIDE", "NEWSFLOW_CRAWL__SHARED_PACE"):
        monkeypatch.delenv(name, raising=False)  # the registry's delay, the default pace
    env = {
        "NEWSFLOW_DATABASE_URL": database_url,
        "NEWSFLOW_BASE_URL": base_url,
        REGISTRY_PATH_ENV: str(tmp_path),
    }
    with ThreadPoolExecutor(2) as pool:
        crawls = [
            pool.submit(crawl_in_subprocess, f"paced-{key}", None, env=env, timeout=60)
            for key in EDITIONS
        ]
        assert [c.result() for c in crawls] == [0, 0]

    times = [t for t, _ in site.arrivals]
    paths = sorted(p for _, p in site.arrivals)
    articles = [f"/{k}/news/{n}" for k in EDITIONS for n in range(1, ARTICLES + 1)]
    assert paths == sorted(["/robots.txt"] * 2 + [f"/{k}/feed.xml" for k in EDITIONS] + articles)
    gaps = [later - earlier for earlier, later in pairwise(times)]
    # From the second robots.txt on, both crawls were running and asking.
    shared = times[-1] - times[1]
    print(f"gaps {[round(g, 3) for g in gaps]}; {shared:.2f}s for {len(times) - 2} gaps")
    # No two requests closer than the delay but for the crawls' jitter, and most not even that.
    assert min(gaps) >= DELAY - JITTER
    assert statistics.median(gaps) >= DELAY - 0.005
    # Together as fast as one crawl of both editions: not twice as fast (each at the full
    # rate), nor near twice as slow (a start missed on a loaded machine costs a delay).
    paced = (len(times) - 2) * DELAY
    assert paced - JITTER <= shared <= 1.5 * paced
