"""Turn library exceptions into one readable line at the CLI edge."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click
from sqlalchemy.exc import OperationalError

from db.migrate import SchemaNotCurrent
from newsflow.registry import RegistryError

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Report known failures as messages with exit code 1 instead of tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (RegistryError, SchemaNotCurrent) as exc:
            raise click.ClickException(str(exc)) from exc
        except OperationalError as exc:
            from newsflow.settings import get_settings

            url = get_settings().database_url
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(f"database unavailable at {url}: {reason}") from exc

    return wrapper  # type: ignore[return-value]
