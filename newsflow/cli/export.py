"""`newsflow export`: article_view rows as JSON Lines, CSV or Parquet, streamed; or what
changed since a time or since a named cursor's last sync (db/changes.py, db/cursors.py)."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from newsflow.cli.errors import CliError
from newsflow.cli.output import atomic_directory, flush_to_disk, open_output
from newsflow.cli.params import (
    NAME,
    NAME_HELP,
    SOURCE,
    chosen_sources,
    date_window,
    source_groups,
)

if TYPE_CHECKING:
    from newsflow.db.views import View
    from newsflow.registry.groups import Groups

FORMATS = ("jsonl", "csv", "parquet", "warc")


class InstantType(click.ParamType):
    """An ISO 8601 instant: UTC unless it carries an offset; a bare day is its midnight UTC."""

    name = "timestamp"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        """The aware instant, or a usage error showing the expected form."""
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a time like 2026-12-07T13:00:00Z", param, ctx)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


INSTANT = InstantType()


@click.command("export")
@click.option(
    "--source", "sources", type=SOURCE, multiple=True, help="Only these sources (repeatable)."
)
@source_groups
@click.option("--lang", "language", help="Only this language (ISO 639-1, e.g. en).")
@date_window(
    required=False,
    since_help="Published on or after (YYYY-MM-DD, UTC).",
    until_help="Published on or before (YYYY-MM-DD, UTC).",
)
@click.option("--name", type=NAME, help=NAME_HELP)
@click.option(
    "--changed-since",
    type=INSTANT,
    metavar="TIMESTAMP",
    help="Only articles changed at or after this time (ISO 8601, UTC unless an offset is "
    "given), each with `change` and `changed_at`. For repeated syncs use --cursor.",
)
@click.option(
    "--cursor",
    metavar="NAME",
    help="Sync: what changed since this named cursor's last sync (everything, the first "
    "time); the cursor moves only once the output is written whole.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    help="File to write (default: standard output); replaced whole, and only if articles match.",
)
@click.option(
    "--partitioned",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --format parquet: a new directory of day=YYYY-MM-DD/source=x/part-0.parquet "
    "files (publication day), written whole or not at all.",
)
def export_command(
    sources: tuple[str, ...],
    groups: Groups,
    language: str | None,
    since: date | None,
    until: date | None,
    name: str | None,
    changed_since: datetime | None,
    cursor: str | None,
    fmt: str,
    output: Path,
    partitioned: Path | None,
) -> None:
    """Write article_view rows, oldest first, as JSON Lines, CSV or Parquet.

    Rows stream from the database, so memory stays flat however many match. The columns are
    those of article_view (docs/schema.md). Parquet needs the `parquet` extra (pyarrow). The
    count goes to stderr. When nothing matches, nothing is written (an existing file is left
    as it was) and the exit code is 1.

    With --changed-since or --cursor, only articles that changed (new, edited, removed,
    restored, enriched) are written, one row each, with `change`, `changed_at` and `changes`
    before the view's columns (docs/sync.md). No change is no error: nothing is written and
    the exit code is 0.

    Example: newsflow export --source sana-en --since 2016-10-01 --format parquet -o sana.parquet

    Example: newsflow export --name Peskov --since 2016-10-01 (SANA, TASS and RIA in English,
    Russian and Arabic)

    Example: newsflow export --cursor duckdb --format parquet --partitioned sync/0001

    Example: newsflow export --country IR --owner state --since 2026-11-01 -o iran.jsonl

    With --format warc, the stored raw pages (not articles) are written as WARC/1.1, gzip per
    record: a response record per page (its status, headers and body as fetched), a request
    and a metadata record beside it. --since/--until then bound the fetch time (UTC days).

    Example: newsflow export --format warc --source sana-en --since 2026-12-01 -o sana.warc.gz
    """
    from newsflow.db.export import PARQUET_HINT
    from newsflow.db.migrate import require_current
    from newsflow.db.views import ARTICLE_VIEW

    if cursor is not None and changed_since is not None:
        raise CliError("--cursor and --changed-since exclude each other: a cursor knows its start")
    target = None if str(output) == "-" else output
    if fmt == "warc":
        from newsflow.cli.warc import export_warc

        unused: dict[str, Any] = {
            "language": language,
            "name": name,
            "changed_since": changed_since,
            "cursor": cursor,
            "partitioned": partitioned,
        }
        require_current()
        export_warc(chosen_sources(sources, groups), since, until, target, unused)
        return
    if partitioned is not None:
        if fmt != "parquet":
            raise CliError("--partitioned writes Parquet: add --format parquet")
        if target is not None:
            raise CliError("--partitioned DIR and -o FILE exclude each other")
        _check_new_directory(partitioned)
    if fmt == "parquet":
        if importlib.util.find_spec("pyarrow") is None:
            raise CliError(PARQUET_HINT)
        if partitioned is None and target is None and sys.stdout.isatty():
            raise CliError("Parquet is binary: write it to a file with -o FILE")
    require_current()
    filters: dict[str, Any] = {
        "sources": chosen_sources(sources, groups),
        "language": language,
        "since": since,
        "until": until,
        "name": name,
    }
    where = str(partitioned or target or "standard output")
    if cursor is not None:
        count = _sync(cursor, filters, fmt, target, partitioned)
        if count:
            moved = f"wrote {count} changed articles to {where}; cursor {cursor} moved"
            click.echo(moved, err=True)
        else:
            click.echo(f"no change since cursor {cursor}'s last sync; nothing written", err=True)
        return
    if changed_since is not None:
        count = _changed_since(changed_since, filters, fmt, target, partitioned)
        if count:
            click.echo(f"wrote {count} changed articles to {where}", err=True)
        else:
            shown = changed_since.isoformat()
            click.echo(f"no article changed since {shown}; nothing written", err=True)
        return
    count = _export(filters, fmt, target, partitioned, ARTICLE_VIEW)
    if not count:
        raise CliError(nothing_matched(partitioned or target))
    click.echo(f"wrote {count} articles to {where}", err=True)


def _export(
    filters: dict[str, Any],
    fmt: str,
    target: Path | None,
    partitioned: Path | None,
    view: View,
) -> int:
    from newsflow.db.export import article_select, stream
    from newsflow.db.session import session_scope

    with session_scope() as session:
        query = article_select(partitioned=partitioned is not None, **filters)
        return write_output(stream(session, query), fmt, view, target, partitioned)


def _changed_since(
    moment: datetime,
    filters: dict[str, Any],
    fmt: str,
    target: Path | None,
    partitioned: Path | None,
) -> int:
    from newsflow.db.changes import CHANGE_VIEW, change_records, change_select, window_since
    from newsflow.db.export import stream
    from newsflow.db.session import session_scope

    with session_scope() as session:
        query = change_select(window_since(moment), partitioned=partitioned is not None, **filters)
        records = change_records(stream(session, query))
        return write_output(records, fmt, CHANGE_VIEW, target, partitioned)


def _sync(
    name: str,
    filters: dict[str, Any],
    fmt: str,
    target: Path | None,
    partitioned: Path | None,
) -> int:
    from newsflow.db.changes import CHANGE_VIEW
    from newsflow.db.cursors import CursorError, CursorMoved, sync

    def write(records: Iterator[dict[str, Any]]) -> int:
        return write_output(records, fmt, CHANGE_VIEW, target, partitioned)

    try:
        return sync(name, filters, write, partitioned=partitioned is not None).count
    except (CursorError, CursorMoved) as exc:
        raise CliError(str(exc)) from exc


def write_output(
    records: Iterator[dict[str, Any]],
    fmt: str,
    view: View,
    target: Path | None,
    partitioned: Path | None,
) -> int:
    """Write records to a file, standard output or a partitioned directory; the count.

    Nothing is opened when there are no records. Returns only once all was written and on
    disk (a file or directory synced and renamed into place, standard output flushed, and
    synced when it is a file); any failure raises.
    """
    from newsflow.db.export import write_partitioned

    first = next(records, None)
    if first is None:
        return 0
    everything = itertools.chain([first], records)
    if partitioned is not None:
        with atomic_directory(partitioned) as directory:
            return write_partitioned(directory, everything, view)
    with open_output(target) as out:  # a file: synced, renamed, the rename synced
        count = write_records(out, everything, fmt, view)
        if target is None:
            flush_to_disk(out)
    return count


def write_records(
    out: TextIO, records: Iterable[dict[str, Any]], fmt: str, view: View | None = None
) -> int:
    """Write records in a format to a text stream (Parquet to its bytes); return the count."""
    from newsflow.db.export import write_csv, write_jsonl, write_parquet
    from newsflow.db.views import ARTICLE_VIEW

    view = view or ARTICLE_VIEW
    if fmt == "parquet":
        out.flush()
        return write_parquet(out.buffer, records, view)
    if fmt == "csv":
        return write_csv(out, records, view.names)
    return write_jsonl(out, records)


def _check_new_directory(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise CliError(f"{path} exists and is not an empty directory: name a new one")


def nothing_matched(target: Path | None, what: str = "article") -> str:
    """Why nothing was written, and what became of ``target`` (no stored ``what`` matched)."""
    if target is None:
        return f"no stored {what} matches; nothing written"
    kept = "left unchanged" if target.exists() else "not created"
    return f"no stored {what} matches; nothing written, {target} {kept}"
