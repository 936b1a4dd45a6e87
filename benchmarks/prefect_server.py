"""One Prefect server on 127.0.0.1 for the whole bench, as production has one.

Each driver process used to start Prefect's temporary server of its own, migrating a fresh
Prefect database every time (12 to 27 s a phase on two cores). The server's CPU and memory
still count: the phases sample it with their own process tree (benchmarks/memory.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STARTUP_BUDGET_S = 180


@dataclass(frozen=True)
class PrefectServer:
    """A running server: its API address and its process id."""

    api_url: str
    pid: int


@contextmanager
def prefect_server(home: Path, database_url: str | None = None) -> Iterator[PrefectServer]:
    """``prefect server start`` on a free loopback port, its state in ``home`` (its database
    at ``database_url`` when given, PostgreSQL through asyncpg); stopped after."""
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    if database_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with (home / "server.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(api_url, process, home / "server.log")
        yield PrefectServer(api_url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(api_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_BUDGET_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"prefect server not healthy within {STARTUP_BUDGET_S}s: see {log}")
