"""`newsflow history URL`: an article's versions with word diffs, removals included."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from newsflow.cli.errors import CliError
from newsflow.cli.params import SOURCE

if TYPE_CHECKING:
    from newsflow.db.revisits import History

REASONS = {
    "not_found": "the page answered 404 Not Found, or said the article was not found",
    "gone": "the page answered 410 Gone",
    "redirect_home": "the page redirected to the site's front page",
    "redirect_listing": "the page redirected to a listing",
}


@click.command("history")
@click.argument("url")
@click.option("--source", type=SOURCE, help="The article's source (default: by the URL's host).")
@click.option("--full", is_flag=True, help="Show whole texts, not only the words around changes.")
def history_command(url: str, source: str | None, full: bool) -> None:
    """Print the versions of the article at URL: what changed, when, and any removal.

    Each edit shows its changed fields and a word diff, [-removed-] {+added+}; a removal
    (404/410, a redirect to the front page or a listing) and a return are shown when seen.
    Example: newsflow history 'https://sana.sy/en/?p=92385'
    """
    from newsflow.db import revisits
    from newsflow.db.migrate import require_current
    from newsflow.db.session import session_scope

    require_current()
    sources = [source] if source else _sources_of(url)
    with session_scope() as session:
        found = revisits.history(session, url.strip(), sources)
        if found is None:
            raise CliError(f"no article stored at {url} (sources {', '.join(sources)})")
        for line in render(found, context=None if full else 8):
            click.echo(line)


def _sources_of(url: str) -> list[str]:
    """The sources whose agency serves the URL's host."""
    from newsflow.registry import load_registry

    host = urlsplit(url.strip()).hostname or ""
    owners = sorted(s.id for s in load_registry().values() if s.owns_host(host))
    if not owners:
        raise CliError(f"no source in the registry serves {host or url!r}; use --source")
    return owners


def render(found: History, context: int | None = 8) -> Iterator[str]:
    """The history as text lines: a header, the first version, then each change in order."""
    from newsflow.edits import RESTORED, removal_reason

    article, rows = found.article, found.versions
    yield from _header(article)
    states: list[Any] = [*rows, article]
    yield ""
    yield f"version {states[0].version}  first seen {_when(article.first_seen_at)}"
    yield from _described(states[0])
    for row, after in zip(rows, states[1:], strict=True):
        yield ""
        reason = removal_reason(row.changed_fields)
        if reason is not None:
            yield f"removed  {_when(row.replaced_at)}  {reason}: {REASONS.get(reason, reason)}"
        elif RESTORED in row.changed_fields:
            yield f"found again  {_when(row.replaced_at)}  the page answers again"
        else:
            changed = ", ".join(row.changed_fields)
            yield f"version {after.version}  seen {_when(row.replaced_at)}  changed: {changed}"
            yield from _changes(row, after, row.changed_fields, context)


def _header(article: Any) -> Iterator[str]:
    yield article.url
    status = (
        f"removed since {_when(article.removed_at)} ({article.removed_reason})"
        if article.removed_at
        else "on the site when last checked"
    )
    checked = _when(article.checked_at or article.last_seen_at)
    yield f"{article.source_id} · article {article.id} · version {article.version} · {status}"
    yield f"last checked {checked}"
    yield from _captures(article)


def _captures(article: Any) -> Iterator[str]:
    """Where the text was read, when not from the site, and a removed article's last capture."""
    if article.via and article.via != "site":
        yield f"read from {article.via}: {article.capture_url} ({_when(article.captured_at)})"
    if article.archived_capture_url:
        when = _when(article.archived_capture_at)
        yield f"last capture in the web archive: {article.archived_capture_url} ({when})"


def _described(state: Any) -> Iterator[str]:
    authors = ", ".join(state.authors or []) or "no byline"
    published = _when(state.published_at) if state.published_at else "undated"
    yield f"  {state.title}"
    yield f"  {authors} · published {published} · {len(state.body.split())} words"


def _changes(old: Any, new: Any, fields: Sequence[str], context: int | None) -> Iterator[str]:
    from newsflow.worddiff import word_diff

    if "title" in fields:
        yield f"  title: {word_diff(old.title, new.title, None)}"
    if "authors" in fields:
        before, after = ", ".join(old.authors or []), ", ".join(new.authors or [])
        yield f"  authors: [-{before or 'none'}-] {{+{after or 'none'}+}}"
    if "published_at" in fields:
        yield f"  published: {_when(old.published_at)} -> {_when(new.published_at)}"
    if "body" in fields:
        yield from _wrapped("  body: ", word_diff(old.body, new.body, context))


def _wrapped(prefix: str, text: str, width: int = 100) -> Iterator[str]:
    """A long diff line cut at word boundaries, continued with the prefix's indent."""
    line, indent = prefix, " " * len(prefix)
    for word in text.split(" "):
        if len(line) + len(word) > width and line.strip():
            yield line.rstrip()
            line = indent
        line += word + " "
    yield line.rstrip()


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"
