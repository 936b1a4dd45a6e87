"""Prefect's console output under the command line: one line per message (loaded by Prefect's
logging configuration, which ``newsflow.cli.prefect_local`` points at it)."""

from __future__ import annotations

import copy
import logging

from prefect.logging.handlers import PrefectConsoleHandler

__all__ = ["OneLineConsoleHandler"]


# What flow and task runs log (states, retries, crashes, each with its traceback) stays in the
# run's logs on the Prefect API; the command reports the run itself, in its summary.
_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


class OneLineConsoleHandler(PrefectConsoleHandler):
    """Prefect's console handler, printing each record's first line, passwords masked; records
    of flow and task runs are left to the API."""

    def emit(self, record: logging.LogRecord) -> None:
        from newsflow.cli.errors import scrub

        if record.name.startswith(_RUN_LOGGERS):
            return
        short = copy.copy(record)  # the API handler keeps the whole record
        lines = record.getMessage().strip().splitlines()
        short.msg, short.args = scrub(lines[0] if lines else ""), None
        short.exc_info = short.exc_text = short.stack_info = None
        super().emit(short)
