"""Politeness budget: 30 sources on 20 hosts crawled at once, each host asked once a second.

Twenty generated agencies, each on a host of its own with a 1 s crawl delay: twelve with one
edition, six with two and two with three, 30 sources in all. Each edition has a news sitemap
of its articles; a host's articles are split among its editions so that every host takes about
``seconds`` to crawl at its pace. The replay answers each request after 0.15 s, as a real site
would. ``newsflow ingest`` runs all 30 at once (``runs.parallel_sources`` = 30), its process
tree sampled for memory. The budget is what the hosts allow together, one request a second
each; the replay's arrival times say what was asked of each host, and how closely.
scaling.py runs the same sources on Prefect workers, and a year's backfill of ``pacedyear``.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import func, select

from benchmarks.databases import bench_store
from benchmarks.memory import TreeSampler
from benchmarks.pages import article_page
from benchmarks.pipeline import driver_for
from benchmarks.prefect_server import PrefectServer
from benchmarks.stories import AUTHORS, Story
from benchmarks.text import SECTIONS, TextMaker
from newsflow.replay import Hit, ReplayServer, Route

HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml; charset=utf-8"}
LANGUAGES = ("en", "ar", "ru")
EDITIONS_PER_HOST = (1,) * 12 + (2,) * 6 + (3,) * 2  # 30 sources on 20 hosts
DELAY = 1.0  # each agency's crawl_delay: the budget is one request a second per host
ANSWER_S = 0.15  # the replay's response time
OVERHEAD = 2  # requests of one crawl besides its articles: robots.txt and the news sitemap
YEAR_AGENCY, YEAR_DELAY, YEAR_PER_MONTH = "pacedyear", 0.2, 40
# A request a host received this much sooner than its delay after the one before was asked
# too soon: a crawl that wakes later than this share of the delay does not send at once
# (crawlers/pace.py, MISSED), so gaps down to it are the clock's jitter, not a second pace.
TOO_SOON = 0.9
# A gap this many delays long left at least one of the host's starts unused.
SLOT_LOST = 1.5
PREFECT_RETRIES = 10


@dataclass(frozen=True)
class PacedSite:
    """Generated agencies served by the replay: routes, and each source's host."""

    routes: dict[str, Route]
    hosts: dict[str, str]  # source id: host
    delay: float

    @property
    def sources(self) -> list[str]:
        """Source ids, each host's first edition, then the second ones, …: taken in this order
        a few at a time, as workers take them, they ask different hosts."""
        own: dict[str, list[str]] = defaultdict(list)
        for source, host in self.hosts.items():
            own[host].append(source)
        rounds = max(len(sources) for sources in own.values())
        return [s[i] for i in range(rounds) for s in own.values() if i < len(s)]

    def requests(self, source: str) -> int:
        """The requests a crawl of the source makes: robots.txt, its sitemap, its articles."""
        base = f"https://{self.hosts[source]}/{source.rsplit('-', 1)[1]}/"
        return 1 + sum(1 for url in self.routes if url.startswith(base))

    @property
    def budget(self) -> float:
        """Requests a second the hosts allow together."""
        return len(set(self.hosts.values())) / self.delay


def many_hosts(seconds: float, seed: int = 22) -> PacedSite:
    """Twenty agencies, 30 editions; each host about ``seconds`` of requests at its pace."""
    rng, routes, hosts, n = random.Random(seed), {}, {}, 0
    newest = datetime.now(UTC).replace(second=0, microsecond=0)
    for number, editions in enumerate(EDITIONS_PER_HOST, start=1):
        agency = f"paced{number:02d}"
        articles = max(editions, round(seconds / DELAY) - OVERHEAD * editions)
        for i, language in enumerate(LANGUAGES[:editions]):
            count = articles // editions + (i < articles % editions)
            stories = _stories(agency, language, count, n, newest - timedelta(days=2), rng)
            n += count
            base = f"https://{agency}.example/{language}"
            routes.update(_pages(stories, rng))
            routes[f"{base}/news-sitemap.xml"] = _urlset(stories)
            hosts[f"{agency}-{language}"] = f"{agency}.example"
        routes.update(_robots(agency))
    return PacedSite(routes, hosts, DELAY)


def one_year(year: int = 2025, seed: int = 23) -> PacedSite:
    """One agency's year, YEAR_PER_MONTH stories a month, behind a sitemap index by month."""
    rng = random.Random(seed)
    stories: list[Story] = []
    for month in range(1, 13):
        first = datetime(year, month, 1, tzinfo=UTC)
        found = _stories(YEAR_AGENCY, "en", YEAR_PER_MONTH, len(stories), first, rng, days=28)
        stories += found
    base = f"https://{YEAR_AGENCY}.example/en"
    routes = {**_pages(stories, rng), **_robots(YEAR_AGENCY)}
    children = ""
    for month in range(1, 13):
        own = [s for s in stories if s.published.month == month]
        url = f"{base}/sitemap-{year}-{month:02d}.xml"
        routes[url] = _urlset(own)
        children += f"<sitemap><loc>{url}</loc><lastmod>{own[-1].published:%Y-%m-%d}</lastmod>"
        children += "</sitemap>"
    routes[f"{base}/sitemap_index.xml"] = Route(200, _xml("sitemapindex", children), dict(XML))
    return PacedSite(routes, {f"{YEAR_AGENCY}-en": f"{YEAR_AGENCY}.example"}, YEAR_DELAY)


