"""The bench site: routes for newsflow.replay and the registry files of its agencies.

Two generated agencies on ``benchwire.example`` (English, Arabic, Russian) and
``benchpost.example`` (English, with copies of benchwire stories), and, when the extraction dev
set is at hand, ``benchreal.example`` serving its real pages (realpages.py), one edition per
language. Each source has an RSS feed of its 30 newest stories (ETag and Last-Modified, so a
poll with nothing new is answered 304), a sitemap index with monthly children, and a paginated
archive listing of 20 stories a page.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from benchmarks.pages import article_page
from benchmarks.realpages import AGENCY as REAL_AGENCY
from benchmarks.realpages import RealCorpus, real_stories
from benchmarks.stories import Story, make_stories, window
from newsflow.replay import Route

HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml; charset=utf-8"}
PER_LISTING = 20
AGENCIES = {
    "benchwire": ("Benchwire", "Asia/Damascus", ("en", "ar", "ru")),
    "benchpost": ("Benchpost", "Europe/Istanbul", ("en",)),
}
GENERATED, REAL = "generated", "real"  # the groups of sources figures are reported by


@dataclass(frozen=True)
class BenchSite:
    """What the harness serves and crawls, and what it should find."""

    stories: list[Story]
    routes: dict[str, Route]
    since: date
    until: date

    @property
    def sources(self) -> list[str]:
        """Source ids, each with at least one story."""
        return sorted({s.source for s in self.stories})

    def pages(self) -> list[tuple[str, str, str]]:
        """(html, url, source id) of every article page."""
        return [(self.routes[s.url].body.decode(), s.url, s.source) for s in self.stories]

    def origin(self, url: str) -> str:
        """Where a page came from: a real page's dev set id and replica, else its URL."""
        return next((s.origin for s in self.stories if s.url == url and s.origin), url)


def group(source: str) -> str:
    """The group a source's figures are reported in: real pages, or generated ones."""
    return REAL if source.startswith(f"{REAL_AGENCY}-") else GENERATED


def build_site(articles: int, seed: int = 12, real: RealCorpus | None = None) -> BenchSite:
    """Stories, their pages and every discovery document, as replay routes; with ``real``,
    its share of the articles are the dev set's pages, over the same window."""
    count = real.count(articles) if real else 0
    span = window(articles)
    stories = make_stories(articles - count, seed, span)
    real_pages = real_stories(real, count, len(stories), span, seed + 2) if real else []
    stories = sorted(stories + [story for story, _ in real_pages], key=lambda s: s.published)
    routes = {s.url: Route(200, html.encode(), dict(HTML)) for s, html in real_pages}
    rng = random.Random(seed + 1)
    by_source: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_source[story.source].append(story)
    for own in by_source.values():
        for i, story in enumerate(own):
            if story.kind == "real":
                continue
            others = own[max(0, i - 16) : i] or own[1:17]
            page = article_page(story, (others * 17)[:16], rng)
            routes[story.url] = Route(200, page.encode(), dict(HTML))
        routes.update(_discovery_routes(own))
    for agency in [*AGENCIES, REAL_AGENCY]:
        routes[f"https://{agency}.example/robots.txt"] = Route(
            200, b"User-agent: *\nDisallow: /search\n", {"Content-Type": "text/plain"}
        )
    first, last = stories[0].published.date(), stories[-1].published.date()
    return BenchSite(stories, routes, first - timedelta(days=1), last + timedelta(days=1))


def write_registry(directory: Path, real: RealCorpus | None = None) -> Path:
    """The bench agencies' TOML files (for NEWSFLOW_REGISTRY_PATH); returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    agencies = dict(AGENCIES)
    if real:
        agencies[REAL_AGENCY] = ("Benchreal", "UTC", tuple(real.languages))
    for agency, (name, zone, languages) in agencies.items():
        (directory / f"{agency}.toml").write_text(_toml(agency, name, zone, languages), "utf-8")
    return directory


def _toml(agency: str, name: str, zone: str, languages: tuple[str, ...]) -> str:
    host = f"https://{agency}.example"
    editions = "".join(
        f"""
