"""One language edition looked at: its routes, the shape of its article URLs, and their proof."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from urllib.parse import urlsplit

from newsflow.crawlers.polite import Answer, PoliteClient
from newsflow.crawlers.scout.findings import EditionFindings, Route, RouteKind
from newsflow.crawlers.scout.patterns import learn_patterns
from newsflow.crawlers.scout.proof import Prover, spread
from newsflow.crawlers.scout.routes import find_feeds, find_listings, find_sitemaps
from newsflow.crawlers.scout.sites import menu_links, page_links

from newsflow.enrichment.language import identify
from newsflow.registry import Agency, Source

# Links of the page proving a guessed article shape: this many fetched, most must be articles.
_LINK_PROOF = 3


def look_at_edition(
    client: PoliteClient,
    key: str,
    language: str,
    home: Answer,
    robots: str | None,
    today: date,
    homes: list[tuple[str, str, str]],
) -> EditionFindings:
    """Find, shape and prove the edition's routes; routes that prove nothing are left out."""
    findings = EditionFindings(key, language, home.final_url)
    others = [url for _, _, url in homes if url != home.final_url]
    feeds = find_feeds(client, home.final_url, home.text())
    sitemaps = _own(find_sitemaps(client, home.final_url, robots), home.final_url, others)
    known = [d.url for route in feeds + sitemaps for d in route.listed]
    menu = menu_links(home)
    findings.patterns = learn_patterns(known, menu)
    if not findings.patterns:
        findings.patterns = _patterns_from_links(client, key, language, home, menu)
    if not findings.patterns:
        findings.dropped = feeds + sitemaps
        return findings
    source = draft_source(key, language or "und", findings.patterns)
    languages = tuple(dict.fromkeys((language or "en", "en")))
    listings, findings.markup = find_listings(client, home, source.is_article_url, languages, today)
    prover = Prover(client, source)
    for route in feeds + sitemaps + listings:
        prover.prove(route)
    found = feeds + sitemaps + listings
    findings.routes = [r for r in found if r.sample.proven]
    findings.dropped = [r for r in found if not r.sample.proven]
    findings.articles = prover.articles()
    findings.notes = _dropped(findings.dropped) + _missing(findings)
    if not language:
        findings.language = findings.key = _detected(findings)
    return findings


def draft_source(key: str, language: str, patterns: list[str]) -> Source:
    """A Source of the edition being looked at, for extraction before the entry exists."""
    agency = Agency.model_validate(
        {
            "id": "scouted",
            "name": "scouted",
            "homepage": "https://scouted.invalid/",
            "timezone": "UTC",
            "domains": ["scouted.invalid"],
            "editions": {key: {"language": language, "article_patterns": patterns}},
        }
    )
    return Source(agency, key)


def sampled_moments(editions: list[EditionFindings]) -> list[datetime]:
    """The publication dates the samples gave, for the time zone."""
    return [a.published_at for e in editions for a in e.articles if a.published_at]


def _own(routes: list[Route], home: str, others: list[str]) -> list[Route]:
    """Routes whose URLs sit under this edition's home, not under another edition's."""
    prefix = home if urlsplit(home).path not in ("", "/") else None
    kept = []
    for route in routes:
        urls = [d.url for d in route.listed]
        mine = [u for u in urls if (prefix is None or u.startswith(prefix))]
        mine = [u for u in mine if not any(u.startswith(o) for o in others if len(o) > len(home))]
        if urls and len(mine) >= 0.5 * len(urls):
            kept.append(route)
    return kept


def _patterns_from_links(
    client: PoliteClient, key: str, language: str, home: Answer, menu: list[str]
) -> list[str]:
    """With no feed or sitemap, the page's own links: the first common shape proven as articles."""
    links = [u for u in page_links(home) if u not in set(menu) and u != home.final_url]
    for pattern in learn_patterns(links, menu):
        source = draft_source(key, language or "und", [pattern])
        prover = Prover(client, source, _LINK_PROOF)
        matching = [u for u in links if source.is_article_url(u)]
        tried = [prover.try_url(u) for u in spread(matching, _LINK_PROOF)]
        if sum(1 for t in tried if t.article and t.article.published_at) >= 2:
            return [pattern]
    return []


def _dropped(routes: list[Route]) -> list[str]:
    return [
        f"{r.kind} {r.url} gave no dated article in {r.sample.tried} tries: not written"
        for r in routes
        if not r.sample.proven
    ]


def _missing(findings: EditionFindings) -> list[str]:
    """What could not be found, and what that means for scheduled runs and backfills."""
    notes = []
    has = {kind: bool(findings.of(kind)) for kind in RouteKind}
    if not has[RouteKind.FEED]:
        notes.append(
            "no feed found (announced or at the usual paths): scheduled runs read "
            "the news sitemap and the listings' first pages instead"
        )
    if not has[RouteKind.SITEMAP] and not has[RouteKind.LISTING]:
        notes.append(
            "no sitemap and no paginated listing: a backfill reaches only what the "
            "feeds and news sitemaps still list"
        )
    elif not has[RouteKind.SITEMAP]:
        notes.append("no sitemap found (robots.txt, usual paths): backfills walk the listings")
    markup = findings.markup
    if has[RouteKind.LISTING] and markup is not None and markup.date is None:
        notes.append("listing items show no date: a backfill walks the whole listing")
    if has[RouteKind.LISTING] and markup is not None and markup.next_page is None:
        notes.append("listings link to no older page: backfills read only their first pages")
    return notes


def _detected(findings: EditionFindings) -> str:
    """The language most sampled articles are written in (the page declared none)."""
    votes = Counter(
        found[0] for a in findings.articles if (found := identify(f"{a.title}\n{a.body[:2000]}"))
    )
    return votes.most_common(1)[0][0] if votes else "en"
