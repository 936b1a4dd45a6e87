"""One pace per host, shared by every crawl: editions on one host share its crawl delay.

Each crawl is a process of its own (crawlers/run.py), and several may ask one host at once:
sana-en and sana-ar both on sana.sy, on one worker or on several machines. Scrapy's download
delay spaces the requests of one process only, so together they would ask twice as often.
Here every request reserves its start in the database (``host_pace``): one atomic statement
moves the host's ``next_at`` a crawl delay past the start it hands out, so starts are a delay
apart whichever crawl reserved them. Every time is the database's clock, never a worker's:
machines whose clocks disagree still agree on who waits how long.

A request reserves only once it could leave at once: while CONCURRENT_REQUESTS_PER_DOMAIN of
the host's requests are out in this crawl, the next waits before reserving. Reserved ahead,
starts passed during a slow answer would send the requests behind it back to back.

A crawl that wakes too late for its start (a busy core, a collection) takes it again from
now when nobody has reserved after it, and so loses only its lateness: giving the start up
and queueing behind it cost a whole delay, a slot in six on a loaded two-core machine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsflow.db import models
from newsflow.db.dialect import insert_for
from newsflow.db.session import session_scope
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.reactor import is_reactor_installed
from sqlalchemy import Float, case, cast, extract, func
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.defer import Deferred, DeferredSemaphore
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThread

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from sqlalchemy.orm import Session
    from sqlalchemy.sql.elements import ColumnElement

log = logging.getLogger(__name__)
UNIX_EPOCH_JULIAN_DAY = 2440587.5
# A start is handed out at least this far ahead, so that the crawl reserving it can keep it:
# its commit and the answer's way back take milliseconds. A start of "now" would always be
# kept late, and the next crawl's request, on time, would follow it by less than the delay.
LEAD = 0.05
# A crawl that wakes this share of the delay after its start (a stalled reactor, a loaded
# machine) does not send at once: sent so late, it could come too soon before the request
# reserved after it. It takes the start again from now if nobody reserved after it, and else
# reserves anew. Wakes a few milliseconds late are the rule, and kept.
MISSED = 0.1
# Two database times this close are one: a start handed out, read back as a float and sent
# again. Two different starts of a host are at least a delay apart.
SAME_INSTANT = 1e-3

Offload = Callable[..., "Deferred[Any]"]


@dataclass(frozen=True)
class Reservation:
    """A request's start (seconds since the epoch, database clock) and the wait until then,
    from ``answered``: this machine's ``time.time()`` when the database answered."""

    start: float
    wait: float
    answered: float

    def left(self) -> float:
        """Seconds still to wait now: the commit and the way back have used some."""
        return self.wait - (time.time() - self.answered)


def pace_key(host: str) -> str:
    """The name a host is paced under: lower case, without a leading ``www.``.

    ``www.sana.sy`` and ``sana.sy`` are one site behind two names, so they share one pace;
    other subdomains (``archive.sana.sy``) keep their own, as Scrapy's download slots do.
    """
    return host.lower().removeprefix("www.")


def reserve(
    database_url: str | None, host: str, delay: float, retake: Reservation | None = None
) -> Reservation:
    """Reserve the next start for ``host``, at least ``delay`` seconds after the one before;
    or take ``retake``, a start this crawl woke too late for, again from now (``reserve_in``)."""
    with session_scope(database_url) as session:
        return reserve_in(session, host, delay, retake)


def reserve_in(
    session: Session, host: str, delay: float, retake: Reservation | None = None
) -> Reservation:
    """``reserve`` in the session's transaction: one INSERT … ON CONFLICT DO UPDATE.

    The row lock (PostgreSQL) or the write lock (SQLite) orders concurrent reservations, and
    each moves ``next_at`` from the one before, so no two starts are closer than ``delay``;
    none is sooner than ``LEAD`` from the database's now.

    With ``retake``, while ``next_at`` is still the one that start set (nobody reserved after
    it), the start moves to the soonest: it comes later than the one it replaces, so it is
    still a delay past the start before it. Otherwise this is a reservation like any other.
    """
    now = database_now(session)
    soonest = now + LEAD
    pace = models.HostPace
    after = _later(session, pace.next_at, soonest)
    if retake is not None:
        untouched = func.abs(pace.next_at - (retake.start + delay)) < SAME_INSTANT
        after = case((untouched, soonest), else_=after)
    statement = (
        insert_for(session, pace)
        .values(host=host, next_at=soonest + delay)
        .on_conflict_do_update(index_elements=[pace.host], set_={"next_at": after + delay})
        .returning(pace.next_at, now)
    )
    next_at, clock = session.execute(statement).one()
    start = next_at - delay
    return Reservation(start, start - clock, time.time())


def database_now(session: Session) -> ColumnElement[float]:
    """Seconds since the epoch on the database's clock, as a SQL expression."""
    if session.get_bind().dialect.name == "postgresql":
        # clock_timestamp(), not now(): a transaction that waited for the row lock would
        # otherwise reserve from the time it began.
        return cast(extract("epoch", func.clock_timestamp()), Float)
    # SQLite's 'now' has milliseconds and holds still for one statement.
    return (func.julianday("now", type_=Float) - UNIX_EPOCH_JULIAN_DAY) * 86400.0


def _later(session: Session, first: Any, second: Any) -> ColumnElement[float]:
    if session.get_bind().dialect.name == "postgresql":
        return func.greatest(first, second, type_=Float)
    return func.max(first, second, type_=Float)  # SQLite's max() of two values is scalar


