"""`sources check --live`: does what a registry entry names still answer on the real site?

One polite pass over a source's robots.txt, feeds, sitemaps and the first page of each
listing, each read with the crawl's own parser, so a user with network can confirm an entry
(a "documented" one especially) in a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsflow.crawlers.discovery.feeds import FeedError, parse_feed
from newsflow.crawlers.discovery.listings import parse_listing
from newsflow.crawlers.discovery.sitemaps import parse_sitemap
from newsflow.crawlers.polite import Answer, PoliteClient
from newsflow.crawlers.spiders.plan import listing_urls

from newsflow.page import PageKind
from newsflow.registry import Source

MAX_REQUESTS = 60


@dataclass(frozen=True)
class Check:
    """One URL of an entry, as the site answered it."""

    what: str  # robots.txt, feed, sitemap, news sitemap, listing
    url: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAIL':<5}{self.what:<13}{self.url}: {self.detail}"


def check_live(source: Source, base_url: str | None = None) -> list[Check]:
    """Ask the site for each URL the entry names; say what answered and what it held."""
    agency, edition = source.agency, source.edition
    with PoliteClient(
        source.owns_host, agency.crawl_delay, base_url, MAX_REQUESTS, patience=source.patience
    ) as client:
        checks = [_robots(client, str(agency.homepage))]
        checks += [_feed(client, source, url) for url in edition.feeds]
        checks += [_sitemap(client, source, url, "sitemap") for url in edition.sitemaps]
        checks += [_sitemap(client, source, u, "news sitemap") for u in edition.news_sitemaps]
        for listing in edition.listings:
            url = listing_urls(listing, None, None)[0]
            checks.append(_listing(client, source, url))
    return checks


def _robots(client: PoliteClient, homepage: str) -> Check:
    rules = client.robots_txt(homepage)
    answer = client.robots_answer(homepage)
    if rules is None:
        state = answer.problem or f"HTTP {answer.status}"
        return Check("robots.txt", answer.url, answer.status == 404, f"{state}: no rules")
    delay = rules.crawl_delay(client.agent)
    said = f"Crawl-delay {delay}" if delay else "no Crawl-delay"
    sitemaps = list(rules.sitemaps)
    return Check("robots.txt", answer.url, True, f"{said}, {len(sitemaps)} Sitemap lines")


def _failed(what: str, url: str, answer: Answer) -> Check | None:
    if answer.ok:
        return None
    return Check(what, url, False, answer.problem or f"HTTP {answer.status}")


def _feed(client: PoliteClient, source: Source, url: str) -> Check:
    answer = client.get(url, PageKind.FEED)
    failed = _failed("feed", url, answer)
    if failed or answer.page is None:
        return failed or Check("feed", url, False, "no answer")
    try:
        feed = parse_feed(
            answer.page.body, answer.final_url, answer.page.header("Content-Type") or ""
        )
    except FeedError as exc:
        return Check("feed", url, False, f"not a feed: {exc}")
    articles = [i for i in feed.items if source.is_article_url(i.url)]
    newest = f", newest {feed.newest:%Y-%m-%d %H:%M}" if feed.newest else ""
    detail = f"{len(feed.items)} items, {len(articles)} with an article URL{newest}"
    return Check("feed", url, bool(articles), detail)


def _sitemap(client: PoliteClient, source: Source, url: str, what: str) -> Check:
    answer = client.get(url, PageKind.SITEMAP)
    failed = _failed(what, url, answer)
    if failed or answer.page is None:
        return failed or Check(what, url, False, "no answer")
    try:
        sitemap = parse_sitemap(
            answer.page.body, answer.final_url, answer.page.header("Content-Type")
        )
    except (ValueError, SyntaxError) as exc:
        return Check(what, url, False, f"not a sitemap: {exc}")
    if sitemap.is_index:
        return Check(what, url, bool(sitemap.entries), f"index of {len(sitemap.entries)} sitemaps")
    articles = [e for e in sitemap.entries if source.is_article_url(e.url)]
    detail = f"{len(sitemap.entries)} URLs, {len(articles)} with an article URL"
    return Check(what, url, bool(articles), detail)


def _listing(client: PoliteClient, source: Source, url: str) -> Check:
    answer = client.get(url, PageKind.LISTING)
    failed = _failed("listing", url, answer)
    if failed:
        return failed
    markup = source.agency.listing
    if markup is None:
        return Check("listing", url, False, "answers, but the entry declares no [listing] markup")
    listing = parse_listing(answer.text(), answer.final_url, markup, (source.language, "en"))
    articles = [i for i in listing.items if source.is_article_url(i.url)]
    older = "a link to the older page" if listing.next_page else "no link to an older page"
    detail = f"{len(listing.items)} items, {len(articles)} with an article URL, {older}"
    return Check("listing", url, bool(articles), detail)
