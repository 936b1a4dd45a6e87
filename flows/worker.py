"""The ``newsflow-process`` worker: Prefect's process worker, its flow runs forked warm.

Prefect's process worker starts each flow run as ``python -m prefect.engine`` (3.9 first
starts a workspace supervisor, a Python of its own, which then execs the engine): a fresh
interpreter imports Prefect and the flows, then starts a warm forkserver of its own that
imports the crawler and builds the enrichers' gazetteers and models for that one run. On two
cores that was about 11 CPU s a run (`make bench`, scaling), more than crawling and enriching
one source's day: thirty sources spent most of their time starting.

This worker pays it once, when it starts: one forkserver (multiprocessing's) imports Prefect's
engine, the flows, the crawler and the enrichers' data (``RUN_PRELOAD``, as ``serve``'s). Each
flow run forks from it and runs the engine's main as ``python -m prefect.engine`` would, in the
environment and directory Prefect prepared for the run; the run's crawls and enrichment workers
fork from the same forkserver (newsflow/warm.py). Each run is still a process of its own:
Prefect cancels it, kills it and reads its exit code as it does a subprocess's, and a kill -9
of the worker leaves its runs crashed as before (the forkserver, the worker's child, ends with
it).

Everything else is Prefect's process worker: job variables, base job template, limits and
heartbeats. A job whose ``command`` is not the engine's runs as a subprocess, as there; so
does every run where Prefect lacks the engine starter this hooks into (before 3.9) or the
platform has no forkserver.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.context import ForkServerContext
from typing import Any

import anyio
from newsflow.flows.warm_start import RUN_PRELOAD
from prefect.utilities.processutils import command_from_string, command_to_string
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker

from newsflow import warm

WORKER_TYPE = "newsflow-process"
ENGINE = ("-m", "prefect.engine")

RunProcess = Callable[..., Any]


def engine_command() -> str:
    """``python -m prefect.engine`` with this interpreter: the command this worker forks."""
    return command_to_string([sys.executable, *ENGINE])


class WarmJobConfiguration(ProcessJobConfiguration):
    """A process job whose command, unless set, is the engine's, started directly.

    Without a command, Prefect 3.9's process worker starts a workspace supervisor, which
    runs a deployment's pull steps and then execs the engine: a second interpreter. newsflow's
    deployments load their flows by module path from the installed package and pull nothing.
    """

    def prepare_for_flow_run(self, *args: Any, **kwargs: Any) -> None:
        if self.command is None:
            self.command = engine_command()
        super().prepare_for_flow_run(*args, **kwargs)


class WarmProcessWorker(ProcessWorker):
    """``prefect worker start --pool newsflow-process --type newsflow-process``: a process
    worker forking warm runs, on a pool of Prefect's "process" type or of its own."""

    type = WORKER_TYPE
    job_configuration = WarmJobConfiguration
    _display_name = "newsflow process"
    _description = (
        "Prefect's process worker, its flow runs forked from a warm process that imported "
        "Prefect, the flows, the crawler and the enrichers' data once."
    )

    async def setup(self) -> None:
        await super().setup()
        # The preload is serve's, less its main module: the worker's is Prefect's CLI.
        context = await anyio.to_thread.run_sync(warm.start_forkserver, RUN_PRELOAD)
        if context is not None and fork_engine_runs(context):
            self._logger.info("Flow runs fork from a warm process this worker started")


def fork_engine_runs(context: ForkServerContext) -> bool:
    """Make this process's engine starter fork the engine command from ``context``; False
    where Prefect has no such starter (before 3.9), and runs start as subprocesses."""
    try:
        from prefect.runner import _starter_engine as starter
    except ImportError:
        return False
    if not hasattr(starter, "run_process"):
        return False
    original = starter.run_process
    if getattr(original, "forks_from", None) is not context:
        starter.run_process = _forking(original, context)
    return True


def _forking(original: RunProcess, context: ForkServerContext) -> RunProcess:
    """Prefect's ``run_process``, forking the engine's command from ``context`` and passing
    any other command through.

    Its contract: signal ``task_status`` with the started process (through the handler),
    then wait until it exits. The handle Prefect keeps needs a pid and an exit code, which a
    multiprocessing process has (``exitcode``, negative for a signal, as a Popen's).
    """

    async def run_process(
        command: list[str],
        stream_output: bool | tuple[Any, Any] = False,
        task_status: Any = None,
        task_status_handler: Callable[[Any], Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if not is_engine(command):
            return await original(
                command,
                stream_output=stream_output,
                task_status=task_status,
                task_status_handler=task_status_handler,
                **kwargs,
            )
        env = {k: v for k, v in (kwargs.get("env") or os.environ).items() if v is not None}
        cwd = str(kwargs.get("cwd") or os.getcwd())
        session = bool(kwargs.get("start_new_session"))
        process = context.Process(
            target=run_engine, args=(env, cwd, stream_output is not False, session)
        )
        await anyio.to_thread.run_sync(process.start)
        if task_status is not None:
            task_status.started(task_status_handler(process) if task_status_handler else process)
        await anyio.to_thread.run_sync(process.join)
        return process

    run_process.forks_from = context  # type: ignore[attr-defined]
    return run_process


def is_engine(command: Sequence[str]) -> bool:
    """``command`` is ``python -m prefect.engine`` with this interpreter, nothing more."""
    return list(command) == command_from_string(engine_command())


def run_engine(env: Mapping[str, str], cwd: str, output: bool, session: bool) -> None:
    """In the forked flow run: take the run's environment, then be ``python -m prefect.engine``.

    Prefect read its settings and set up logging when the forkserver imported it, from the
    worker's environment; both are read again from the run's.
    """
    if session:
        os.setsid()
    warm.show_as("prefect.engine")
    if not output:
        _silence()
    warm.take_environment(env, cwd)
    from prefect.context import refresh_global_settings_context
    from prefect.logging.configuration import setup_logging

    refresh_global_settings_context()
    setup_logging(incremental=False)
    sys.argv = [sys.argv[0]]  # the flow run's id is in the environment
    # The forkserver imported prefect.engine as a module (Prefect does); its main runs afresh
    # as __main__, as under `python -m`, which runpy warns about while the module is loaded.
    sys.modules.pop("prefect.engine", None)
    runpy.run_module("prefect.engine", run_name="__main__", alter_sys=True)


def _silence() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