[editions.{lang}]
language = "{lang}"
feeds = ["{host}/{lang}/feed/"]
sitemaps = ["{host}/{lang}/sitemap_index.xml"]
listings = [{{ url = "{host}/{lang}/archive/page/{{page}}/", first_page = 1 }}]
article_patterns = ['^https://{agency}\\.example/{lang}/[a-z]+/\\d{{4}}/\\d{{2}}/\\d{{2}}/story-\\d+/$']
"""
        for lang in languages
    )
    return f"""id = "{agency}"
name = "{name}"
homepage = "{host}/"
timezone = "{zone}"
domains = ["{agency}.example"]
crawl_delay = 1.0
schedule = "*/15 * * * *"
{editions}
[rules]
title_suffixes = [" - {name}"]

[listing]
item = "article.post-item"
link = "h2 a::attr(href)"
date = "time::attr(datetime)"
next_page = "a.next::attr(href)"
"""


def _discovery_routes(own: list[Story]) -> dict[str, Route]:
    """One source's feed, sitemap index, monthly sitemaps and archive listing pages."""
    first = own[0]
    base = f"https://{first.agency}.example/{first.language}"
    newest = sorted(own, key=lambda s: s.published, reverse=True)
    routes = {f"{base}/feed/": _feed(base, newest[:30])}
    months: dict[str, list[Story]] = defaultdict(list)
    for story in own:
        months[story.published.strftime("%Y-%m")].append(story)
    children = "".join(
        f"<sitemap><loc>{base}/sitemap-{month}.xml</loc>"
        f"<lastmod>{max(s.published for s in items).isoformat()}</lastmod></sitemap>"
        for month, items in sorted(months.items())
    )
    routes[f"{base}/sitemap_index.xml"] = Route(200, _xml("sitemapindex", children), dict(XML))
    for month, items in months.items():
        urls = "".join(
            f"<url><loc>{s.url}</loc><lastmod>{s.published.isoformat()}</lastmod></url>"
            for s in items
        )
        routes[f"{base}/sitemap-{month}.xml"] = Route(200, _xml("urlset", urls), dict(XML))
    pages = [newest[i : i + PER_LISTING] for i in range(0, len(newest), PER_LISTING)]
    for number, items in enumerate(pages, start=1):
        older = f"{base}/archive/page/{number + 1}/" if number < len(pages) else None
        routes[f"{base}/archive/page/{number}/"] = Route(200, _listing(items, older), dict(HTML))
    return routes


def _feed(base: str, newest: list[Story]) -> Route:
    items = "".join(
        f"<item><title>{escape(s.title)}</title><link>{s.url}</link>"
        f"<pubDate>{format_datetime(s.published)}</pubDate>"
        f"<description>{escape(s.paragraphs[0][:200])}</description></item>"
        for s in newest
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{base}</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()
    stamp = format_datetime(newest[0].published, usegmt=True)
    headers = {
        "Content-Type": "application/rss+xml; charset=utf-8",
        "ETag": f'"{newest[0].n}-{len(newest)}"',
        "Last-Modified": stamp,
    }
    return Route(200, body, headers)


def _xml(root: str, inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{inner}</{root}>'
    ).encode()


def _listing(items: list[Story], older: str | None) -> bytes:
    rows = "".join(
        f'<article class="post-item"><h2><a href="{s.url}">{escape(s.title)}</a></h2>'
        f'<time datetime="{s.published.date().isoformat()}">{s.published:%d.%m.%Y}</time>'
        f"<p>{escape(s.paragraphs[0][:160])}</p></article>"
        for s in items
    )
    more = f'<a class="next" href="{older}">Older</a>' if older else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Archive</title></head>'
        f'<body><main class="archive">{rows}</main><nav class="pagination">{more}</nav>'
        "</body></html>"
    ).encode()
