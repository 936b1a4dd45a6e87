"""`newsflow export`: stored articles as JSON Lines or CSV for downstream tools."""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import TextIO

import click

from newsflow.cli.backfill import parse_day_option
from newsflow.cli.errors import friendly_errors


@click.command("export")
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable).")
@click.option("--since", callback=parse_day_option, help="Published on or after (YYYY-MM-DD, UTC).")
@click.option(
    "--until", callback=parse_day_option, help="Published on or before (YYYY-MM-DD, UTC)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: standard output).",
)
@friendly_errors
def export_command(
    sources: tuple[str, ...], since: date | None, until: date | None, fmt: str, output: TextIO
) -> None:
    """Write stored articles, oldest first, as JSON Lines or CSV.

    Example: newsflow export --source sana-en --since 2016-10-01 -o sana-oct.jsonl
    """
    from db.export import COLUMNS, article_records
    from db.session import session_scope

    with session_scope() as session:
        records = article_records(session, list(sources) or None, since, until)
        if fmt == "jsonl":
            for record in records:
                output.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        writer = csv.DictWriter(output, fieldnames=COLUMNS)
        writer.writeheader()
        for record in records:
            writer.writerow({k: _cell(v) for k, v in record.items()})


def _cell(value: object) -> object:
    # Lists and mappings go into one CSV cell as JSON, so nothing is lost.
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
