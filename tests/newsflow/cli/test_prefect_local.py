"""The command line's Prefect: a patient start-up, one line per console message, and a
temporary server out of reach of the terminal's Ctrl-C (tests/flows/test_cancel.py) that
still goes with its command."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from newsflow.cli.console import OneLineConsoleHandler
from newsflow.cli.prefect_local import configure

VARIABLES = (
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_CLASS",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL",
)


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_quiet_by_default_with_a_patient_start_up(clean: pytest.MonkeyPatch) -> None:
    configure(verbose=False)
    assert [os.environ[name] for name in VARIABLES] == [
        "120",
        "newsflow.cli.console.OneLineConsoleHandler",
        "WARNING",
    ]


def test_verbose_keeps_prefects_console_and_a_users_own_values_win(
    clean: pytest.MonkeyPatch,
) -> None:
    clean.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
    configure(verbose=True)
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "300"
    assert "PREFECT_LOGGING_HANDLERS_CONSOLE_CLASS" not in os.environ


def _printed(name: str, message: str, exc_info: object = None) -> str:
    stream = io.StringIO()
    handler = OneLineConsoleHandler(stream=stream)
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, exc_info)  # type: ignore[arg-type]
    handler.emit(record)
    return stream.getvalue()


def test_a_message_prints_as_its_first_line_without_traceback_or_password() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failure = sys.exc_info()
    printed = _printed(
        "newsflow.flows.ingest",
        "could not reach postgresql://newsflow:s3cret@db:5432/newsflow\nTraceback (most recent)",
        failure,
    )
    assert "could not reach postgresql://newsflow:***@db:5432/newsflow" in printed
    assert "Traceback" not in printed and "s3cret" not in printed and "boom" not in printed
    assert len(printed.strip().splitlines()) == 1


def test_flow_and_task_run_records_stay_in_the_api() -> None:
    assert _printed("prefect.task_runs", "Task run failed: OperationalError") == ""
    assert _printed("prefect.flow_runs", "Crash detected!") == ""


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_command_killed_with_sigkill_takes_its_temporary_server_with_it(replay, tmp_path) -> None:
    from newsflow.db import migrate

    sqlite_url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    migrate.upgrade(sqlite_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_"))}
    env.update(
        NEWSFLOW_DATABASE_URL=sqlite_url,
        NEWSFLOW_CRAWL__DELAY_OVERRIDE="1",  # slow enough to be killed while it runs
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    command = [sys.executable, "-m", "newsflow.cli", "ingest", "sana-en"]
    cli = subprocess.Popen(
        [*command, "--base-url", replay.base_url],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    servers: list[psutil.Process] = []
    deadline = time.monotonic() + 180
    while not servers and time.monotonic() < deadline and cli.poll() is None:
        time.sleep(0.5)
        servers = [
            p
            for p in psutil.Process(cli.pid).children(recursive=True)
            if "uvicorn" in " ".join(p.cmdline())
        ]
    os.killpg(cli.pid, signal.SIGKILL)  # the command's group; the server has its own session
    cli.wait(30)
    assert servers, "no temporary Prefect server seen"
    _, alive = psutil.wait_procs(servers, timeout=30)
    for process in alive:
        process.kill()
    assert not alive, "the temporary Prefect server outlived its command"
