"""The shape of an agency declaration, validated when a registry file is loaded."""

from __future__ import annotations

import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from newsflow.registry.patience import PatienceBlock, declared_hosts
from newsflow.registry.webarchive import WebArchive


def _compile(pattern: str) -> re.Pattern[str]:
    """Compile a registry regex; a bad one becomes a validation error naming its field."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc


def _five_fields(cron: str) -> str:
    """A cron line has five fields; `newsflow sources check` parses them fully."""
    if len(cron.split()) != 5:
        raise ValueError(f"cron needs five fields, got {cron!r}")
    return cron


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Listing(_Strict):
    """An archive listing walked newest to oldest, page by page."""

    url: str = Field(
        description="URL template with {page}; date archives may use {yyyy} {mm} {yyyymm}."
    )
    first_page: int = Field(1, description="Number of the newest page.")
    kind: Literal["category", "date"] = Field(
        "category", description="'category' (paged) or 'date' (one archive page per month)."
    )


class ListingMarkup(_Strict):
    """CSS selectors that read a listing page."""

    item: str = Field(description="One listed article.")
    link: str = Field("a::attr(href)", description="The article link inside an item.")
    date: str | None = Field(None, description="Date text inside an item (may lack the year).")
    month_heading: str | None = Field(
        None, description="Timeline month heading ('October, 2016') that gives items their year."
    )
    next_page: str | None = Field(None, description="Link to the next (older) page.")


class Rules(_Strict):
    """Agency extraction rules; each one overrides the general method where set."""

    title: str | None = Field(None, description="CSS selector of the visible headline.")
    title_suffixes: tuple[str, ...] = Field((), description="Site-name suffixes cut from titles.")
    body: str | None = Field(None, description="CSS selector of the element holding the body.")
    drop: tuple[str, ...] = Field((), description="CSS selectors removed before extraction.")
    author: str | None = Field(
        None,
        description="'last_paragraph' (editor line ends the body) or a CSS selector of the byline.",
    )
    date: str | None = Field(
        None, description="CSS selector (with ::attr()) of the publication date."
    )
    dateline: str | None = Field(
        None, description="Regex with a named group 'place' matched at the start of the body."
    )
    section: str | None = Field(None, description="CSS selector of the section name.")
    tags: str | None = Field(None, description="CSS selector of the tag names.")

    @field_validator("dateline")
    @classmethod
    def _dateline_compiles(cls, value: str | None) -> str | None:
        if value is not None and "place" not in _compile(value).groupindex:
            raise ValueError("dateline regex needs a named group (?P<place>…)")
        return value


class Revisit(_Strict):
    """How recent articles are re-checked for edits and deletions (conditional GET)."""

    within_hours: float = Field(
        48.0, ge=0, description="Articles published (or, undated, first seen) this recently."
    )
    every_hours: float = Field(6.0, ge=0, description="Hours between two checks of one article.")
    max_per_run: int = Field(200, ge=0, description="Most articles re-checked by one run.")


class Edition(_Strict):
    """One language edition of an agency: what becomes a source (``<agency>-<edition>``)."""

    language: str = Field(description="ISO 639-1 code of the edition's articles.")
    name: str | None = Field(None, description="Display name; defaults to the agency's.")
    feeds: tuple[str, ...] = Field((), description="RSS/Atom feed URLs.")
    sitemaps: tuple[str, ...] = Field((), description="Sitemap indexes or monthly sitemaps.")
    news_sitemaps: tuple[str, ...] = Field((), description="Google News sitemaps (last 2 days).")
    listings: tuple[Listing, ...] = Field((), description="Archive listings for backfills.")
    revisit: Revisit | None = Field(None, description="The edition's own revisit policy.")
    article_patterns: tuple[str, ...] = Field(description="Regexes an article URL matches.")
    enabled: bool = True
    schedule: str | None = Field(None, description="Cron for this edition; default the agency's.")
    crawl_timeout_minutes: float | None = Field(
        None, gt=0, description="Longest a crawl of this edition may run; default the agency's."
    )
    patience: PatienceBlock | None = Field(
        None, description="The edition's own timeout and retries, over the agency's."
    )
    web_archive: WebArchive | None = Field(
        None, description="The edition's own web archive, in place of the agency's."
    )

    @field_validator("schedule")
    @classmethod
    def _edition_cron(cls, value: str | None) -> str | None:
        return None if value is None else _five_fields(value)

    @field_validator("article_patterns")
    @classmethod
    def _patterns_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            _compile(pattern)
        if not value:
            raise ValueError("at least one article URL pattern is needed")
        return value


class Agency(_Strict):
    """One news agency: its hosts, editions, politeness, schedule and extraction rules."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    homepage: HttpUrl
    timezone: str = Field(description="IANA zone applied to local times that carry no offset.")
    domains: tuple[str, ...] = Field(description="Hosts whose links are followed.")
    crawl_delay: float = Field(5.0, ge=0, description="Seconds between requests to one host.")
    schedule: str = Field("*/30 * * * *", description="Cron for scheduled ingestion.")
    crawl_timeout_minutes: float | None = Field(
        None,
        gt=0,
        description="Longest a crawl may run before it is stopped (default: the setting).",
    )
    patience: PatienceBlock = Field(
        default_factory=PatienceBlock,
        description="Download timeout and retries, per host where one is slower (default: the "
        "crawl settings).",
    )
    editions: dict[str, Edition]
    web_archive: WebArchive | None = Field(
        None, description="Where captures of the agency's pages are found (default: none)."
    )
    rules: Rules = Field(default_factory=Rules)
    listing: ListingMarkup | None = None
    revisit: Revisit = Field(default_factory=Revisit, description="Revisit policy of editions.")
    verified: Literal["recorded", "documented"] | None = Field(
        None,
        description=(
            "How the declaration was checked. 'recorded': a recorded site and tests in "
            "tests/fixtures/sites; 'documented': feeds and sitemaps taken from public "
            "documentation, not fetched here. Unset (a user's own agency file): unmarked. "
            "Every bundled agency is marked."
        ),
    )
    country: str | None = Field(
        None,
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 code of the agency's home country (SY, RU, CN, …).",
    )
    owner: Literal["state", "public", "private", "wire"] | None = Field(
        None,
        description=(
            "Who runs it: 'state' (a government agency or state media), 'public' (a public "
            "broadcaster or publicly funded agency at arm's length), 'private', or 'wire' (a "
            "cooperative or commercial wire service)."
        ),
    )
    collections: tuple[str, ...] = Field(
        (),
        description="Collections (your own slugs, e.g. 'levant') the agency belongs to.",
    )

    @field_validator("collections")
    @classmethod
    def _slugs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", c)]
        if bad:
            raise ValueError(f"collection names are lower-case slugs, not {bad}")
        return value

    @model_validator(mode="after")
    def _patient_hosts_are_ours(self) -> Agency:
        # A host entry nothing is fetched from would silently leave its host impatient.
        blocks = (self.patience, *(e.patience for e in self.editions.values()))
        foreign = sorted(
            host
            for host in declared_hosts(*blocks)
            if not any(host == d or host.endswith("." + d) for d in self.domains)
        )
        if foreign:
            raise ValueError(f"patience.hosts names hosts outside the agency's domains: {foreign}")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("schedule")
    @classmethod
    def _cron_has_five_fields(cls, value: str) -> str:
        return _five_fields(value)
