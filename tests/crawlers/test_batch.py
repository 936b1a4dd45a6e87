"""Items written in batches: by size, by time, at the end; every outcome resolved."""

from __future__ import annotations

import asyncio

from newsflow.crawlers.batch import DeferredStats, ItemBatch, Pending


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
            entry.outcome.set_result(2 * entry.item)


def test_a_full_batch_is_written_at_once_in_order() -> None:
    async def run() -> tuple[list[int], Recorder]:
        writer = Recorder()
        batch = ItemBatch(writer, size=3, seconds=60)
        results = await asyncio.gather(*(batch.add(n) for n in range(6)))
        return list(results), writer

    results, writer = asyncio.run(run())
    assert results == [0, 2, 4, 6, 8, 10]
    assert writer.batches == [[0, 1, 2], [3, 4, 5]]


def test_a_partial_batch_is_written_when_its_oldest_item_waited_long_enough() -> None:
    async def run() -> tuple[list[int], Recorder, float]:
        writer = Recorder()
        batch = ItemBatch(writer, size=50, seconds=0.05)
        loop = asyncio.get_running_loop()
        started = loop.time()
        results = await asyncio.gather(batch.add(1), batch.add(2))
        return list(results), writer, loop.time() - started

    results, writer, waited = asyncio.run(run())
    assert results == [2, 4] and writer.batches == [[1, 2]] and 0.04 <= waited < 1


def test_flush_writes_what_is_pending_and_an_empty_flush_writes_nothing() -> None:
    async def run() -> Recorder:
        writer = Recorder()
        batch = ItemBatch(writer, size=50, seconds=60)
        waiting = asyncio.ensure_future(batch.add(7))
        await asyncio.sleep(0)  # the item is queued
        batch.flush()
        batch.flush()
        assert await waiting == 14
        return writer

    assert asyncio.run(run()).batches == [[7]]


def test_a_writer_that_raises_fails_every_outcome_instead_of_hanging() -> None:
    async def run() -> list[BaseException]:
        batch = ItemBatch(Recorder(fail_on=2), size=2, seconds=60)
        return await asyncio.gather(batch.add(1), batch.add(2), return_exceptions=True)

    waiting, filling = asyncio.run(run())
    assert isinstance(waiting, RuntimeError) and "unwritten" in str(waiting)
    assert isinstance(filling, ValueError)  # the item whose arrival wrote the batch


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