def _stories(
    agency: str,
    language: str,
    count: int,
    first_n: int,
    since: datetime,
    rng: random.Random,
    days: int = 2,
) -> list[Story]:
    text = TextMaker(language, rng)
    return [
        Story(
            n=first_n + i,
            agency=agency,
            language=language,
            section=rng.choice(SECTIONS),
            title=text.title(),
            paragraphs=tuple(text.paragraphs()),
            published=since + timedelta(days=days) * (i + rng.random()) / count,
            author=rng.choice(AUTHORS),
        )
        for i in range(count)
    ]


def _pages(stories: list[Story], rng: random.Random) -> dict[str, Route]:
    routes = {}
    for i, story in enumerate(stories):
        others = stories[max(0, i - 16) : i] or stories[1:17] or stories
        page = article_page(story, (others * 17)[:16], rng)
        routes[story.url] = Route(200, page.encode(), dict(HTML))
    return routes


def _urlset(stories: list[Story]) -> Route:
    urls = "".join(
        f"<url><loc>{s.url}</loc><lastmod>{s.published.isoformat()}</lastmod></url>"
        for s in stories
    )
    return Route(200, _xml("urlset", urls), dict(XML))


def _xml(root: str, inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{inner}</{root}>'
    ).encode()


def _robots(agency: str) -> dict[str, Route]:
    body = b"User-agent: *\nDisallow: /search\n"
    return {
        f"https://{agency}.example/robots.txt": Route(200, body, {"Content-Type": "text/plain"})
    }


def write_agencies(site: PacedSite, directory: Path) -> Path:
    """The site's agencies as registry TOML files (for NEWSFLOW_REGISTRY_PATH)."""
    directory.mkdir(parents=True, exist_ok=True)
    editions: dict[str, list[str]] = defaultdict(list)
    for source in site.hosts:
        agency, language = source.split("-")
        editions[agency].append(language)
    for agency, languages in editions.items():
        text = _toml(agency, languages, site.delay)
        (directory / f"{agency}.toml").write_text(text, "utf-8")
    return directory


def _toml(agency: str, languages: list[str], delay: float) -> str:
    host = f"https://{agency}.example"
    # The year's agency is backfilled (its sitemap index), the others ingested (news sitemaps).
    field, document = (
        ("sitemaps", "sitemap_index")
        if agency == YEAR_AGENCY
        else ("news_sitemaps", "news-sitemap")
    )
    editions = "".join(
        f"""
[editions.{lang}]
language = "{lang}"
{field} = ["{host}/{lang}/{document}.xml"]
article_patterns = ['^https://{agency}\\.example/{lang}/[a-z]+/\\d{{4}}/\\d{{2}}/\\d{{2}}/story-\\d+/$']
"""
        for lang in languages
    )
    return f"""id = "{agency}"
name = "{agency.capitalize()}"
homepage = "{host}/"
timezone = "UTC"
domains = ["{agency}.example"]
crawl_delay = {delay}
{editions}
[rules]
title_suffixes = [" - {agency.capitalize()}"]
"""


def crawl_env(
    store_url: str, registry: Path, workdir: Path, server: PrefectServer
) -> dict[str, str]:
    """The bench's flow environment (pipeline.driver_for), with each agency's own crawl delay."""
    env = dict(driver_for(store_url, registry, workdir, server).env)
    del env["NEWSFLOW_CRAWL__DELAY_OVERRIDE"]  # the bench's other phases crawl with none
    return env


def politeness_phase(
    kinds: list[str], work: Path, server: PrefectServer, seconds: float
) -> dict[str, Any]:
    """The phase on each store: 30 sources at once, against the hosts' budget. The headline
    ratio is PostgreSQL's when it ran (many crawls at once is its setup: each request's
    reservation is a write, which SQLite takes one at a time), else SQLite's."""
    site = many_hosts(seconds)
    registry = write_agencies(site, work / "paced-registry")
    results: dict[str, Any] = {"seconds_per_host": seconds}
    for kind in kinds:
        with bench_store(kind, work, f"paced_{kind}") as url:
            results[kind] = ingest_at_once(site, url, registry, work / f"paced-{kind}", server)
    headline = kinds[-1]
    return {
        "politeness": {**results, "headline": headline},
        "politeness_budget_ratio": results[headline]["budget_ratio"],
    }


