"""`newsflow sources add URL` and `newsflow sources check --live ID…`: entries from the web."""

from __future__ import annotations

import re

import click

from newsflow.cli.errors import CliError


@click.command("add")
@click.argument("url")
@click.option("--id", "agency_id", help="Registry id of the agency (default: from the host).")
@click.option(
    "--language",
    "languages",
    multiple=True,
    help="Edition language (ISO 639-1) to add; repeatable (default: every edition found).",
)
@click.option("--dry-run", is_flag=True, help="Print the report and the entry; write nothing.")
@click.option("--replace", is_flag=True, help="Replace an agency of the same id.")
@click.option("--base-url", help="Fetch from this mirror (<base-url>/<host>/<path>).")
def add_command(
    url: str,
    agency_id: str | None,
    languages: tuple[str, ...],
    dry_run: bool,
    replace: bool,
    base_url: str | None,
) -> None:
    """Look at the news site at URL and add it to the registry.

    Politely (robots.txt, its crawl delay, a hundred requests per edition at most) it finds the
    site's feeds, sitemaps and paginated listings, learns the shape of its article URLs and
    its time zone, and extracts a sample of articles from every route. Only what was proven
    is written, to the first NEWSFLOW_REGISTRY_PATH directory or the user's config
    directory; the report says what each route gave and what is missing.

    Example: newsflow sources add https://www.example-agency.com/ --language en --dry-run
    """
    from newsflow.crawlers.scout import ScoutError, scout
    from newsflow.registry import agency_file, forget_loaded
    from newsflow.registry.user import AgencyExists, write_agency

    if agency_id is not None:
        _check_id(agency_id, replace or dry_run)
    try:
        languages = tuple(code.lower() for code in languages)
        proposal = scout(url, agency_id, languages, base_url, progress=_step)
    except ScoutError as exc:
        raise CliError(str(exc)) from None
    for line in proposal.report():
        click.echo(line)
    if dry_run:
        click.echo("\n# the entry (dry run: nothing written)\n" + proposal.toml, nl=False)
        return
    owner = agency_file(proposal.agency.id)
    try:
        path = write_agency(proposal.agency.id, proposal.toml, owner, replace)
    except AgencyExists as exc:
        raise CliError(str(exc)) from None
    forget_loaded()
    sources = ", ".join(f"{proposal.agency.id}-{key}" for key in proposal.agency.editions)
    click.echo(f"wrote {path}\nsources: {sources}")


def _step(message: str) -> None:
    click.echo(f"… {message}", err=True)


def _check_id(agency_id: str, may_exist: bool) -> None:
    from newsflow.registry import agency_file

    if not re.fullmatch(r"[a-z][a-z0-9_]*", agency_id):
        raise CliError(f"--id {agency_id!r}: use lower-case letters, digits and _ (e.g. sana)")
    owner = agency_file(agency_id)
    if owner is not None and not may_exist:
        raise CliError(
            f"agency {agency_id!r} is already in the registry ({owner}); "
            "pass --replace to replace it or another --id"
        )


def live_check(targets: tuple[str, ...], base_url: str | None) -> None:
    """`sources check --live`: each named source's URLs asked on the real site."""
    from newsflow.crawlers.scout.live import check_live
    from newsflow.registry import load_registry

    registry = load_registry()
    chosen = [s for t in targets for s in registry.values() if t in (s.id, s.agency.id)]
    unknown = [t for t in targets if not any(t in (s.id, s.agency.id) for s in registry.values())]
    if unknown:
        raise CliError(f"unknown source or agency: {', '.join(unknown)} (see `sources list`)")
    failed = 0
    for source in {s.id: s for s in chosen}.values():
        click.echo(f"{source.id} ({source.agency.verified or 'unmarked'}):")
        for check in check_live(source, base_url):
            click.echo(f"  {check.line()}")
            failed += not check.ok
    if failed:
        raise CliError(f"{failed} URLs did not answer as the entry expects")
