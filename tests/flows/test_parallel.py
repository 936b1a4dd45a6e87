"""One source's summary from its subflow: a result, a failure, or an API error starting it."""

from __future__ import annotations

import httpx
import pytest
from newsflow.flows import parallel
from prefect.states import Completed, Failed

from newsflow.settings import get_settings


def test_a_completed_source_gives_its_summary() -> None:
    summary = {"source": "sana-en", "status": "completed", "counts": {"new": 3}}
    assert parallel.outcome("sana-en", lambda: Completed(data=summary)) == summary


def test_a_failed_source_says_why() -> None:
    state = Failed(message="SourceBusy: sana-ar is being crawled by run 1")
    assert parallel.outcome("sana-ar", lambda: state) == {
        "source": "sana-ar",
        "status": "failed",
        "error": "SourceBusy: sana-ar is being crawled by run 1",
        "counts": {},
    }


def test_an_api_error_starting_one_source_is_its_failure_not_everyones() -> None:
    def start() -> None:
        request = httpx.Request("POST", "http://127.0.0.1:4200/api/flow_runs/")
        response = httpx.Response(503, request=request)
        raise httpx.HTTPStatusError("Service Unavailable", request=request, response=response)

    summary = parallel.outcome("tass-en", start)
    assert summary["status"] == "failed"
    assert summary["error"] == "HTTPStatusError: Service Unavailable"


@pytest.mark.parametrize(("setting", "count", "expected"), [(3, 10, 3), (3, 2, 2), (0, 1, 1)])
def test_sources_at_once_is_the_setting_or_what_memory_holds(
    monkeypatch: pytest.MonkeyPatch, setting: int, count: int, expected: int
) -> None:
    monkeypatch.setenv("NEWSFLOW_RUNS__PARALLEL_SOURCES", str(setting))
    get_settings.cache_clear()
    try:
        assert parallel.sources_at_once(count) == expected
    finally:
        get_settings.cache_clear()
