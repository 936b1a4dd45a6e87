"""A database outage while a run closes: the closing steps wait it out and the run is closed,
its days counted and its source free, instead of a run left 'running' with its lease held."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from newsflow.db import models, store
from newsflow.db import session as db_session
from newsflow.db.session import dispose_engines, session_scope
from newsflow.flows import ingest as steps
from newsflow.flows import runs
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from newsflow.registry import get_source
from newsflow.runs import RunKind, RunStatus
from newsflow.settings import get_settings
from tests.tcp_proxy import TcpProxy

SOURCE = "sana-en"


# An outage is a database server's: these run on PostgreSQL only.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


@pytest.fixture
def proxied(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TcpProxy]:
    """The test's PostgreSQL database, reached through a proxy the test can cut."""
    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", through)
    get_settings.cache_clear()
    dispose_engines()
    yield proxy
    proxy.stop()
    dispose_engines()


def test_a_stopped_run_is_closed_once_the_database_is_back(
    proxied: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_session, "CLOSE_RETRY_SECONDS", (1.0, 2.0, 4.0))
    with session_scope() as session:
        store.sync_sources(session, [get_source(SOURCE)])
    run_id = runs.begin(SOURCE, RunKind.MANUAL, None, None)
    proxied.stop()  # the server away as the run is being stopped
    back = threading.Timer(2.0, proxied.start)
    back.start()

    steps.stop_run(run_id, KeyboardInterrupt())

    back.join()
    with session_scope() as session:
        run = session.get(models.CrawlRun, run_id)
        assert run is not None and (run.status, run.error) == (
            "cancelled",
            "stopped by KeyboardInterrupt",
        )
        assert session.get(models.SourceLease, SOURCE) is None  # the source is free


def test_a_run_that_cannot_be_closed_is_left_for_the_next_to_close(
    proxied: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_session, "CLOSE_RETRY_SECONDS", (0.5,))
    monkeypatch.setenv("NEWSFLOW_RUNS__LEASE_SECONDS", "1")
    get_settings.cache_clear()
    with session_scope() as session:
        store.sync_sources(session, [get_source(SOURCE)])
    first = runs.begin(SOURCE, RunKind.MANUAL, None, None)
    proxied.stop()
    steps.stop_run(first, KeyboardInterrupt())  # gives up, logs, raises nothing
    proxied.start()
    threading.Event().wait(1.5)  # its lease lapses

    second = runs.begin(SOURCE, RunKind.MANUAL, None, None)
    runs.end(second, RunStatus.COMPLETED)
    with session_scope() as session:
        assert session.get(models.CrawlRun, first).status == "interrupted"
        assert session.get(models.CrawlRun, second).status == "completed"
        assert session.get(models.SourceLease, SOURCE) is None


class CutOnce:
    """A step whose first call finds the database away for ``seconds``; counts its calls."""

    def __init__(self, proxy: TcpProxy, step: Callable[..., Any], seconds: float) -> None:
        self.proxy, self.step, self.seconds, self.calls = proxy, step, seconds, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            self.proxy.stop()
            threading.Timer(self.seconds, self.proxy.start).start()
        return self.step(*args, **kwargs)


@pytest.mark.parametrize(
    "step", ["update_coverage", pytest.param("close_run", marks=pytest.mark.soak_only)]
)
def test_an_outage_as_a_run_closes_is_waited_out(
    step: str, proxied: TcpProxy, replay: Any, fast_crawl: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: PostgreSQL away for 3 s just after enrichment, as the run counts its
    days (or as it closes). The task's retry finds it back."""
    module, name = (steps, "heal_coverage") if step == "update_coverage" else (runs, "end")
    cut = CutOnce(proxied, getattr(module, name), 3.0)
    monkeypatch.setattr(module, name, cut)

    summary = steps.ingest(SOURCE, base_url=replay.base_url)

    assert cut.calls == 2  # the step failed in the outage, and its retry did the work
    assert summary["status"] == "completed"
    with session_scope() as session:
        run = session.get(models.CrawlRun, summary["run_id"])
        assert run is not None and run.status == "completed"
        counted = session.execute(select(func.count()).select_from(models.Coverage)).scalar_one()
        assert counted > 0 and run.counts["coverage_days"] > 0
        assert session.get(models.SourceLease, SOURCE) is None