class HostPaceMiddleware:
    """Holds each request until the start its host's shared pace gives it (module doc).

    The delay is NEWSFLOW_CRAWL_DELAY (the agency's, or the override), raised per host by
    robots.txt (``slow_down``). With a delay of 0 (a local mirror) requests pass untouched,
    without a database round trip. When the database cannot reserve, the crawl goes on at
    its own pace (a warning once, ``newsflow/pace_fallbacks`` counts each such request);
    ``newsflow/pace_missed`` counts the starts woken too late for, taken again or given up.
    """

    def __init__(
        self, crawler: Crawler, clock: Any = None, offload: Offload = deferToThread
    ) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.database_url: str | None = settings.get("NEWSFLOW_DATABASE_URL")
        self.delay = settings.getfloat("NEWSFLOW_CRAWL_DELAY")
        self.concurrency = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1))
        self.clock = clock  # the reactor, or task.Clock in tests
        self.offload = offload  # a reservation waits for a lock: off the reactor's thread
        self.asked: dict[str, float] = {}  # robots.txt Crawl-delay, where longer
        self.gates: dict[str, DeferredSemaphore] = {}
        self.holding: dict[Request, DeferredSemaphore] = {}
        self.last_start: dict[str, float] = {}  # this crawl's own pace, on self.clock
        self.warned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Off with NEWSFLOW_PACE = False: each crawl then keeps Scrapy's DOWNLOAD_DELAY."""
        if not crawler.settings.getbool("NEWSFLOW_PACE"):
            raise NotConfigured
        return cls(crawler)

    def delay_for(self, host: str) -> float:
        """Seconds between two requests to ``host`` (a pace key)."""
        return max(self.delay, self.asked.get(host, 0.0))

    def slow_down(self, url: str, delay: float) -> bool:
        """Keep ``delay`` seconds between requests to the host of ``url``, if that is longer."""
        host = pace_key(urlsplit(url).hostname or "")
        if delay <= self.delay_for(host):
            return False
        self.asked[host] = delay
        return True

    async def process_request(self, request: Request) -> None:
        """Wait for a free place among the host's requests, then for the reserved start."""
        host = pace_key(urlparse_cached(request).hostname or "")
        if self.delay_for(host) <= 0:
            return
        gate = self.gates.setdefault(host, DeferredSemaphore(self.concurrency))
        await _awaitable(gate.acquire())
        self.holding[request] = gate
        # A missed start is taken again once; the second is kept however late: never lost.
        missed = await self._keep_start(host)
        if missed is not None:
            self.stats.inc_value("newsflow/pace_missed")
            await self._keep_start(host, missed)

    def process_response(self, request: Request, response: Response) -> Response:
        """The answer is in: the host's next request may reserve, and no sooner than a delay
        after this one really left (a busy reactor may have sent it well after its start)."""
        self._release(request)
        latency = request.meta.get("download_latency")
        if latency is not None:
            host = pace_key(urlparse_cached(request).hostname or "")
            left = self._clock().seconds() - latency
            self.last_start[host] = max(self.last_start.get(host, left), left)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """No answer (a timeout, a refusal): the host's next request may reserve."""
        self._release(request)

    def _release(self, request: Request) -> None:
        gate = self.holding.pop(request, None)  # an answer may pass both hooks, or neither
        if gate is not None:
            gate.release()

    async def _keep_start(self, host: str, retake: Reservation | None = None) -> Reservation | None:
        """Reserve a start (or take ``retake`` again) and wait for it. None once it is kept; the
        reservation when this crawl woke too late to keep it."""
        delay = self.delay_for(host)  # robots.txt may have raised it while the request waited
        reserved = await self._reserve(host, delay, retake)
        now = self._clock().seconds()
        wait = reserved.left() if reserved else 0.0
        last = self.last_start.get(host)
        if last is not None:  # never sooner than this crawl's own pace allows
            wait = max(wait, last + delay - now)
        due = now + wait
        if wait > 0:
            await _awaitable(deferLater(self._clock(), wait))
        woke = self._clock().seconds()
        if reserved is not None and retake is None and woke - due > MISSED * delay:
            return reserved
        self.last_start[host] = woke
        return None

    async def _reserve(
        self, host: str, delay: float, retake: Reservation | None
    ) -> Reservation | None:
        """The database's start for the host; None when it cannot be asked (a warning once),
        and the crawl keeps its own pace alone."""
        try:
            return await _awaitable(self.offload(reserve, self.database_url, host, delay, retake))
        except SQLAlchemyError as exc:
            self._fell_back(host, exc)
            return None

    def _fell_back(self, host: str, exc: SQLAlchemyError) -> None:
        self.stats.inc_value("newsflow/pace_fallbacks")
        if not self.warned:
            self.warned = True
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            log.warning("shared pace unavailable (%s): pacing %s by this crawl alone", reason, host)

    def _clock(self) -> Any:
        if self.clock is None:
            # Imported late: importing the reactor installs one, and Scrapy picks which.
            from twisted.internet import reactor

            self.clock = reactor
        return self.clock


def _awaitable(deferred: Deferred[Any]) -> Any:
    # A Future only under an asyncio reactor; the Deferred itself under any other reactor, and
    # with no reactor at all (tests drive the pace with a Clock), as in crawlers/batch.py.
    return maybe_deferred_to_future(deferred) if is_reactor_installed() else deferred
