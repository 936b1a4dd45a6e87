"""Running a crawl as a child process: exit codes and readable reasons."""

from __future__ import annotations

import subprocess
import sys

import pytest
from newsflow.crawlers.run import CrawlError, crawl_in_subprocess

from newsflow.replay import ReplayServer


def test_an_unknown_source_fails_naming_the_known_ones(store_url: str) -> None:
    with pytest.raises(CrawlError) as error:
        crawl_in_subprocess("nope-xx", None, env={"NEWSFLOW_DATABASE_URL": store_url}, timeout=60)
    assert "exit 2" in str(error.value) and "sana-en" in str(error.value)


def test_an_unreachable_database_is_a_readable_failure() -> None:
    env = {"NEWSFLOW_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}
    result = subprocess.run(
        [sys.executable, "-m", "newsflow.crawlers.run", "--source", "sana-en"],
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "database unavailable" in result.stderr


def test_a_missing_run_is_refused(store_url: str) -> None:
    with pytest.raises(CrawlError, match="crawl run 99 does not exist"):
        crawl_in_subprocess("sana-en", 99, env={"NEWSFLOW_DATABASE_URL": store_url}, timeout=60)


def test_a_completed_crawl_with_page_failures_exits_zero(crawl) -> None:
    assert crawl("sana-ar") == 0


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}


def test_progress_lines_reach_the_caller_and_a_hung_crawl_times_out(
    replay: ReplayServer, store_url: str
) -> None:
    seen: list[str] = []
    env = {
        "NEWSFLOW_DATABASE_URL": store_url,
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
    }
    assert crawl_in_subprocess("sana-en", None, env=env, timeout=60, on_progress=seen.append) == 0
    assert any(
        "[newsflow.crawlers.extensions] INFO: crawl sana-en (scheduled) finished" in s for s in seen
    )
    slow = {**env, "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "5"}
    with pytest.raises(CrawlError, match="timed out after 2s"):
        crawl_in_subprocess("sana-en", None, env=slow, timeout=2)
