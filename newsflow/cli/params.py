"""Shared argument types: days, date windows and source ids, checked the same way everywhere."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class DayType(click.ParamType):
    """An ISO day (YYYY-MM-DD)."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        """The day, or a usage error showing the expected form."""
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a date like 2016-10-01", param, ctx)


class SourceType(click.ParamType):
    """A source id from the registry (e.g. sana-en)."""

    name = "source"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The id, or a usage error listing the known sources.

        A broken registry is not the argument's fault: its RegistryError goes up as it is.
        """
        from newsflow.registry import UnknownSourceError, get_source

        try:
            return get_source(str(value).strip()).id
        except UnknownSourceError as exc:
            self.fail(str(exc), param, ctx)


class SourceListType(click.ParamType):
    """Comma-separated source ids, each checked like SourceType."""

    name = "sources"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> list[str]:
        """The ids in order, or a usage error for the first unknown one."""
        if isinstance(value, list):
            return value
        ids = [SOURCE.convert(part, param, ctx) for part in str(value).split(",") if part.strip()]
        if not ids:
            self.fail("name at least one source", param, ctx)
        return ids


class NameType(click.ParamType):
    """A person's or organisation's name in any script (matched by its key, db.names)."""

    name = "name"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The name, or a usage error when it has no letters to make a key of."""
        text = " ".join(str(value).split())
        if not any(character.isalpha() for character in text):
            self.fail(f"{value!r} has no letters to look a name up by", param, ctx)
        return text


DAY = DayType()
SOURCE = SourceType()
SOURCE_LIST = SourceListType()
NAME = NameType()
NAME_HELP = (
    "Only articles naming this person or organisation, in any script: Peskov, Песков and "
    "بيسكوف find the same man; one word matches a surname."
)


def date_window(
    required: bool,
    since_help: str = "First day (YYYY-MM-DD), inclusive.",
    until_help: str = "Last day (YYYY-MM-DD), inclusive.",
    history: bool = False,
) -> Callable[[F], F]:
    """Add --since and --until (ISO days) to a command and reject a window that ends first.

    ``history``: a window of crawl history, refused outside the days a crawl can cover
    (newsflow.runs); otherwise a filter, where the calendar's first or last day bounds nothing.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def checked(*args: Any, since: date | None, until: date | None, **kwargs: Any) -> Any:
            check_window(since, until)
            if history:
                check_history(since, until)
            else:  # spares the libraries a day before 0001-01-01 or after 9999-12-31
                since = None if since == date.min else since
                until = None if until == date.max else until
            return func(*args, since=since, until=until, **kwargs)

        checked = click.option("--until", type=DAY, required=required, help=until_help)(checked)
        checked = click.option("--since", type=DAY, required=required, help=since_help)(checked)
        return checked  # type: ignore[return-value]

    return decorate


def check_window(since: date | None, until: date | None) -> None:
    """Raise a usage error when --since falls after --until."""
    if since and until and since > until:
        _bad_window(f"--since {since} is after --until {until}")


def check_history(since: date | None, until: date | None) -> None:
    """Raise a usage error when an end lies outside the days a crawl can cover."""
    from newsflow.runs import window_range_problem

    problem = window_range_problem(since, until, prefix="--")
    if problem:
        _bad_window(problem)


def _bad_window(message: str) -> NoReturn:
    raise click.BadParameter(
        message,
        ctx=click.get_current_context(silent=True),
        param_hint="'--since' / '--until'",
    )


def source_groups(func: F) -> F:
    """Add --agency, --country, --owner and --collection: the registry's groups of sources.

    The command receives ``groups`` (a ``Groups``); ``chosen_sources`` turns it and the
    command's own --source values into the source ids to read.
    """
    options = (
        click.option("--collection", "collections", multiple=True, help="Only this collection."),
        click.option(
            "--owner",
            "owners",
            multiple=True,
            type=click.Choice(["state", "public", "private", "wire"]),
            help="Only agencies of this owner type.",
        ),
        click.option(
            "--country", "countries", multiple=True, help="Only agencies of this country (SY)."
        ),
        click.option("--agency", "agencies", multiple=True, help="Only this agency (e.g. sana)."),
    )

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from newsflow.registry.groups import Groups

        groups = Groups(
            tuple(kwargs.pop("agencies")),
            tuple(kwargs.pop("countries")),
            tuple(kwargs.pop("owners")),
            tuple(kwargs.pop("collections")),
        )
        return func(*args, groups=groups, **kwargs)

    for option in options:
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def chosen_sources(sources: tuple[str, ...] | list[str], groups: Any) -> list[str]:
    """The --source ids narrowed (or, alone, given) by the group options; [] means all."""
    from newsflow.cli.errors import CliError
    from newsflow.registry import RegistryError
    from newsflow.registry.groups import select_sources

    if not groups:
        return list(sources)
    try:
        grouped = select_sources(groups)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    chosen = [s for s in grouped if not sources or s in sources]
    if not chosen:
        raise CliError("no source is in every group asked for")
    return chosen