def ingest_at_once(
    site: PacedSite, store_url: str, registry: Path, workdir: Path, server: PrefectServer
) -> dict[str, Any]:
    """``newsflow ingest`` of every source at once against the replay; rates and pace."""
    env = crawl_env(store_url, registry, workdir, server)
    env["NEWSFLOW_RUNS__PARALLEL_SOURCES"] = str(len(site.hosts))
    # 30 subflows starting at once lock the Prefect server's SQLite database: it answers 503
    # until they pass, and Prefect's five retries ran out on two busy cores (README).
    env["PREFECT_CLIENT_MAX_RETRIES"] = str(PREFECT_RETRIES)
    load = os.getloadavg()[0]
    with ReplayServer(site.routes, delay=ANSWER_S) as replay:
        command = [str(Path(sys.executable).with_name("newsflow")), "ingest", *site.sources]
        command += ["--base-url", replay.base_url]
        started = time.time()
        with (workdir / "ingest.log").open("wb") as log:
            child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
            with TreeSampler(child.pid, also=[server.pid]) as sampler:
                code = child.wait()
        ended = time.time()
        hits = list(replay.hits)
    runs = run_statuses(store_url)
    if code != 0 and not runs.get("completed"):
        raise RuntimeError(f"newsflow ingest exited with {code}: see {workdir / 'ingest.log'}")
    return {
        "load_average_at_start": load,
        "runs": runs,  # a source that failed is counted here, and the figures go on without it
        "pace": pace_counts(store_url),
        "sources": len(site.hosts),
        "hosts": len(set(site.hosts.values())),
        "delay_s": site.delay,
        "answer_s": ANSWER_S,
        **paced(site, hits, started, ended, stored(store_url)),
        **sampler.report(),
        "cores_busy": sum(sampler.report()["cpu_s_by_process"].values()) / (ended - started),
    }


def run_statuses(store_url: str) -> dict[str, int]:
    """How the store's crawl runs ended: status, count."""
    with session_scope(store_url) as session:
        rows = session.execute(
            select(models.CrawlRun.status, func.count()).group_by(models.CrawlRun.status)
        )
        return {str(status): count for status, count in rows}


def pace_counts(store_url: str) -> dict[str, int]:
    """The crawls' own counts, summed over their runs (newsflow.runs.CRAWL_COUNTS): starts woken
    too late for, requests paced alone because the database could not be asked, and the time
    the crawls spent storing (their reactor's, which sends no request meanwhile)."""
    with session_scope(store_url) as session:
        counts = session.scalars(select(models.CrawlRun.counts)).all()
    keys = ("pace_missed", "pace_fallbacks", "store_ms")
    return {key: sum(c.get(key, 0) for c in counts) for key in keys}


def stored(store_url: str) -> int:
    """Articles in the store."""
    with session_scope(store_url) as session:
        return session.execute(select(func.count()).select_from(models.Article)).scalar_one()


def paced(
    site: PacedSite, hits: list[Hit], started: float, ended: float, articles: int
) -> dict[str, Any]:
    """Rates against the budget, over the crawl (first request to last) and the whole wall; how
    busy each host was, and the shortest gap between two of its requests."""
    by_host: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_host[urlsplit(hit.url).hostname or ""].append(hit)
    span = max(h.at for h in hits) - min(h.at for h in hits)
    hosts = {
        host: _host(sorted(own, key=lambda h: h.at), site.delay, started)
        for host, own in by_host.items()
    }
    fetched = sum(h["articles"] for h in hosts.values())
    gaps = [h["min_gap_s"] for h in hosts.values() if h["min_gap_s"] is not None]
    return {
        "wall_s": ended - started,
        "crawl_s": span,
        "requests": len(hits),
        "articles_fetched": fetched,
        "articles_stored": articles,
        "budget_per_s": site.budget,
        "requests_per_s": len(hits) / span,
        "articles_per_s": articles / span,
        "requests_ratio": len(hits) / span / site.budget,
        "budget_ratio": articles / span / site.budget,
        "budget_ratio_wall": articles / (ended - started) / site.budget,
        "first_request_s": min(h.at for h in hits) - started,
        "every_host_asked_s": max(h["first_s"] for h in hosts.values()),
        "host_busy_min": min(h["busy"] for h in hosts.values()),
        "host_busy_median": sorted(h["busy"] for h in hosts.values())[len(hosts) // 2],
        "min_gap_s": min(gaps, default=None),
        "gaps_too_soon": sum(h["too_soon"] for h in hosts.values()),
        "gaps_slot_lost": sum(h["slots_lost"] for h in hosts.values()),
        "by_host": hosts,
    }


def _host(hits: list[Hit], delay: float, started: float) -> dict[str, Any]:
    """One host's requests: how many, articles among them, when the first and the last came,
    its busy share, its gaps."""
    gaps = [b.at - a.at for a, b in pairwise(hits)]
    span = hits[-1].at - hits[0].at
    return {
        "requests": len(hits),
        "articles": sum("/story-" in h.url and h.status == 200 for h in hits),
        "first_s": hits[0].at - started,
        "last_s": hits[-1].at - started,
        # Requests it took against those its pace allowed from its first request to its last.
        "busy": (len(hits) - 1) * delay / span if span else 1.0,
        "min_gap_s": min(gaps, default=None),
        "too_soon": sum(g < TOO_SOON * delay for g in gaps),
        "slots_lost": sum(g >= SLOT_LOST * delay for g in gaps),
    }
