"""`newsflow search`: ranked full-text search of stored articles, copies folded."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

import click

from newsflow.cli.errors import CliError
from newsflow.cli.params import NAME, NAME_HELP, SOURCE, date_window

if TYPE_CHECKING:
    from newsflow.db.search import Hit


@click.command("search")
@click.argument("text")
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
@click.option(
    "--all-copies",
    is_flag=True,
    help="One row per matching article; by default a copy folds under its original and an "
    "original under its story.",
)
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Rows to show."
)
@click.option("--json", "as_json", is_flag=True, help="A JSON array of results, for programs.")
def search_command(
    text: str,
    sources: tuple[str, ...],
    language: str | None,
    since: date | None,
    until: date | None,
    name: str | None,
    all_copies: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Search stored articles' titles and bodies; best matches first, with snippets.

    TEXT is web-search syntax: words (all required), "a phrase", OR, -excluded (put `--`
    before a TEXT that starts with "-"). Matches are shown [in brackets]. When nothing
    matches the exit code is 1.

    Example: newsflow search "Kremlin Belgian airstrikes" --source sana-en --since 2016-10-01

    Example: newsflow search Aleppo --name Песков (articles naming Dmitry Peskov, any language)
    """
    from newsflow.db.migrate import require_current
    from newsflow.db.search import SearchQueryError, search
    from newsflow.db.session import session_scope

    require_current()
    try:
        with session_scope() as session:
            hits = search(
                session,
                text,
                sources=list(sources),
                language=language,
                since=since,
                until=until,
                all_copies=all_copies,
                limit=limit,
                name=name,
            )
    except SearchQueryError as exc:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise CliError(f"{exc}: {shown!r}") from exc
    if not hits:
        naming = f" naming {name!r}" if name else ""
        raise CliError(f"no stored article matches {text!r}{naming}")
    if as_json:
        click.echo(json.dumps([_json(hit) for hit in hits], ensure_ascii=False, indent=1))
    else:
        for rank, hit in enumerate(hits, 1):
            click.echo(_text(rank, hit))
    folded = "" if all_copies else " (copies and stories folded; --all-copies lists them)"
    click.echo(f"{len(hits)} results{folded}", err=True)


def _json(hit: Hit) -> dict[str, object]:
    record = asdict(hit)
    record["published_at"] = hit.published_at.isoformat() if hit.published_at else None
    return record


def _text(rank: int, hit: Hit) -> str:
    when = hit.published_at.strftime("%Y-%m-%d %H:%M UTC") if hit.published_at else "undated"
    facts = [hit.source, when, hit.language or "?"]
    if hit.folded:
        facts.append(f"+{hit.folded} folded")
    if hit.duplicate_of is not None:
        facts.append(f"copy of {hit.duplicate_of}")
    return f"{rank:>2}. {hit.title}\n    {' · '.join(facts)} · {hit.url}\n    {hit.snippet}\n"
