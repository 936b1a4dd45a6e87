"""What a look at a site found: its discovery routes, how each was proven, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from newsflow.crawlers.discovery import Discovered

from newsflow.article import Article
from newsflow.registry import ListingMarkup


class ScoutError(Exception):
    """The site cannot become a registry entry; the message says why, in one line."""


class RouteKind(StrEnum):
    """The registry field a route becomes."""

    FEED = "feed"
    SITEMAP = "sitemap"
    NEWS_SITEMAP = "news sitemap"
    LISTING = "listing"


@dataclass
class Sample:
    """Articles of one route fetched and extracted: how many gave a dated article."""

    tried: int = 0
    proven: int = 0  # a title, a body and a publication date
    undated: int = 0
    blocked: int = 0  # a bot-defence challenge instead of the page
    failed: list[str] = field(default_factory=list)  # one reason per URL that gave nothing


@dataclass
class Route:
    """One way the site lists its articles, as found and as proven."""

    kind: RouteKind
    url: str
    found_by: str  # "robots.txt", "<link rel=alternate>", "usual path", "homepage link", …
    listed: list[Discovered] = field(default_factory=list)  # every URL it lists
    pages_read: int = 1
    sample: Sample = field(default_factory=Sample)

    @property
    def oldest(self) -> date | None:
        days = [d.day() for d in self.listed if d.date is not None]
        return min((d for d in days if d is not None), default=None)

    def line(self) -> str:
        """The route's report line."""
        sample = self.sample
        proof = f"{sample.proven}/{sample.tried} sampled articles dated, titled and with a body"
        if sample.blocked:
            proof += f", {sample.blocked} blocked by a challenge"
        reach = f", back to {self.oldest}" if self.oldest else ""
        pages = f"{self.pages_read} pages read" if self.kind is RouteKind.LISTING else "read"
        return f"{self.kind:<12} {self.url} ({self.found_by}; {pages}{reach}): {proof}"


@dataclass
class EditionFindings:
    """One language edition of the site: its routes, article shape, zone and what is missing."""

    key: str
    language: str
    home: str
    routes: list[Route] = field(default_factory=list)
    dropped: list[Route] = field(default_factory=list)  # found, but no sampled article proven
    patterns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    markup: ListingMarkup | None = None
    articles: list[Article] = field(default_factory=list)  # what the samples gave

    def of(self, kind: RouteKind) -> list[Route]:
        return [r for r in self.routes if r.kind is kind]

    @property
    def proven(self) -> int:
        return sum(r.sample.proven for r in self.routes)
