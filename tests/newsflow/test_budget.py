"""The budget pool: work past its time or memory budget costs its worker, never the caller."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from newsflow.budget import WORKER_NICENESS, BoundedPool, Budget, OverBudget, address_space

# Small budgets keep the test quick; a worker starts in well under a second without a warm-up.
BUDGET = Budget(seconds=1.0, memory_mb=200)


@pytest.fixture(scope="module")
def pool() -> Iterator[BoundedPool]:
    pool = BoundedPool(1, BUDGET)
    yield pool
    pool.close()


def square(value: int) -> int:
    return value * value


def forever() -> None:
    while True:
        time.sleep(0.01)


def hoard(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def fail() -> None:
    raise ValueError("a bug in the stage")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def worker_pid() -> int:
    return os.getpid()


def test_work_within_budget_returns_its_result(pool: BoundedPool) -> None:
    assert pool.submit(square, 12).result() == 144


def test_work_past_its_time_is_stopped_and_its_worker_replaced(pool: BoundedPool) -> None:
    before = pool.submit(worker_pid).result()
    started = time.monotonic()
    with pytest.raises(OverBudget, match="took over 1 s"):
        pool.submit(forever).result(timeout=30)
    assert time.monotonic() - started < 10
    after = pool.submit(worker_pid).result(timeout=30)
    assert after != before  # the stuck worker was killed, a new one took its place
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)


def test_work_past_its_memory_fails_alone(pool: BoundedPool) -> None:
    with pytest.raises(OverBudget, match="needed over 200 MB"):
        pool.submit(hoard, 400).result(timeout=30)
    # The cap is per article: the same worker takes the next one, up to its budget again.
    assert pool.submit(hoard, 150).result(timeout=30) == 150 * 1024 * 1024


def test_a_worker_that_dies_fails_only_its_article(pool: BoundedPool) -> None:
    with pytest.raises(OverBudget, match="worker died"):
        pool.submit(die).result(timeout=30)
    assert pool.submit(square, 3).result(timeout=30) == 9


def test_a_stage_error_is_passed_on_as_itself(pool: BoundedPool) -> None:
    with pytest.raises(ValueError, match="a bug in the stage"):
        pool.submit(fail).result(timeout=30)


def niceness() -> int:
    return os.nice(0)


def test_workers_run_below_their_owner_s_priority(pool: BoundedPool) -> None:
    # A crawl's reactor, woken by its host's next start, gets a busy core first.
    expected = min(19, os.nice(0) + WORKER_NICENESS)
    assert pool.submit(niceness).result(timeout=60) == expected


def test_address_space_is_what_the_process_maps() -> None:
    with open("/proc/self/status") as status:
        vm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    assert abs(address_space() - vm_kb * 1024) < 64 * 1024 * 1024


CEILING_CHILD = """
import resource
from newsflow.budget import BoundedPool, Budget, OverBudget, address_space, apply_memory_ceiling
if __name__ == "__main__":
    ceiling = address_space() // 2**20 + 600
    apply_memory_ceiling(ceiling)
    apply_memory_ceiling(ceiling * 10)  # a higher ceiling never lifts a lower one
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == ceiling * 2**20
    try:
        bytearray(2 * 1024**3)
    except MemoryError:
        print("process: MemoryError")
    # The workers inherit the ceiling: a budget above it does not lift it.
    pool = BoundedPool(1, Budget(30, 4096))
    try:
        pool.submit(bytearray, 2 * 1024**3).result()
    except OverBudget as exc:
        print("worker:", exc)
    pool.close()
"""


def test_the_memory_ceiling_holds_for_the_process_and_its_workers(tmp_path) -> None:
    script = tmp_path / "ceiling.py"
    script.write_text(CEILING_CHILD)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.splitlines() == [
        "process: MemoryError",
        "worker: needed over 4096 MB",
    ]


def _uses_a_shared_pool() -> None:
    """In a child started by multiprocessing: a shared pool used, and left open."""
    from newsflow.budget import shared_pool

    assert shared_pool("test-exit", 1, BUDGET, None).submit(os.getpid).result() > 0


def test_a_process_started_by_multiprocessing_ends_with_its_shared_pool_open() -> None:
    """It ends with os._exit, no atexit: multiprocessing would wait for the pool's workers,
    which wait for their task pipe to close (a forked flow run that never ended)."""
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=_uses_a_shared_pool)
    child.start()
    child.join(timeout=60)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive and child.exitcode == 0
