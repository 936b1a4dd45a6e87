"""`newsflow export`: stored articles as JSON Lines or CSV for downstream tools."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import click

from newsflow.cli.errors import CliError
from newsflow.cli.output import open_output
from newsflow.cli.params import SOURCE, date_window


@click.command("export")
@click.option(
    "--source", "sources", type=SOURCE, multiple=True, help="Only these sources (repeatable)."
)
@date_window(
    required=False,
    since_help="Published on or after (YYYY-MM-DD, UTC).",
    until_help="Published on or before (YYYY-MM-DD, UTC).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    help="File to write (default: standard output); replaced whole, and only if articles match.",
)
def export_command(
    sources: tuple[str, ...], since: date | None, until: date | None, fmt: str, output: Path
) -> None:
    """Write stored articles, oldest first, as JSON Lines or CSV.

    The count goes to stderr. When nothing matches, nothing is written (an existing file is
    left as it was) and the exit code is 1.

    Example: newsflow export --source sana-en --since 2016-10-01 -o sana-oct.jsonl
    """
    from db.export import article_records
    from db.migrate import require_current
    from db.session import session_scope

    require_current()
    target = None if str(output) == "-" else output
    with session_scope() as session:
        records = article_records(session, list(sources) or None, since, until)
        first = next(records, None)
        if first is None:
            raise CliError(_nothing_matched(target))
        with open_output(target) as stream:
            count = write_records(stream, itertools.chain([first], records), fmt)
    click.echo(f"wrote {count} articles to {target or 'standard output'}", err=True)


def write_records(stream: TextIO, records: Iterable[dict[str, Any]], fmt: str) -> int:
    """Write records as JSON Lines or CSV (with a header); return how many were written."""
    from db.export import COLUMNS

    count = 0
    writer = csv.DictWriter(stream, fieldnames=COLUMNS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for record in records:
        if writer:
            writer.writerow({k: _cell(v) for k, v in record.items()})
        else:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _nothing_matched(target: Path | None) -> str:
    if target is None:
        return "no stored article matches; nothing written"
    kept = "left unchanged" if target.exists() else "not created"
    return f"no stored article matches; nothing written, {target} {kept}"


def _cell(value: object) -> object:
    # Lists and mappings go into one CSV cell as JSON, so nothing is lost.
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
