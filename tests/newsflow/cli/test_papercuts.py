"""A newcomer's first commands (issue #21): `python -m newsflow`, `newsflow demo` at full speed
on its own replay, `newsflow serve` refusing to keep schedules nowhere and stopping on Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from click.testing import CliRunner
from newsflow.db.session import dispose_engines

from newsflow.cli import ingest, main
from newsflow.settings import get_settings

NO_DELAY = "NEWSFLOW_CRAWL__DELAY_OVERRIDE"


@pytest.fixture
def migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite store in NEWSFLOW_DATABASE_URL; no crawl delay set by the caller."""
    from newsflow.db import migrate

    url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    monkeypatch.setenv(NO_DELAY, "recorded")  # so monkeypatch restores its absence
    monkeypatch.delenv(NO_DELAY)
    get_settings.cache_clear()
    migrate.upgrade()
    yield url
    dispose_engines()
    get_settings.cache_clear()


def test_python_m_newsflow_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsflow", "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: python -m newsflow [OPTIONS] COMMAND")
    assert "  demo " in done.stdout and "  serve " in done.stdout


@pytest.mark.parametrize(("given", "crawled_with"), [(None, 0.0), ("2.5", 2.5)])
def test_demo_crawls_its_own_replay_without_the_polite_delay_unless_told(
    migrated: str, monkeypatch: pytest.MonkeyPatch, given: str | None, crawled_with: float
) -> None:
    if given is not None:
        monkeypatch.setenv(NO_DELAY, given)
    seen: dict[str, Any] = {}

    def run_ingest(sources: list[str], base_url: str | None) -> list[dict[str, Any]]:
        # The flow's crawl children get this process's environment (crawlers/run.py).
        seen.update(env=os.environ.get(NO_DELAY), setting=get_settings().crawl.delay_override)
        seen.update(sources=sources, base_url=base_url)
        return []

    monkeypatch.setattr(ingest, "_run_ingest", run_ingest)
    monkeypatch.setattr(ingest, "print_newest", lambda names: None)
    result = CliRunner().invoke(main, ["demo"], prog_name="newsflow")
    assert result.exit_code == 0, result.output
    assert seen["env"] == (given or "0")
    assert seen["setting"] == crawled_with
    assert seen["sources"] == ["sana-en", "sana-ar"]
    assert seen["base_url"].startswith("http://127.0.0.1:")


def test_serve_without_a_prefect_api_refuses_in_one_line(
    migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(main, ["serve", "--source", "sana-en"], prog_name="newsflow")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "newsflow: error: no Prefect API to keep the schedules: set PREFECT_API_URL, e.g. "
        "http://127.0.0.1:4200/api after `prefect server start`, or pass --ephemeral\n"
    )


# A crawl being stopped gets this long after SIGTERM; serve must be gone within it plus the
# margin. The margin holds Prefect's own wait for a flow run's process that the schedule may
# have just started (a fixed 30 s in its runner: seen in CI, where serve took 15 s) and a
# loaded machine's interpreter exit. A hard bound of the grace alone is not built yet.
GRACE_SECONDS = 5
MARGIN_SECONDS = 40


def test_serve_ephemeral_says_so_and_stops_on_ctrl_c_within_the_grace_period(
    migrated: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_"))}
    env.update(
        NEWSFLOW_DATABASE_URL=migrated,
        NEWSFLOW_RUNS__STOP_GRACE_SECONDS=str(GRACE_SECONDS),
        NEWSFLOW_BASE_URL="http://127.0.0.1:9",  # a run fired by the schedule fails at once
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    newsflow = Path(sys.executable).with_name("newsflow")
    serve = subprocess.Popen(
        [str(newsflow), "serve", "--ephemeral", "--source", "sana-en"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a terminal's foreground process group, for its Ctrl-C
    )
    lines: list[str] = []
    served = threading.Event()

    def read() -> None:
        assert serve.stdout is not None
        for line in serve.stdout:
            lines.append(line)
            if "being served" in line:
                served.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    server: list[psutil.Process] = []
    try:
        assert served.wait(180), "".join(lines)
        server = [
            p
            for p in psutil.Process(serve.pid).children(recursive=True)
            if "uvicorn" in " ".join(p.cmdline())
        ]
        assert server, "no temporary Prefect server"
        sent = time.monotonic()
        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        with contextlib.suppress(subprocess.TimeoutExpired):
            serve.wait(GRACE_SECONDS + MARGIN_SECONDS)
        took = time.monotonic() - sent
        _, alive = psutil.wait_procs(server, timeout=MARGIN_SECONDS)
    finally:
        for process in server:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        with contextlib.suppress(ProcessLookupError):  # serve, or its forkserver lingering
            os.killpg(serve.pid, signal.SIGKILL)
        serve.wait(30)
    reader.join(30)
    output = "".join(lines)
    assert output.startswith(
        "--ephemeral: the schedules live in a temporary Prefect server only as long as this "
        "process runs\n"
    )
    assert took < GRACE_SECONDS + MARGIN_SECONDS, f"serve took {took:.0f} s to stop:\n{output}"
    assert not alive, "the temporary Prefect server outlived serve"
    assert "Traceback" not in output, output
    # Stopped by the runner, or interrupted while the runner was still starting.
    last = output.splitlines()[-1]
    assert (serve.returncode, last) in {
        (0, "stopped"),
        (130, "newsflow: error: interrupted; any run in progress was closed as cancelled"),
    }, output
