"""The routes a site offers: feeds, sitemaps and paginated listings, found as a person would.

Feeds: those the page announces (trafilatura's ``determine_feed``), else the usual paths.
Sitemaps: robots.txt ``Sitemap:`` lines (trafilatura's ``extract_robots_sitemaps``), else the
usual locations. Listings: the page itself and the links it gives to its sections and its
"all news" page, kept when their markup can be read and they say where the older page is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

from courlan import is_navigation_page
from newsflow.crawlers.discovery import Discovered, absolute_url
from newsflow.crawlers.discovery.feeds import FeedError, parse_feed
from newsflow.crawlers.discovery.listings import next_anchor, parse_listing
from newsflow.crawlers.discovery.sitemaps import parse_sitemap, sitemap_month
from newsflow.crawlers.polite import Answer, PoliteClient
from newsflow.crawlers.scout.findings import Route, RouteKind
from newsflow.crawlers.scout.markup import infer_markup
from parsel import Selector
from trafilatura.feeds import FeedParameters, determine_feed
from trafilatura.sitemaps import extract_robots_sitemaps

from newsflow.page import PageKind
from newsflow.registry import ListingMarkup

USUAL_FEEDS = ("feed/", "?feed=rss2", "rss", "rss.xml", "feed.xml", "atom.xml", "index.xml")
USUAL_SITEMAPS = ("sitemap.xml", "sitemap_index.xml", "wp-sitemap.xml")
USUAL_NEWS_SITEMAPS = ("news-sitemap.xml", "sitemap-news.xml", "sitemap_news.xml")
_NEWS_NAMESPACE = b"google.com/schemas/sitemap-news"
# Child sitemaps of things that are not posts: static pages, taxonomies, people, media.
_NOT_POSTS = re.compile(r"page|categor|tag|author|taxonom|user|video|image|product", re.I)
# Links to a listing of every article ("All news", "Latest"), in the agencies' languages.
_ALL_NEWS = re.compile(
    r"\b(all|latest|archive|news)\b|actualit|toutes|dernières|últimas|noticias|все новости|"
    r"новости|лента|архив|أخبار|الأخبار|آخر|son dakika|haberler|arşiv|اخبار|最新|新闻",
    re.IGNORECASE,
)
_MENU = "ancestor::nav|ancestor::header|ancestor::*[contains(@class,'menu')]"
MAX_LISTING_CANDIDATES = 4
SECTION = "a section link"
WALK_PAGES = 3


def find_feeds(client: PoliteClient, home: str, html: str) -> list[Route]:
    """The feeds the page announces that read as feeds, else the first usual path that does."""
    parts = urlsplit(home)
    params = FeedParameters(home, parts.netloc, home)
    announced = [u for u in determine_feed(html, params) if client.owns_host(_host(u))]
    routes = [r for r in (_feed(client, u, "<link rel=alternate>") for u in announced) if r]
    if routes:
        return routes
    for path in USUAL_FEEDS:
        route = _feed(client, urljoin(home, path), "usual path")
        if route:
            return [route]
    return []


def _feed(client: PoliteClient, url: str, found_by: str) -> Route | None:
    answer = client.get(url, PageKind.FEED)
    if not answer.ok or answer.page is None:
        return None
    try:
        feed = parse_feed(
            answer.page.body, answer.final_url, answer.page.header("Content-Type") or ""
        )
    except FeedError:
        return None
    listed = [d for d in feed.items if client.owns_host(_host(d.url))]
    return Route(RouteKind.FEED, url, found_by, listed) if listed else None


def find_sitemaps(client: PoliteClient, home: str, robots: str | None) -> list[Route]:
    """Sitemaps robots.txt names, else the usual locations (a regular and a news one)."""
    named = [u for u in extract_robots_sitemaps(robots, home) if client.owns_host(_host(u))]
    routes = [r for url in named for r in _sitemap(client, url, "robots.txt")]
    if routes:
        return routes
    for usual in (USUAL_SITEMAPS, USUAL_NEWS_SITEMAPS):
        for path in usual:
            found = _sitemap(client, urljoin(home, "/" + path), "usual path")
            if found:
                routes += found
                break
    return routes


def _sitemap(client: PoliteClient, url: str, found_by: str) -> list[Route]:
    """A sitemap as routes: an index (with its post children read), or a urlset."""
    answer = client.get(url, PageKind.SITEMAP)
    parsed = _parsed_sitemap(answer)
    if parsed is None:
        return []
    is_index, entries, news = parsed
    if not is_index:
        kind = RouteKind.NEWS_SITEMAP if news else RouteKind.SITEMAP
        return [Route(kind, url, found_by, entries)] if entries else []
    posts = [c for c in entries if not _NOT_POSTS.search(_file_name(c.url))]
    routes = []
    for child in [c for c in posts if "news" in _file_name(c.url).lower()][:1]:
        routes += _sitemap(client, child.url, f"in {url}")
    ordinary = [c for c in posts if "news" not in _file_name(c.url).lower()]
    if ordinary:
        index = Route(RouteKind.SITEMAP, url, found_by, pages_read=0)
        for child in _newest_children(ordinary):
            read = _parsed_sitemap(client.get(child.url, PageKind.SITEMAP))
            if read is not None and not read[0]:
                index.listed += read[1]
                index.pages_read += 1
        routes.append(index)
    return routes


def _parsed_sitemap(answer: Answer) -> tuple[bool, list[Discovered], bool] | None:
    if not answer.ok or answer.page is None:
        return None
    body = answer.page.body
    try:
        sitemap = parse_sitemap(body, answer.final_url, answer.page.header("Content-Type"))
    except (ValueError, SyntaxError):
        return None
    return sitemap.is_index, list(sitemap.entries), _NEWS_NAMESPACE in body[:4096]


def _newest_children(children: list[Discovered]) -> list[Discovered]:
    """The children most likely to hold recent posts: the latest months, else first and last."""
    months = [(sitemap_month(c.url), c) for c in children]
    dated = sorted((m, c.url) for m, c in months if m)
    if dated:
        newest = {url for _, url in dated[-2:]}
        return [c for c in children if c.url in newest]
    return list({c.url: c for c in (children[0], children[-1])}.values())


@dataclass(frozen=True)
class _Listing:
    """A page that may be a listing, with the markup learnt on it."""

    url: str
    html: str
    found_by: str
    markup: ListingMarkup
    articles: int  # listed items with an article's URL


def find_listings(
    client: PoliteClient,
    home: Answer,
    is_article: Callable[[str], bool],
    languages: tuple[str, ...],
    today: date,
) -> tuple[list[Route], ListingMarkup | None]:
    """The paginated listings that reach the most articles, with the markup that reads them."""
    pages = [(home.final_url, home.text(), "the homepage")]
    for url, found_by in _listing_links(home, is_article):
        answer = client.get(url)
        if answer.ok:
            pages.append((answer.final_url, answer.text(), found_by))
    read = [
        listing
        for url, html, found_by in pages
        if (listing := _listing(url, html, found_by, is_article, languages, today))
    ]
    paged = [listing for listing in read if listing.markup.next_page] or read
    if not paged:
        return [], None
    main = max(paged, key=lambda listing: listing.articles)
    # Sections list a part each: every paged one the same markup reads is walked.
    chosen = [main] if main.found_by != SECTION else [p for p in paged if p.markup == main.markup]
    return [_walk(client, listing, languages, today) for listing in chosen], main.markup


def _listing(
    url: str,
    html: str,
    found_by: str,
    is_article: Callable[[str], bool],
    languages: tuple[str, ...],
    today: date,
) -> _Listing | None:
    markup = infer_markup(html, url, is_article, languages, today)
    if markup is None:
        return None
    items = parse_listing(html, url, markup, languages, today).items
    return _Listing(url, html, found_by, markup, sum(1 for i in items if is_article(i.url)))


def _walk(
    client: PoliteClient, listing: _Listing, languages: tuple[str, ...], today: date
) -> Route:
    """A listing read page by page (a few), so the report can say how far back it reaches."""
    route = Route(RouteKind.LISTING, listing.url, listing.found_by, pages_read=0)
    anchor, page_url, html = today, listing.url, listing.html
    while True:
        page = parse_listing(html, page_url, listing.markup, languages, anchor)
        route.listed += page.items
        route.pages_read += 1
        anchor = next_anchor(page.items, anchor)
        if not page.next_page or route.pages_read >= WALK_PAGES:
            return route
        answer = client.get(page.next_page)
        if not answer.ok:
            return route
        page_url, html = answer.final_url, answer.text()


def _listing_links(home: Answer, is_article: Callable[[str], bool]) -> list[tuple[str, str]]:
    """On-site links of the page that may be listings: "all news" first, then menu sections."""
    page = Selector(text=home.text(), base_url=home.final_url)
    found: dict[str, tuple[int, str]] = {}
    for anchor in page.css("a[href]"):
        url = absolute_url(home.final_url, anchor.attrib["href"])
        if not url or is_article(url) or url.split("#")[0] == home.final_url:
            continue
        if _host(url) != _host(home.final_url) or url in found:
            continue
        text = " ".join(anchor.css("::text").getall()).strip()
        in_menu = bool(
            anchor.xpath("ancestor::nav|ancestor::header|ancestor::*[contains(@class,'menu')]")
        )
        if _ALL_NEWS.search(text) or _ALL_NEWS.search(urlsplit(url).path):
            found[url] = (0, "an all-news link")
        elif in_menu or is_navigation_page(url):  # courlan: /category/, /tag/, /page/N …
            found[url] = (1, SECTION)
    ranked = sorted(found.items(), key=lambda kv: kv[1][0])
    return [(url, found_by) for url, (_, found_by) in ranked[:MAX_LISTING_CANDIDATES]]


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]
