"""Checks before a command that writes: a current schema and a role that may write."""

from __future__ import annotations

from newsflow.cli.errors import CliError


def require_writable(command: str) -> None:
    """Fail with one line, before Prefect starts, when ``command`` could not write its runs:
    an unmigrated store, or a reader role (`newsflow db grant-reader`)."""
    from newsflow.db.grants import read_only_reason
    from newsflow.db.migrate import require_current

    require_current()
    if reason := read_only_reason(command):
        raise CliError(reason)
