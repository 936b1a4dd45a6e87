"""`newsflow revisit`: check recent articles again for edits and removals, now."""

from __future__ import annotations

from typing import Any

import click

from newsflow.cli.params import SOURCE
from newsflow.cli.prefect_local import shield_temporary_server
from newsflow.cli.report import print_errors
from newsflow.cli.writes import require_writable

COLUMNS = (
    ("revisited", "revisited"),
    ("304", "not_modified"),
    ("new versions", "versions_new"),
    ("removed", "removed"),
    ("found again", "restored"),
    ("failures", "failures_recorded"),
)


@click.command("revisit")
@click.argument("sources", nargs=-1, type=SOURCE)
@click.option(
    "--base-url", help="Fetch from this mirror (<base-url>/<host>/<path>), e.g. the replay."
)
def revisit_command(sources: tuple[str, ...], base_url: str | None) -> None:
    """Fetch SOURCES' recent articles again (default: every enabled source).

    Articles published within the registry's [revisit] within_hours (default 48) and not
    checked for every_hours (6) are fetched with conditional GET: an edit keeps the old
    version, a 404/410 or a redirect to the front page or a listing marks the article removed.
    Example: newsflow revisit sana-en tass-en
    """
    from newsflow.flows.revisit import revisit_sources
    from newsflow.registry import load_registry

    require_writable("revisit")  # before Prefect starts: one line, not a failed run
    chosen = list(sources) or [s.id for s in load_registry().values() if s.edition.enabled]
    shield_temporary_server()
    summaries = revisit_sources(chosen, base_url=base_url)
    print_revisits(summaries)
    if any(s["status"] != "completed" for s in summaries):
        raise SystemExit(1)


def print_revisits(summaries: list[dict[str, Any]]) -> None:
    """One line per source: status and what its revisit found."""
    header = ["source", "status", *(label for label, _ in COLUMNS)]
    rows = [
        [str(s.get("source") or "?"), str(s.get("status", "?"))]
        + [str(s.get("counts", {}).get(key, 0)) for _, key in COLUMNS]
        for s in summaries
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print_errors(summaries)
