"""Crawler fixtures: a fresh SQLite store per test and crawls run as child processes.

The replay of the recorded agency sites is the session-wide ``replay`` fixture of
``tests/conftest.py`` (one real HTTP server on 127.0.0.1 for the whole test session).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from newsflow.crawlers.run import crawl_in_subprocess
from newsflow.db import migrate
from newsflow.db.session import dispose_engines

from newsflow.replay import ReplayServer
from newsflow.settings import get_settings

Crawl = Callable[..., int]


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty SQLite file store, migrated to the current schema."""
    url = f"sqlite:///{tmp_path / 't.sqlite3'}"
    migrate.upgrade(url)
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def crawl(replay: ReplayServer, store_url: str) -> Crawl:
    """Run a crawl of a source against the replay, in a child process, into ``store_url``."""
    env = {
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",  # a local mirror needs no politeness delay
        "NEWSFLOW_DATABASE_URL": store_url,
    }

    def run(
        source: str, run_id: int | None = None, since: str | None = None, until: str | None = None
    ) -> int:
        return crawl_in_subprocess(source, run_id, since, until, env=env, timeout=60)

    return run
