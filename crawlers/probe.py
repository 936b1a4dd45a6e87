"""A cheap look before a scheduled crawl: can this run skip starting the Scrapy child at all?

A scheduled crawl of a source with nothing new costs seconds of CPU, nearly all of it the child
process importing Scrapy, to learn from a few requests that nothing changed. The probe asks the
same questions in this process, with one HTTP client: is the source's queue empty, does every
feed and news sitemap answer 304 to its stored validators, is every listing's first page the
page already stored? Only when every answer is yes is the crawl skipped. Whatever else happens
(an error, a timeout, a redirect, any other status, a robots.txt refusal) means "crawl": the
crawl fetches again and records what went wrong; the probe itself never writes anything, since
its answers vouch for no stored work (validators are stored only by the crawl that used them).

It asks only what ``AgencySpider.start`` would ask in a scheduled run (crawlers/spiders/agency.py)
and keeps to the crawler's manners: its user agent, robots.txt, the host's crawl delay, the crawl
timeout (the source's patience for the host), the mirror (``base_url``) when one is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from newsflow.crawlers.polite import PoliteClient
from newsflow.crawlers.spiders.plan import listing_urls
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.db.store import feed_validators, follows_cut_run, pending_discoveries
from sqlalchemy import select
from sqlalchemy.orm import Session

from newsflow.registry import Source
from newsflow.settings import get_settings


@dataclass(frozen=True)
class Probe:
    """The probe's verdict: ``nothing_new`` lets a scheduled run skip its crawl."""

    nothing_new: bool
    reason: str
    requests: int = 0  # HTTP requests made, robots.txt included
    not_modified: int = 0  # feeds and sitemaps (and listing pages) that answered 304


@dataclass(frozen=True)
class _Target:
    """One URL the scheduled crawl would request first, with what the store knows of it."""

    url: str
    kind: str  # "feed", "sitemap" or "listing"
    validators: dict[str, str]  # If-None-Match / If-Modified-Since to send
    sha256: str | None = None  # a listing: the stored page's body hash


class _Crawl(Exception):
    """Raised with the reason the source must be crawled; ends the probe at the first one."""


def probe(
    source: Source,
    run_id: int | None = None,
    database_url: str | None = None,
    base_url: str | None = None,
) -> Probe:
    """Whether a scheduled crawl of ``source`` would find nothing new (see the module doc).

    ``run_id`` is the run about to crawl: after a cut run the crawl walks further than the
    first listing page, so the probe cannot vouch for it. ``base_url`` defaults to the
    setting the crawl child would use.
    """
    fetcher: _Fetcher | None = None
    try:
        # The store first: it costs no request, and a first run ends here (nothing stored).
        with session_scope(database_url) as session:
            targets = _targets(session, source, run_id)
        delay = source.agency.crawl_delay
        budget = 2 * len(targets)  # each target, and at most one robots.txt for its host
        paced_in = database_url or get_settings().database_url  # the crawls' host pace
        with PoliteClient(
            source.owns_host, delay, base_url, budget, paced_in, source.patience
        ) as client:
            fetcher = _Fetcher(client, source)
            for target in targets:
                fetcher.check(target)
    except _Crawl as exc:
        counts = (fetcher.requests, fetcher.not_modified) if fetcher else (0, 0)
        return Probe(False, str(exc), *counts)
    reason = f"nothing new at {fetcher.requests} URLs ({fetcher.not_modified} not modified)"
    return Probe(True, reason, fetcher.requests, fetcher.not_modified)


def _targets(session: Session, source: Source, run_id: int | None) -> list[_Target]:
    """What a scheduled crawl requests first; raises _Crawl when the store already says crawl."""
    if pending_discoveries(session, source.id, 1):
        raise _Crawl("queued discoveries to fetch")
    if run_id is not None and follows_cut_run(session, source.id, run_id):
        raise _Crawl("the source's last run was cut short")
    edition, targets = source.edition, []
    for kind, urls in (("feed", edition.feeds), ("sitemap", edition.news_sitemaps)):
        for url in urls:
            etag, last_modified = feed_validators(session, url)
            if not (etag or last_modified):  # never read, or a sitemap index (always read whole)
                raise _Crawl(f"no validators stored for {url}")
            validators = {"If-None-Match": etag, "If-Modified-Since": last_modified}
            targets.append(_Target(url, kind, {k: v for k, v in validators.items() if v}))
    if source.agency.listing is not None:  # the spider reads listings only with their markup
        for listing in edition.listings:
            for url in listing_urls(listing, None, None):
                targets.append(_listing_target(session, source, url))
    return targets


def _listing_target(session: Session, source: Source, url: str) -> _Target:
    """A listing's first page as last stored; its ETag / Last-Modified may earn a 304."""
    page = models.Page
    stored = session.execute(
        select(page.body_sha256, page.headers, page.status)
        .where(page.url == url, page.source_id == source.id)
        .order_by(page.fetched_at.desc(), page.id.desc())
        .limit(1)
    ).first()
    if stored is None or stored.status != 200:
        raise _Crawl(f"no stored page of {url}")
    headers = {k.lower(): v for k, v in (stored.headers or {}).items()}
    validators = {
        "If-None-Match": headers.get("etag"),
        "If-Modified-Since": headers.get("last-modified"),
    }
    return _Target(url, "listing", {k: v for k, v in validators.items() if v}, stored.body_sha256)


class _Fetcher:
    """Asks each target through the crawler's polite client; counts what was 304."""

    def __init__(self, client: PoliteClient, source: Source) -> None:
        self.client, self.source = client, source
        self.not_modified = 0

    @property
    def requests(self) -> int:
        return len(self.client.requests)

    def check(self, target: _Target) -> None:
        """Return when ``target`` is unchanged; raise _Crawl otherwise."""
        if not self.source.owns_host(urlsplit(target.url).hostname or ""):
            raise _Crawl(f"{target.url} is not on the agency's hosts")
        if self.client.obey_robots:
            self._robots_read(target.url)
        # A redirect is a change the crawl must see: never followed here.
        answer = self.client.get(target.url, headers=target.validators, follow=False)
        if answer.page is None:
            raise _Crawl(answer.problem or f"{target.url}: no answer")
        if answer.status == 304:
            self.not_modified += 1
            return
        if target.kind == "listing" and answer.status == 200:
            if answer.page.body_sha256 == target.sha256:
                return
            raise _Crawl(f"{target.url} changed")
        raise _Crawl(f"{target.url} answered {answer.status}")

    def _robots_read(self, url: str) -> None:
        """robots.txt as the crawl reads it: none (a 404) allows all; refused, redirected,
        failing or unreachable, the crawl reads it its own way."""
        robots = self.client.robots_answer(url)
        status = robots.status
        if robots.page is None:
            raise _Crawl(robots.problem or f"{robots.url}: no answer")
        if status != 200 and not (400 <= status < 500 and status not in (401, 403)):
            raise _Crawl(f"robots.txt of {urlsplit(url).netloc} answered {status}")
