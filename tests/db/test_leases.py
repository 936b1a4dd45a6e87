"""Source leases: one holder at a time, taken over only when expired or gone, on both stores."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from newsflow.db import leases, models, store
from newsflow.db.session import session_scope
from sqlalchemy import update

from newsflow.registry import load_registry
from newsflow.runs import RunParameterError


@pytest.fixture
def synced(database_url: str) -> str:
    with session_scope(database_url) as session:
        store.sync_sources(session, load_registry().values())
    return database_url


def _open(url: str, lease: leases.Lease, flow_run_id: str | None = None) -> int:
    with session_scope(url) as session:
        run_id = store.start_run(session, "sana-en", "backfill", flow_run_id=flow_run_id)
        leases.attach_run(session, lease, run_id)
    return run_id


def _status(url: str, run_id: int) -> tuple[str, datetime | None]:
    with session_scope(url) as session:
        run = session.get(models.CrawlRun, run_id)
        assert run is not None
        return run.status, run.finished_at


def _set_lease(url: str, **values: object) -> None:
    with session_scope(url) as session:
        session.execute(update(models.SourceLease).values(**values))


def test_a_held_source_is_refused_with_its_run_named_then_free_again(synced: str) -> None:
    first = leases.acquire("sana-en", url=synced, wait=0)
    run_id = _open(synced, first, flow_run_id="0b5e-flow")
    with pytest.raises(leases.SourceBusy) as busy:
        leases.acquire("sana-en", url=synced, wait=0)
    message = str(busy.value)
    assert message.startswith(
        f"sana-en is being crawled by run {run_id} (backfill, flow run 0b5e-flow) since "
    )
    assert message.endswith("Z; try again later")
    assert (
        leases.acquire("sana-ar", url=synced, wait=0).source_id == "sana-ar"
    )  # other sources free
    assert leases.release(first)
    assert not leases.release(first)  # released once
    assert leases.acquire("sana-en", url=synced, wait=0).token != first.token


def test_a_waiting_run_gets_the_source_when_it_is_released(synced: str) -> None:
    first = leases.acquire("sana-en", url=synced, wait=0)
    threading.Timer(1.0, leases.release, [first]).start()
    started = time.monotonic()
    second = leases.acquire("sana-en", url=synced, wait=20)
    assert 0.9 < time.monotonic() - started < 10
    assert second.token != first.token


def test_only_one_of_many_simultaneous_takers_wins(synced: str) -> None:
    winners: list[leases.Lease] = []
    refused: list[str] = []
    barrier = threading.Barrier(6)

    def take() -> None:
        barrier.wait()
        try:
            winners.append(leases.acquire("sana-en", url=synced, wait=0))
        except leases.SourceBusy as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(winners) == 1 and len(refused) == 5


def test_an_expired_lease_is_taken_over_and_its_run_closed_as_interrupted(synced: str) -> None:
    stale = leases.acquire("sana-en", url=synced, wait=0)
    stale_run = _open(synced, stale)
    _set_lease(synced, holder="elsewhere:1:1", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    taker = leases.acquire("sana-en", url=synced, wait=0)
    with session_scope(synced) as session:
        assert store.mark_interrupted(session, "sana-en") == 1
    assert _status(synced, stale_run)[0] == "interrupted"
    assert not leases.renew(stale)  # the old holder learns it lost the source
    assert leases.renew(taker)


def test_a_lease_of_another_host_is_waited_for_until_it_expires(synced: str) -> None:
    leases.acquire("sana-en", url=synced, wait=0)
    _set_lease(synced, holder="another-host:1:1")
    with pytest.raises(leases.SourceBusy):
        leases.acquire("sana-en", url=synced, wait=0)


def test_a_lease_whose_process_is_gone_is_taken_over_at_once(synced: str) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(gone.stdout)
    held = leases.acquire("sana-en", url=synced, wait=0)
    run_id = _open(synced, held)
    _set_lease(synced, holder=f"{leases.HOST}:{dead}:12345")
    assert leases.holder_gone(f"{leases.HOST}:{dead}:12345")
    assert not leases.holder_gone(leases.this_holder())
    assert leases.acquire("sana-en", url=synced, wait=0).token != held.token
    with session_scope(synced) as session:
        store.mark_interrupted(session, "sana-en")
    assert _status(synced, run_id)[0] == "interrupted"


def test_mark_interrupted_never_closes_the_run_of_a_live_lease(synced: str) -> None:
    live = leases.acquire("sana-en", url=synced, wait=0)
    run_id = _open(synced, live)
    with session_scope(synced) as session:
        killed = store.start_run(session, "sana-en", "manual")  # a run whose process died
        assert store.mark_interrupted(session, "sana-en") == 1
    assert _status(synced, run_id) == ("running", None)
    assert _status(synced, killed)[0] == "interrupted"


def test_a_partitioned_backfill_run_is_closed_once_its_beat_stops(synced: str) -> None:
    """Its months hold the lease in turn, the backfill's own run none: its beat tells whether
    its process lives."""
    window = (date(2016, 1, 1), date(2016, 3, 31))
    with session_scope(synced) as session:
        alive = store.start_run(session, "sana-en", "backfill", window, partitions=3)
        dead = store.start_run(session, "sana-en", "backfill", window, partitions=3)
        assert store.mark_interrupted(session, "sana-en") == 0  # both beat at their start
        store.beat(session, alive)
        long_ago = datetime.now(UTC) - timedelta(minutes=10)
        session.execute(
            update(models.CrawlRun).where(models.CrawlRun.id == dead).values(heartbeat_at=long_ago)
        )
        assert store.mark_interrupted(session, "sana-en") == 1
    assert _status(synced, alive) == ("running", None)
    assert _status(synced, dead)[0] == "interrupted"


def test_partitioned_backfill_beats_while_its_months_run(synced: str) -> None:
    from newsflow.flows import partitions

    with session_scope(synced) as session:
        run_id = store.start_run(session, "sana-en", "backfill", partitions=2)
        session.execute(
            update(models.CrawlRun)
            .where(models.CrawlRun.id == run_id)
            .values(heartbeat_at=datetime(2016, 1, 1, tzinfo=UTC))
        )
    with partitions._beating(run_id, every=0.1):
        time.sleep(0.5)
    with session_scope(synced) as session:
        run = session.get(models.CrawlRun, run_id)
        assert run is not None and run.heartbeat_at is not None
        beat_at = run.heartbeat_at.replace(tzinfo=run.heartbeat_at.tzinfo or UTC)
        assert datetime.now(UTC) - beat_at < timedelta(seconds=5)


def test_finish_run_leaves_a_run_another_closed(synced: str) -> None:
    with session_scope(synced) as session:
        run_id = store.start_run(session, "sana-en", "manual")
        store.mark_interrupted(session, "sana-en")
        assert not store.finish_run(session, run_id, {"articles_new": 3}, "completed")
        run = session.get(models.CrawlRun, run_id)
        assert run is not None and (run.status, run.counts) == ("interrupted", {})


def test_run_kinds_are_checked_where_runs_are_stored(synced: str) -> None:
    with session_scope(synced) as session, pytest.raises(RunParameterError, match="nightly"):
        store.start_run(session, "sana-en", "nightly")


def test_the_heartbeat_renews_and_notices_a_lost_lease(
    synced: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lease = leases.acquire("sana-en", url=synced, wait=0, ttl=5)
    lost = threading.Event()
    heartbeat = leases.Heartbeat(lease, every=0.2, on_lost=lost.set).start()
    with session_scope(synced) as session:
        first = session.get(models.SourceLease, "sana-en").expires_at  # type: ignore[union-attr]
    assert _eventually(lambda: _expiry(synced) > first), "the heartbeat never renewed"
    _set_lease(synced, token="someone-else")
    assert lost.wait(5) and heartbeat.lost.is_set()
    heartbeat.stop()


def _expiry(url: str) -> datetime:
    with session_scope(url) as session:
        return session.get(models.SourceLease, "sana-en").expires_at  # type: ignore[union-attr]


def _eventually(check: Callable[[], bool], within: float = 10.0) -> bool:
    """Poll ``check``: a loaded CI machine can delay a 0.2 s beat by seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
