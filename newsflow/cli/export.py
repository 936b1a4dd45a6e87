"""`newsflow export`: article_view rows as JSON Lines, CSV or Parquet, streamed."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import click

from newsflow.cli.errors import CliError
from newsflow.cli.output import open_output
from newsflow.cli.params import NAME, NAME_HELP, SOURCE, date_window

FORMATS = ("jsonl", "csv", "parquet")


@click.command("export")
@click.option(
    "--source", "sources", type=SOURCE, multiple=True, help="Only these sources (repeatable)."
)
@click.option("--lang", "language", help="Only this language (ISO 639-1, e.g. en).")
@date_window(
    required=False,
    since_help="Published on or after (YYYY-MM-DD, UTC).",
    until_help="Published on or before (YYYY-MM-DD, UTC).",
)
@click.option("--name", type=NAME, help=NAME_HELP)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    help="File to write (default: standard output); replaced whole, and only if articles match.",
)
def export_command(
    sources: tuple[str, ...],
    language: str | None,
    since: date | None,
    until: date | None,
    name: str | None,
    fmt: str,
    output: Path,
) -> None:
    """Write article_view rows, oldest first, as JSON Lines, CSV or Parquet.

    Rows stream from the database, so memory stays flat however many match. The columns are
    those of article_view (docs/schema.md). Parquet needs the `parquet` extra (pyarrow). The
    count goes to stderr. When nothing matches, nothing is written (an existing file is left
    as it was) and the exit code is 1.

    Example: newsflow export --source sana-en --since 2016-10-01 --format parquet -o sana.parquet

    Example: newsflow export --name Peskov --since 2016-10-01 (SANA, TASS and RIA in English,
    Russian and Arabic)
    """
    from newsflow.db.export import PARQUET_HINT, article_select, stream
    from newsflow.db.migrate import require_current
    from newsflow.db.session import session_scope

    target = None if str(output) == "-" else output
    if fmt == "parquet":
        if importlib.util.find_spec("pyarrow") is None:
            raise CliError(PARQUET_HINT)
        if target is None and sys.stdout.isatty():
            raise CliError("Parquet is binary: write it to a file with -o FILE")
    require_current()
    with session_scope() as session:
        query = article_select(list(sources), language, since, until, name=name)
        records = stream(session, query)
        first = next(records, None)
        if first is None:
            raise CliError(_nothing_matched(target))
        with open_output(target) as out:
            count = write_records(out, itertools.chain([first], records), fmt)
    click.echo(f"wrote {count} articles to {target or 'standard output'}", err=True)


def write_records(out: TextIO, records: Iterable[dict[str, Any]], fmt: str) -> int:
    """Write records in a format to a text stream (Parquet to its bytes); return the count."""
    from newsflow.db.export import write_csv, write_jsonl, write_parquet

    if fmt == "parquet":
        out.flush()
        return write_parquet(out.buffer, records)
    return write_csv(out, records) if fmt == "csv" else write_jsonl(out, records)


def _nothing_matched(target: Path | None) -> str:
    if target is None:
        return "no stored article matches; nothing written"
    kept = "left unchanged" if target.exists() else "not created"
    return f"no stored article matches; nothing written, {target} {kept}"
