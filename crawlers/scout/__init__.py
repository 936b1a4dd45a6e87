"""A look at a news site from its homepage, as a careful person would take it, ending in a
registry entry proven on a sample of the site's articles (``newsflow sources add``).

The story of a look: robots.txt and the homepage; per edition (``hreflang``), its feeds and
sitemaps; the article URL shape learnt from what they list (or from the page's own links,
proven by extraction); the paginated listings and their markup; a sample of every route's
articles extracted; the time zone from the articles' own dates. Every request goes through
the crawler's manners (``crawlers/polite.py``), a hundred per edition at most.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from newsflow.crawlers.polite import Answer, PoliteClient, RequestBudgetSpent
from newsflow.crawlers.scout.editions import look_at_edition, sampled_moments
from newsflow.crawlers.scout.entry import DEFAULT_DELAY, agency_data, render
from newsflow.crawlers.scout.findings import EditionFindings, ScoutError
from newsflow.crawlers.scout.sites import agency_id_for, check_home, edition_homes, site_name
from newsflow.crawlers.scout.zones import guess_zone

from newsflow.registry import Agency

__all__ = ["Proposal", "ScoutError", "scout"]
REQUESTS_PER_EDITION = 100


@dataclass
class Proposal:
    """The entry a look proposes, its TOML, and what was found and proven on the way."""

    agency: Agency
    toml: str
    editions: list[EditionFindings]
    requests: int
    notes: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        """The report's lines, per edition: its routes with their proof, then what is missing."""
        lines = [f"{self.agency.id}: {self.agency.name} ({self.requests} requests)"]
        lines += [f"  {note}" for note in self.notes]
        for edition in self.editions:
            lines.append(f"edition {self.agency.id}-{edition.key} ({edition.language}):")
            lines += [f"  {route.line()}" for route in edition.routes]
            lines += [f"  article URLs: {p}" for p in edition.patterns]
            lines += [f"  note: {note}" for note in edition.notes]
        return lines


def scout(
    url: str,
    agency_id: str | None = None,
    languages: tuple[str, ...] = (),
    base_url: str | None = None,
    requests_per_edition: int = REQUESTS_PER_EDITION,
    progress: Callable[[str], object] = lambda step: None,
) -> Proposal:
    """Look at the site at ``url`` and propose its registry entry; ScoutError says why not.

    ``progress`` hears each step as it starts (a look at a polite pace takes minutes).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScoutError(f"{url!r} is not an http(s) URL")
    site = parts.hostname.lower().removeprefix("www.")

    def owns(host: str) -> bool:
        host = host.lower()
        return host == site or host.endswith("." + site)

    with PoliteClient(owns, DEFAULT_DELAY, base_url, requests_per_edition) as client:
        try:
            return _Look(client, url, site, progress).run(agency_id, languages)
        except RequestBudgetSpent as exc:
            reason = f"{url}: stopped after {exc}; the site needs a hand-written entry"
            raise ScoutError(reason) from None


class _Look:
    """One look at one site, through one polite client."""

    def __init__(
        self, client: PoliteClient, url: str, site: str, progress: Callable[[str], object]
    ) -> None:
        self.client, self.url, self.site, self.progress = client, url, site, progress
        self.today = datetime.now(UTC).date() + timedelta(days=1)

    def run(self, agency_id: str | None, languages: tuple[str, ...]) -> Proposal:
        self.progress(f"reading robots.txt and the homepage of {self.url}")
        robots = self.client.robots_txt(self.url)
        home = self.client.get(self.url)
        check_home(home, self.url)
        robots_text = self.client.robots_answer(self.url).text() if robots is not None else None
        homes = edition_homes(home, languages, self.client.owns_host)
        self.client.max_requests *= len(homes)
        editions = []
        for key, language, answer in self._answers(homes, home):
            self.progress(f"edition {key}: feeds, sitemaps and listings, then samples of each")
            found = look_at_edition(
                self.client, key, language, answer, robots_text, self.today, homes
            )
            editions.append(found)
        if not any(e.proven for e in editions):
            raise ScoutError(_nothing_proven(editions, self.url))
        editions = [e for e in editions if e.proven]
        return self._proposal(home, editions, agency_id)

    def _answers(
        self, homes: list[tuple[str, str, str]], home: Answer
    ) -> list[tuple[str, str, Answer]]:
        answers = []
        for key, language, url in homes:
            answer = home if url == home.final_url else self.client.get(url)
            if answer.ok:
                answers.append((key, language, answer))
        return answers

    def _proposal(
        self, home: Answer, editions: list[EditionFindings], agency_id: str | None
    ) -> Proposal:
        name = site_name(home)
        moments = sampled_moments(editions)
        zone, zone_said = guess_zone(moments, self.site, editions[0].language)
        robots = self.client.robots_txt(self.url)
        asked = robots.crawl_delay(self.client.agent) if robots is not None else None
        delay = max(DEFAULT_DELAY, float(asked or 0))  # robots.txt only raises the default
        data = agency_data(
            agency_id or agency_id_for(self.site, name),
            name,
            home.final_url,
            [self.site],
            zone,
            delay,
            editions,
            next((e.markup for e in editions if e.markup), None),
        )
        agency = Agency.model_validate(data)
        delay_said = (
            f"robots.txt Crawl-delay: {asked}" if delay > DEFAULT_DELAY else "project default"
        )
        evidence = {"timezone": zone_said, "crawl_delay": delay_said}
        notes = [f"time zone {zone}: {zone_said}"]
        toml = render(agency, editions, evidence)
        return Proposal(agency, toml, editions, len(self.client.requests), notes)


def _nothing_proven(editions: list[EditionFindings], url: str) -> str:
    samples = [r.sample for e in editions for r in e.routes + e.dropped]
    tried = sum(s.tried for s in samples)
    blocked = sum(s.blocked for s in samples)
    if blocked:
        return (
            f"no article of {url} could be read: {blocked} of {tried} sampled article pages "
            "answered with a bot-defence challenge (newsflow does not solve challenges)"
        )
    routes = sum(len(e.routes + e.dropped) for e in editions)
    if tried:
        return f"no article found on {url}: {tried} sampled pages from {routes} routes gave none"
    return f"no article found on {url}: no feed, sitemap or listing of articles was found"
