"""Items stored in batches: one transaction for several items instead of one each.

A transaction's fixed cost (a commit is a disk sync) used to be paid per article. The pipeline
now hands each item to an ``ItemBatch`` and awaits its outcome; the batch is written in one
transaction once it holds ``size`` items or its oldest item has waited ``seconds``, whichever
comes first, and at the end of the crawl. What vouches for work still commits with it: each
article settles its queued URLs in the transaction that stores it, so a kill loses at most the
batch in hand, whose URLs stay queued for the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.reactor import is_reactor_installed
from twisted.internet.defer import Deferred


# What the batch uses of Twisted's IReactorTime and IDelayedCall (zope interfaces, which mypy
# cannot read as types): the reactor, or task.Clock in tests.
class Timer(Protocol):
    def active(self) -> bool: ...

    def cancel(self) -> None: ...


class Clock(Protocol):
    def callLater(self, delay: float, callable: Callable[[], None]) -> Timer: ...


@dataclass
class Pending:
    """One item waiting for its batch: what to write, and the outcome its caller awaits."""

    item: Any
    extracted: Any  # what was worked out before the write (an article page's extraction)
    outcome: Deferred[Any] | None = None


class ItemBatch:
    """Collects items and writes them together with ``write(list[Pending])``.

    ``write`` resolves every pending outcome (a result, or an exception such as DropItem).
    Outcomes are Twisted Deferreds and the timer is the reactor's (``clock``), so the batch
    works under whichever reactor Scrapy runs (crawlers/settings.py picks epoll).
    """

    def __init__(
        self,
        write: Callable[[list[Pending]], None],
        size: int = 50,
        seconds: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        self.write, self.size, self.seconds = write, max(1, size), seconds
        self.clock = clock
        self.pending: list[Pending] = []
        self._timer: Timer | None = None

    async def add(self, item: Any, extracted: Any = None) -> Any:
        """Queue an item; returns (or raises) its outcome once its batch is written."""
        outcome: Deferred[Any] = Deferred()
        self.pending.append(Pending(item, extracted, outcome))
        if len(self.pending) >= self.size:
            self.flush()
        elif self._timer is None:
            self._timer = self._clock().callLater(self.seconds, self.flush)
        # A Future only under an asyncio reactor; the Deferred itself under any other reactor,
        # and with no reactor at all (tests drive the batch with a Clock).
        return await (maybe_deferred_to_future(outcome) if is_reactor_installed() else outcome)

    def _clock(self) -> Clock:
        if self.clock is None:
            from twisted.internet import reactor  # late: importing it installs one

            self.clock = reactor  # type: ignore[assignment]
        assert self.clock is not None
        return self.clock

    def flush(self) -> None:
        """Write what is pending now (called by size, by time, and when the crawl ends)."""
        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        error: Exception = RuntimeError("item left unwritten")
        try:
            self.write(batch)
        except Exception as exc:  # each waiting item fails with it; flush itself never raises
            error = exc
        # An outcome nobody resolves would hold the crawl open for ever.
        for entry in batch:
            if entry.outcome is not None and not entry.outcome.called:
                entry.outcome.errback(error)


@dataclass
class DeferredStats:
    """Stat increments held back until the transaction they describe has committed."""

    increments: list[tuple[str, int]] = field(default_factory=list)

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        """Remember an increment (the stats collector's signature)."""
        self.increments.append((key, count))

    def apply(self, stats: Any) -> None:
        """Add the remembered increments to the crawl's stats."""
        for key, count in self.increments:
            stats.inc_value(key, count)
