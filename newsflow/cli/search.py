"""`newsflow search`: ranked full-text search of stored articles, copies folded; or how many
match, in total (--count) or per day, week or month (--by), per source or agency (--per)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from newsflow.cli.errors import CliError
from newsflow.cli.params import (
    NAME,
    NAME_HELP,
    SOURCE,
    chosen_sources,
    date_window,
    source_groups,
)

if TYPE_CHECKING:
    from newsflow.db.search import Hit
    from newsflow.db.timeline import MatchCount, PeriodCount
    from newsflow.registry.groups import Groups

SPARKS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 60  # marks at most: longer series are summed into wider steps
MAX_COLUMNS = 8  # sources or agencies shown as columns; the others are summed as "others"


@click.command("search")
@click.argument("text")
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
    "--all-copies",
    is_flag=True,
    help="One row per matching article; by default a copy folds under its original and an "
    "original under its story.",
)
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Rows to show."
)
@click.option(
    "--count",
    "count_only",
    is_flag=True,
    help="Print how many articles match (every one: copies and story fellows too).",
)
@click.option(
    "--by",
    type=click.Choice(["day", "week", "month"]),
    help="Count the matching articles per UTC day, week (from Monday) or month.",
)
@click.option(
    "--per",
    type=click.Choice(["source", "agency"]),
    help="With --by: a series per source or per agency (sana-en and sana-ar are agency sana).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json"]),
    help="With --count or --by: text (a table with sparklines; the default), csv or json.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="JSON for programs: an array of results ([] for none); with --count or --by, "
    "as --format json.",
)
def search_command(
    text: str,
    sources: tuple[str, ...],
    groups: Groups,
    language: str | None,
    since: date | None,
    until: date | None,
    name: str | None,
    all_copies: bool,
    limit: int,
    count_only: bool,
    by: str | None,
    per: str | None,
    fmt: str | None,
    as_json: bool,
) -> None:
    """Search stored articles' titles and bodies; best matches first, with snippets.

    TEXT is web-search syntax: words (all required, stemmed in the agencies' languages, so
    пожар finds пожаров), "a phrase", Kreml* (a prefix), a OR b (binds tighter than the
    words around it), -excluded (put `--` before a TEXT that starts with "-"), and fields:
    title:word, author:name, person:Lavrov, place:Aleppo or place:SY, lang:ru. Matches are
    shown [in brackets]. When nothing matches the exit code is 1; with --json the output
    is [] and the exit code 0.

    --count prints how many articles match, --by how many per day, week or month (with --per,
    per source or agency): every matching article counts, copies too ("originals" leaves them
    out). Undated articles are counted by --count but fall in no period.

    Example: newsflow search "Kremlin Belgian airstrikes" --source sana-en --since 2016-10-01

    Example: newsflow search Aleppo --name Песков (articles naming Dmitry Peskov, any language)

    Example: newsflow search Aleppo --by week --per agency --since 2016-10-01 --format csv

    Example: newsflow search Aleppo --country RU --owner state --by day (Russian state media)
    """
    from newsflow.db.migrate import require_current
    from newsflow.db.search import SearchQueryError

    output = _output_format(count_only, by, per, fmt, as_json, all_copies)
    require_current()
    filters: dict[str, Any] = {
        "sources": chosen_sources(sources, groups),
        "language": language,
        "since": since,
        "until": until,
        "name": name,
    }
    try:
        if count_only:
            _print_count(_count(text, filters), text, name, output)
        elif by is not None:
            _print_timeline(_timeline(text, by, per, filters), text, name, by, per, output)
        else:
            _print_hits(_hits(text, filters, all_copies, limit), text, name, all_copies, as_json)
    except SearchQueryError as exc:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise CliError(f"{exc}: {shown!r}") from exc


def plural(count: int, word: str, words: str | None = None) -> str:
    """ "1 result", "2 results", "1,204 copies": a count and its noun in agreement."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def sparkline(values: Sequence[int], width: int = SPARK_WIDTH) -> str:
    """One mark per value (▁ for none, █ for the most; any value above none shows above ▁),
    consecutive values summed when there are more than ``width``."""
    step = max(1, math.ceil(len(values) / width))
    sums = [sum(values[i : i + step]) for i in range(0, len(values), step)]
    top = max(sums, default=0)
    if top == 0:
        return SPARKS[0] * len(sums)
    last = len(SPARKS) - 1
    return "".join(
        SPARKS[0] if value == 0 else SPARKS[max(1, round(value / top * last))] for value in sums
    )


def _output_format(
    count_only: bool,
    by: str | None,
    per: str | None,
    fmt: str | None,
    as_json: bool,
    all_copies: bool,
) -> str:
    """The output format; a usage error for options that do not go together."""
    context = click.get_current_context()
    if count_only and by:
        raise click.UsageError("--count gives one total, --by a series: use one of them")
    if per and not by:
        raise click.UsageError("--per needs --by day, week or month")
    if not (count_only or by):
        if fmt is not None:
            raise click.UsageError("--format goes with --count or --by (results take --json)")
        return "json" if as_json else "text"
    if all_copies or context.get_parameter_source("limit") is not ParameterSource.DEFAULT:
        raise click.UsageError(
            "--all-copies and --limit shape the list of results; --count and --by count "
            "every matching article"
        )
    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json and --format {fmt} ask for two formats")
    return "json" if as_json else fmt or "text"


