"""The registry entry a look at a site proposes: an Agency, and its TOML with the evidence."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from newsflow.crawlers.scout.findings import EditionFindings, RouteKind

from newsflow.registry import Agency, ListingMarkup

DEFAULT_DELAY = 5.0
DEFAULT_SCHEDULE = "*/30 * * * *"


def agency_data(
    agency_id: str,
    name: str,
    homepage: str,
    domains: list[str],
    timezone: str,
    crawl_delay: float,
    editions: list[EditionFindings],
    markup: ListingMarkup | None,
) -> dict[str, Any]:
    """The declaration as the registry's model reads it."""
    data: dict[str, Any] = {
        "id": agency_id,
        "name": name,
        "homepage": homepage,
        "timezone": timezone,
        "domains": domains,
        "crawl_delay": crawl_delay,
        "schedule": DEFAULT_SCHEDULE,
        "editions": {e.key: _edition(e) for e in editions},
    }
    if markup is not None and any(e.of(RouteKind.LISTING) for e in editions):
        data["listing"] = markup.model_dump(exclude_none=True)
    return data


def _edition(findings: EditionFindings) -> dict[str, Any]:
    urls = {kind: [r.url for r in findings.of(kind)] for kind in RouteKind}
    return {
        "language": findings.language,
        "feeds": urls[RouteKind.FEED],
        "sitemaps": urls[RouteKind.SITEMAP],
        "news_sitemaps": urls[RouteKind.NEWS_SITEMAP],
        "listings": [{"url": u, "kind": "category"} for u in urls[RouteKind.LISTING]],
        "article_patterns": findings.patterns,
    }


def render(agency: Agency, editions: list[EditionFindings], evidence: dict[str, str]) -> str:
    """The TOML file, each value with a comment saying where it came from."""
    lines = [
        f"# {agency.name}: written by `newsflow sources add {agency.homepage}` on "
        f"{date.today().isoformat()}.",
        "# Every route below was read and a sample of its articles extracted before writing;",
        "# the comments say what each gave. Edit freely; `newsflow sources check` validates.",
        f"id = {_string(agency.id)}",
        f"name = {_string(agency.name)}",
        f"homepage = {_string(str(agency.homepage))}",
        f"timezone = {_string(agency.timezone)}  # {evidence['timezone']}",
        f"domains = {_strings(list(agency.domains))}",
        f"crawl_delay = {agency.crawl_delay}  # {evidence['crawl_delay']}",
        f"schedule = {_string(agency.schedule)}",
    ]
    for findings in editions:
        lines += ["", *_edition_lines(agency, findings)]
    if agency.listing is not None:
        lines += [
            "",
            "[listing]",
            "# learnt from the listing pages, checked with the crawl's parser",
        ]
        for key, value in agency.listing.model_dump(exclude_none=True).items():
            lines.append(f"{key} = {_string(value)}")
    return "\n".join(lines) + "\n"


def _edition_lines(agency: Agency, findings: EditionFindings) -> list[str]:
    edition = agency.editions[findings.key]
    lines = [f"[editions.{findings.key}]", f"language = {_string(edition.language)}"]
    for kind, field, values in (
        (RouteKind.FEED, "feeds", edition.feeds),
        (RouteKind.SITEMAP, "sitemaps", edition.sitemaps),
        (RouteKind.NEWS_SITEMAP, "news_sitemaps", edition.news_sitemaps),
    ):
        if values:
            lines += [f"# {r.line()}" for r in findings.of(kind)]
            lines.append(f"{field} = {_strings(list(values))}")
    if edition.listings:
        lines += [f"# {r.line()}" for r in findings.of(RouteKind.LISTING)]
        lines.append("listings = [")
        lines += [f'    {{ url = {_string(x.url)}, kind = "category" }},' for x in edition.listings]
        lines.append("]")
    lines += [f"# {note}" for note in findings.notes]
    lines.append("# learnt from the URLs the feeds, sitemaps and listings give as articles")
    lines.append(f"article_patterns = [{', '.join(_literal(p) for p in edition.article_patterns)}]")
    return lines


def _string(value: object) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(str(value), ensure_ascii=False)


def _strings(values: list[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def _literal(pattern: str) -> str:
    """A regex as a TOML literal string, where backslashes need no doubling."""
    return (
        f"'{pattern}'"
        if "'" not in pattern and not re.search(r"[\n\r]", pattern)
        else _string(pattern)
    )
