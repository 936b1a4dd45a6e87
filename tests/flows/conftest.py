"""Flow tests run real Prefect flow runs against a temporary Prefect database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def fast_crawl(monkeypatch: pytest.MonkeyPatch) -> None:
    """The replay is local: no politeness delay (the setting users set for mirrors)."""
    monkeypatch.setenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", "0")
