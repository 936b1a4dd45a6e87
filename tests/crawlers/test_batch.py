"""Items written in batches: by size, by time, at the end; every outcome resolved."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from newsflow.crawlers.batch import DeferredStats, ItemBatch, Pending
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.python.failure import Failure


class Recorder:
    """A batch writer that remembers each batch and answers each item with its double."""

    def __init__(self, fail_on: object = None) -> None:
        self.batches: list[list[object]] = []
        self.fail_on = fail_on

    def __call__(self, batch: list[Pending]) -> None:
        self.batches.append([entry.item for entry in batch])
        if self.fail_on is not None and any(entry.item == self.fail_on for entry in batch):
            raise ValueError("boom")
        for entry in batch:
            assert entry.outcome is not None
            entry.outcome.callback(2 * entry.item)


def started(coroutine: Coroutine[Any, Any, Any]) -> list[Any]:
    """Run ``batch.add`` as Scrapy would (no asyncio reactor); the list gets its outcome."""
    outcome: list[Any] = []
    Deferred.fromCoroutine(coroutine).addBoth(outcome.append)
    return outcome


def test_a_full_batch_is_written_at_once_in_order() -> None:
    writer = Recorder()
    batch = ItemBatch(writer, size=3, seconds=60, clock=Clock())
    outcomes = [started(batch.add(n)) for n in range(6)]
    assert outcomes == [[0], [2], [4], [6], [8], [10]]
    assert writer.batches == [[0, 1, 2], [3, 4, 5]]


def test_a_partial_batch_is_written_when_its_oldest_item_waited_long_enough() -> None:
    writer, clock = Recorder(), Clock()
    batch = ItemBatch(writer, size=50, seconds=0.5, clock=clock)
    first = started(batch.add(1))
    clock.advance(0.3)
    second = started(batch.add(2))
    clock.advance(0.1)
    assert writer.batches == [] and first == []
    clock.advance(0.1)  # the oldest item has now waited 0.5 s
    assert first == [2] and second == [4] and writer.batches == [[1, 2]]


def test_flush_writes_what_is_pending_and_an_empty_flush_writes_nothing() -> None:
    writer, clock = Recorder(), Clock()
    batch = ItemBatch(writer, size=50, seconds=60, clock=clock)
    waiting = started(batch.add(7))
    batch.flush()
    batch.flush()
    assert waiting == [14] and writer.batches == [[7]]
    assert clock.getDelayedCalls() == []  # the batch's timer went with it


def test_a_writer_that_raises_fails_every_outcome_instead_of_hanging() -> None:
    batch = ItemBatch(Recorder(fail_on=2), size=2, seconds=60, clock=Clock())
    waiting = started(batch.add(1))
    filling = started(batch.add(2))  # its arrival wrote the batch
    for outcome in (waiting, filling):
        assert isinstance(outcome[0], Failure) and isinstance(outcome[0].value, ValueError)


def test_a_writer_that_leaves_an_item_unresolved_fails_it() -> None:
    batch = ItemBatch(lambda entries: None, size=1, seconds=60, clock=Clock())
    outcome = started(batch.add(1))
    assert isinstance(outcome[0], Failure) and "unwritten" in str(outcome[0].value)


def test_held_stats_count_only_when_applied() -> None:
    class Stats:
        def __init__(self) -> None:
            self.values: dict[str, int] = {}

        def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
            self.values[key] = self.values.get(key, start) + count

    held, stats = DeferredStats(), Stats()
    held.inc_value("newsflow/pages_fetched")
    held.inc_value("newsflow/not_modified", True)
    assert stats.values == {}
    held.apply(stats)
    assert stats.values == {"newsflow/pages_fetched": 1, "newsflow/not_modified": 1}