def _hits(text: str, filters: dict[str, Any], all_copies: bool, limit: int) -> list[Hit]:
    from newsflow.db.search import search
    from newsflow.db.session import session_scope

    with session_scope() as session:
        return search(session, text, all_copies=all_copies, limit=limit, **filters)


def _count(text: str, filters: dict[str, Any]) -> MatchCount:
    from newsflow.db.session import session_scope
    from newsflow.db.timeline import count_matches

    with session_scope() as session:
        return count_matches(session, text, **filters)


def _timeline(text: str, by: str, per: str | None, filters: dict[str, Any]) -> list[PeriodCount]:
    from newsflow.db.session import session_scope
    from newsflow.db.timeline import timeline

    with session_scope() as session:
        return timeline(session, text, by=by, per=per, **filters)


def _print_hits(
    hits: list[Hit], text: str, name: str | None, all_copies: bool, as_json: bool
) -> None:
    if as_json:  # programs get a list, empty or not
        click.echo(json.dumps([_json(hit) for hit in hits], ensure_ascii=False, indent=1))
    elif not hits:
        raise CliError(f"no stored article matches {text!r}{_naming(name)}")
    else:
        for rank, hit in enumerate(hits, 1):
            click.echo(_text(rank, hit))
    folded = "" if all_copies else " (copies and stories folded; --all-copies lists them)"
    click.echo(f"{plural(len(hits), 'result')}{folded}", err=True)


def _print_count(found: MatchCount, text: str, name: str | None, output: str) -> None:
    if output == "json":
        click.echo(json.dumps({"count": found.articles}))
    elif output == "csv":
        click.echo(f"count\n{found.articles}")
    else:
        click.echo(str(found.articles))
        parts = f"{plural(found.originals, 'original')}, {plural(found.copies, 'copy', 'copies')}"
        click.echo(
            f"{plural(found.articles, 'article')} {_match(found.articles)} {text!r}"
            f"{_naming(name)} ({parts})",
            err=True,
        )


def _print_timeline(
    points: list[PeriodCount], text: str, name: str | None, by: str, per: str | None, output: str
) -> None:
    keys = {"source": ["source", "agency"], "agency": ["agency"]}.get(per or "", [])
    records = [
        {
            "period": point.period.isoformat(),
            **{key: getattr(point, key) for key in keys},
            "articles": point.articles,
            "originals": point.originals,
        }
        for point in points
    ]
    if output == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
        return
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, ["period", *keys, "articles", "originals"])
        writer.writeheader()
        writer.writerows(records)
        click.echo(buffer.getvalue(), nl=False)
        return
    if not points:
        raise CliError(f"no dated stored article matches {text!r}{_naming(name)}")
    for line in _table(points, by, per):
        click.echo(line)
    articles = sum(point.articles for point in points)
    originals = sum(point.originals for point in points)
    periods = len({point.period for point in points})
    click.echo(
        f"{plural(articles, 'article')} ({plural(originals, 'original')}) "
        f"{_match(articles)} {text!r}{_naming(name)} over {plural(periods, by)}",
        err=True,
    )


def _table(points: list[PeriodCount], by: str, per: str | None) -> list[str]:
    """Periods down, totals and the busiest sources or agencies across, a sparkline each."""
    periods = sorted({point.period for point in points})
    series: dict[str, dict[date, int]] = {}
    for point in points:
        key = (point.source if per == "source" else point.agency) or ""
        series.setdefault(key, {})[point.period] = point.articles
    total = {day: sum(counts.get(day, 0) for counts in series.values()) for day in periods}
    columns: dict[str, dict[date, int]] = {"articles" if per is None else "total": total}
    if per is not None:
        ranked = sorted(series, key=lambda key: (-sum(series[key].values()), key))
        shown = ranked if len(ranked) <= MAX_COLUMNS else ranked[: MAX_COLUMNS - 1]
        columns.update((key, series[key]) for key in shown)
        rest = [key for key in ranked if key not in shown]
        if rest:
            others = {day: sum(series[key].get(day, 0) for key in rest) for day in periods}
            columns[f"{len(rest)} others"] = others
    label = {"day": "day", "week": "week of", "month": "month"}[by]
    shown_day = (lambda day: day.strftime("%Y-%m")) if by == "month" else date.isoformat
    first = max(len(label), 10)
    widths = {
        key: max(len(key), *(len(f"{n:,}") for n in counts.values()), 1)
        for key, counts in columns.items()
    }
    lines = [f"{label:<{first}}  " + "  ".join(f"{key:>{widths[key]}}" for key in columns)]
    for day in periods:
        cells = "  ".join(f"{columns[key].get(day, 0):>{widths[key]},}" for key in columns)
        lines.append(f"{shown_day(day):<{first}}  {cells}")
    lines.append("")
    step = max(1, math.ceil(len(periods) / SPARK_WIDTH))
    each = f", a mark per {step} {by}s" if step > 1 else ""
    lines.append(f"{shown_day(periods[0])} … {shown_day(periods[-1])}{each}")
    name_width = max(len(key) for key in columns)
    for key, counts in columns.items():
        values = [counts.get(day, 0) for day in periods]
        lines.append(f"{key:<{name_width}}  {sparkline(values)}  {sum(values):,}")
    return lines


def _match(count: int) -> str:
    return "matches" if count == 1 else "match"


def _naming(name: str | None) -> str:
    return f" naming {name!r}" if name else ""


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
