"""How the command line runs flows in this process, on Prefect's temporary server.

- Prefect gets two minutes to start that server (its 20 s default failed on a loaded machine).
- Unless ``-v``, Prefect's console shows warnings and errors only, each as one line: the run
  summary and the `newsflow: error:` line say the rest (an outage printed 900 lines before).
- The server starts in a session of its own: Ctrl-C sends SIGINT to the terminal's foreground
  process group, which then stopped the very server the command must report its cancelled run
  to, and the command hung retrying it.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

__all__ = ["configure", "shield_temporary_server"]

STARTUP_SECONDS = "120"
_QUIET = {
    "PREFECT_LOGGING_HANDLERS_CONSOLE_CLASS": "newsflow.cli.console.OneLineConsoleHandler",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
}


def configure(verbose: bool) -> None:
    """Settings Prefect reads when it is first imported; a user's own values win."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", STARTUP_SECONDS)
    if not verbose:
        for name, value in _QUIET.items():
            os.environ.setdefault(name, value)


def shield_temporary_server() -> None:
    """Start Prefect's temporary server, when this process starts one, in its own session."""
    import prefect.server.api.server as server

    server.subprocess = _OwnSession()  # type: ignore[assignment]


class _OwnSession:
    """Stands in for ``subprocess`` inside Prefect's server module: Popen in a new session."""

    def Popen(self, *args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        return subprocess.Popen(*args, **{**kwargs, "start_new_session": True})

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)
