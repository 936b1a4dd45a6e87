"""How the command line runs flows in this process, on Prefect's temporary server.

- Prefect gets two minutes to start that server (its 20 s default failed on a loaded machine).
- Unless ``-v``, Prefect's console shows warnings and errors only, each as one line: the run
  summary and the `newsflow: error:` line say the rest (an outage printed 900 lines before).
- The server starts in a session of its own: Ctrl-C sends SIGINT to the terminal's foreground
  process group, which then stopped the very server the command must report its cancelled run
  to, and the command hung retrying it.
- ``serve`` stops within the run stop grace plus a few seconds (issue #21, measured): its runs
  report to its temporary server, Ctrl-C stops them as SIGTERM does (one SIGTERM each, from
  the runner), the runner waits for a run its crawl's grace plus RUN_SETTLE_SECONDS instead of
  a fixed 30 s, and the process leaves without the interpreter's teardown (1 to 8 s of freeing
  Prefect's modules, once everything is closed).
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import os
import signal
import subprocess
import sys
import threading
from types import FrameType
from typing import Any, NoReturn
from uuid import UUID

__all__ = [
    "configure",
    "exit_without_teardown",
    "share_temporary_server",
    "shield_temporary_server",
    "stop_runs_gracefully",
]

STARTUP_SECONDS = "120"
# After its crawl has stopped, what a stopped run needs: close its row and free its source
# (well under 1 s), report to Prefect and leave its interpreter (1.2 to 4.7 s measured loaded).
RUN_SETTLE_SECONDS = 5.0
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


def share_temporary_server() -> None:
    """Start Prefect's temporary server now, shielded, and point this process's children at it.

    A flow run the runner starts is a new ``python -m prefect.engine``; without an API URL it
    started a temporary server of its own (about 20 s), in this process group (gone at Ctrl-C
    before the run could report), and not holding the run's deployment concurrency slot, so
    Prefect cancelled the run before its first line.
    """
    from prefect.server.api.server import SubprocessASGIServer

    shield_temporary_server()
    server = SubprocessASGIServer()  # the instance Prefect's client uses in this process
    server.start()  # stopped at exit (Prefect registers that), after the runs
    os.environ["PREFECT_API_URL"] = server.api_url  # this process keeps its settings


def stop_runs_gracefully(grace: float) -> None:
    """Ctrl-C stops the runner as SIGTERM does: each run gets one SIGTERM, then ``grace`` plus
    RUN_SETTLE_SECONDS to close its row before SIGKILL."""
    _isolate_runs()
    _bound_runner_wait(grace + RUN_SETTLE_SECONDS)
    signal.signal(signal.SIGINT, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C: the runner's own SIGTERM stop once it runs; before that, or pressed again, the
    KeyboardInterrupt Prefect's ``serve`` expects.

    On KeyboardInterrupt the runner cancels its tasks, and a run's task, cancelled, kills the
    run's process at once (SIGKILL 0.06 s after Ctrl-C, measured): its row stayed running.
    """
    from prefect.runner import Runner

    runner = getattr(signal.getsignal(signal.SIGTERM), "__self__", None)
    if not isinstance(runner, Runner) or not runner.started or runner.stopping:
        raise KeyboardInterrupt
    runner.handle_sigterm()


def _isolate_runs() -> None:
    """Start the runner's flow-run processes in sessions of their own.

    Ctrl-C reaches the terminal's whole process group, and the runner stops each run with
    SIGTERM too: the second signal could land while the run closes its row. Out of the group
    a run hears the runner alone, as Prefect's own workspace runs do.
    """
    import prefect.runner.runner as runner

    starter = runner.EngineCommandStarter
    runner.EngineCommandStarter = functools.partial(  # type: ignore[misc,assignment]
        starter, isolate_process_group=True
    )


def _bound_runner_wait(bound: float) -> None:
    """Cap the runner's wait for a run it sent SIGTERM (a fixed 30 s, looked at every 3 s)."""
    from prefect.runner._process_manager import ProcessManager

    kill = ProcessManager.kill

    @functools.wraps(kill)
    async def bounded(
        self: ProcessManager, flow_run_id: UUID, grace_seconds: float = 30, *, force: bool = False
    ) -> None:
        await kill(self, flow_run_id, min(grace_seconds, bound), force=force)

    ProcessManager.kill = bounded  # type: ignore[method-assign]


def exit_without_teardown(code: int) -> NoReturn:
    """Exit once every run has stopped: the exit handlers run, the interpreter's teardown not.

    The handlers stop the temporary server and flush the logs; the database connections are
    closed first. What is skipped only frees memory the process is giving back anyway.
    """
    from newsflow.db.session import dispose_engines

    dispose_engines()
    # What interpreter exit runs before its teardown, in its order: Prefect's log and event
    # queues drain as threads stop, then the exit handlers.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class _OwnSession:
    """Stands in for ``subprocess`` inside Prefect's server module: Popen in a new session.

    Out of the terminal's reach, the server would outlive a command killed with SIGKILL (a
    test's kill -9 left a dozen running): on Linux it gets SIGTERM when the thread that started
    it ends, which is this process's end when that is the main thread (else it is left to
    Prefect's own stop at exit, as before).
    """

    def Popen(self, *args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        kwargs = {**kwargs, "start_new_session": True}
        if sys.platform == "linux" and threading.current_thread() is threading.main_thread():
            kwargs["preexec_fn"] = functools.partial(_die_with, os.getpid())
        return subprocess.Popen(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)


def _die_with(parent: int) -> None:
    """In the child before exec: SIGTERM when the parent goes (PR_SET_PDEATHSIG), or now if it
    went while the child was starting."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)
