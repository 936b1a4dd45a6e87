"""Every failure below the `newsflow` group becomes one line on stderr and exit code 1.

The mapping from exception types to messages lives here and nowhere else: commands raise
library exceptions (or CliError when only the command knows the context) and this module
words them, with any database password masked.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from newsflow.db.migrate import SchemaNotCurrent
from newsflow.db.session import DatabaseURLError, hide_url_passwords, masked_url
from newsflow.registry import RegistryError

PREFIX = "newsflow: error: "
# PostgreSQL SQLSTATEs for a missing table / column: the schema is older than the code.
_MISSING_SCHEMA_STATES = {"42P01", "42703"}
_MISSING_SCHEMA_TEXT = ("no such table", "no such column")
_KEYWORD_SECRET = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


class CliError(click.ClickException):
    """A failure worded for people: printed as one `newsflow: error:` line, exit code 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the one line on stderr."""
        click.echo(PREFIX + self.format_message(), file=file, err=True)


class ReportingGroup(click.Group):
    """The root group: turns anything raised while parsing or running a command into CliError."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the group's own options; a usage error becomes one line."""
        with reported_errors(verbose=False):
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; with --verbose an unexpected error keeps its traceback."""
        with reported_errors(verbose=bool(ctx.params.get("verbose"))):
            return super().invoke(ctx)


@contextmanager
def reported_errors(verbose: bool) -> Iterator[None]:
    """Re-raise known failures as CliError; leave exits, help and Ctrl-C to click."""
    try:
        yield
    except KeyboardInterrupt:  # Ctrl-C: a run in progress was closed as cancelled on the way out
        click.echo(PREFIX + "interrupted; any run in progress was closed as cancelled", err=True)
        raise SystemExit(130) from None
    except (click.exceptions.Exit, click.Abort, click.exceptions.NoArgsIsHelpError, CliError):
        raise
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # `newsflow export | head`: click closes quietly
            raise
        raise CliError(scrub(_os_message(exc))) from exc
    except Exception as exc:
        message = describe(exc)
        if message is None:
            if verbose:
                raise
            first, kind = first_line(exc), type(exc).__name__
            message = f"unexpected {kind}: {first} (`newsflow -v …` shows the traceback)"
        raise CliError(scrub(message)) from exc


def describe(exc: BaseException) -> str | None:
    """The one-line message for a known failure, or None for an unexpected one."""
    if isinstance(exc, click.UsageError):
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        return exc.format_message() + where
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    if isinstance(exc, RegistryError | SchemaNotCurrent | DatabaseURLError):
        return str(exc)
    if isinstance(exc, CommandError):
        return f"migration: {first_line(exc)}"
    if isinstance(exc, ValidationError):
        problems = "; ".join(f"{_loc(e['loc'])}: {e['msg']}" for e in exc.errors())
        return f"invalid {exc.title}: {problems}"
    if isinstance(exc, SQLAlchemyError):
        return _database_message(exc)
    return None


def scrub(text: str) -> str:
    """``text`` with the configured database password and any URL or keyword password masked."""
    password = _configured_password()
    if password and len(password) >= 3:  # shorter ones would mangle ordinary words
        text = text.replace(password, "***")
    text = hide_url_passwords(text)
    return _KEYWORD_SECRET.sub(r"\1***", text)


def _database_message(exc: SQLAlchemyError) -> str:
    where = masked_url(_configured_url())
    reason = first_line(exc.orig) if isinstance(exc, DBAPIError) and exc.orig else first_line(exc)
    if _is_missing_schema(exc):
        return f"database {where} is not migrated ({reason}): run `newsflow db upgrade`"
    if isinstance(exc, OperationalError):
        return f"database {where} is unavailable: {reason}"
    return f"database {where} failed: {reason}"


def _is_missing_schema(exc: SQLAlchemyError) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _MISSING_SCHEMA_STATES:
        return True
    return any(text in str(orig).lower() for text in _MISSING_SCHEMA_TEXT)


def _os_message(exc: OSError) -> str:
    reason = exc.strerror or first_line(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return lines[0].strip() if lines else type(value).__name__


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top)"


def _configured_url() -> str:
    from newsflow.settings import get_settings

    try:
        return get_settings().database_url
    except ValidationError:  # broken settings are reported as such; no URL to mask
        return ""


def _configured_password() -> str | None:
    from sqlalchemy.engine import make_url

    try:
        return make_url(_configured_url()).password
    except Exception:  # a malformed URL has no parsed password; the patterns cover it
        return None
