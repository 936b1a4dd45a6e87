"""WARC both ways: `newsflow export --format warc` writes stored pages, `newsflow import-warc`
reads archived captures in as articles (newsflow/warc/)."""

from __future__ import annotations

import itertools
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from newsflow.cli.errors import CliError
from newsflow.cli.params import SOURCE


def export_warc(
    sources: list[str],
    since: date | None,
    until: date | None,
    target: Path | None,
    unused: dict[str, Any],
) -> None:
    """`newsflow export --format warc`: the chosen stored pages, as fetched, to ``target``.

    ``unused``: the export options that narrow articles, which pages do not have, by name.
    """
    from newsflow.cli.export import nothing_matched

    given = [name for name, value in unused.items() if value]
    if given:
        options = ", ".join("--" + name.replace("_", "-") for name in given)
        raise CliError(f"{options}: not for --format warc, which writes pages, not articles")
    if target is None and sys.stdout.isatty():
        raise CliError("WARC is binary: write it to a file with -o FILE (.warc.gz)")
    count = _write(sources, since, until, target)
    where = target or "standard output"
    if not count:
        raise CliError(nothing_matched(target, "page"))
    click.echo(f"wrote {count} pages to {where} (WARC/1.1, gzip per record)", err=True)


def _write(sources: list[str], since: date | None, until: date | None, target: Path | None) -> int:
    from newsflow.cli.output import flush_to_disk, open_output
    from newsflow.db.pages import page_select, stored_pages
    from newsflow.db.session import session_scope
    from newsflow.warc.writer import write_warc

    with session_scope() as session:
        pages = stored_pages(session, page_select(sources, since, until))
        first = next(pages, None)
        if first is None:  # nothing opened, nothing replaced
            return 0
        with open_output(target) as out:
            out.flush()  # the text layer's bytes before the WARC's
            everything = itertools.chain([first], pages)
            count = write_warc(out.buffer, everything, _name(target), _info(sources, since, until))
            if target is None:
                flush_to_disk(out)  # the text stream's flush flushes its buffer too
        return count


def _name(target: Path | None) -> str:
    return target.name if target is not None else "newsflow.warc.gz"


def _info(sources: list[str], since: date | None, until: date | None) -> dict[str, str]:
    """The warcinfo record's fields: what wrote the file and what it holds."""
    from newsflow import __version__

    chosen = ", ".join(sources) or "all sources"
    window = f"fetched {since or 'any time'} to {until or 'now'}"
    return {
        "software": f"newsflow/{__version__} (warcio)",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": f"newsflow stored pages: {chosen}; {window}",
    }


@click.command("import-warc")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--source",
    type=SOURCE,
    help="Every HTML response is this source's (any host, any URL shape); extraction decides "
    "which are articles. Default: a WARC newsflow wrote names its sources; otherwise the "
    "registry's agency domains and article URL patterns decide.",
)
def import_warc_command(files: tuple[Path, ...], source: str | None) -> None:
    """Store the articles of WARC files (.warc or .warc.gz) as a crawl would have.

    Each article page goes through the crawl's extraction, store, dedup and enrichment, in a
    run of kind `import` per source; the page keeps the capture time (WARC-Date) as its fetch
    time, the article says it came from a WARC record (via = warc). Responses that are not
    200, not HTML, of hosts no agency has, or (without --source) of URLs no edition's
    article_patterns match are skipped and counted. A damaged file (cut short, corrupt) is one
    error line, after what came before the damage was imported; exit code 1.

    Example: newsflow import-warc CC-NEWS-20161019123456-00001.warc.gz

    Example: newsflow import-warc sana.warc.gz --source sana-en
    """
    from newsflow.cli.writes import require_writable
    from newsflow.registry import get_source
    from newsflow.warc.importer import import_warcs

    require_writable("import-warc")
    chosen = get_source(source) if source else None
    report = import_warcs(files, chosen, on_progress=lambda line: click.echo(line, err=True))
    click.echo(_summary(report.counts))
    for source_id, run_id in sorted(report.runs.items()):
        click.echo(f"  {source_id}: run {run_id}")
    if report.damaged:
        raise CliError("; ".join(report.damaged) + " (what came before was imported)")


# The report's counts, in the order the summary names them.
_STORED = ("articles_new", "articles_updated", "articles_unchanged")
_REJECTED = ("not_articles", "articles_failed", "blocked", "too_large", "unreadable")
_SKIPPED = (
    "skipped_status",
    "skipped_not_html",
    "skipped_unknown_host",
    "skipped_not_article_url",
    "skipped_not_article_page",
)


def _summary(counts: Any) -> str:
    """One line: records read, articles stored, pages rejected, records skipped by reason."""
    stored = sum(counts[key] for key in _STORED)
    parts = [
        f"{counts['responses']} responses in {counts['files']} file"
        + ("s" if counts["files"] != 1 else ""),
        f"{stored} articles stored (new {counts['articles_new']}, updated "
        f"{counts['articles_updated']}, unchanged {counts['articles_unchanged']})",
    ]
    if any(counts[key] for key in _REJECTED):
        parts.append(f"no article: {_listed(counts, _REJECTED)}")
    if any(counts[key] for key in _SKIPPED):
        parts.append(f"skipped: {_listed(counts, _SKIPPED, 'skipped_')}")
    return "; ".join(parts)


def _listed(counts: Any, keys: tuple[str, ...], prefix: str = "") -> str:
    return ", ".join(f"{key.removeprefix(prefix)} {counts[key]}" for key in keys if counts[key])
