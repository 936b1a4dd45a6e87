"""`newsflow sources add` on sites it has never seen, then the crawl with the entry it wrote.

Each generated site (tests/fixtures/scout_sites) is served on 127.0.0.1 as a mirror. The
entry `sources add` writes is used unchanged: a month's backfill into an empty store must
hold exactly that month's articles, a scheduled crawl and a backfill over the whole span at
least 99 % of the site's articles, and no request may leave the site's host.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from newsflow.crawlers.run import crawl_in_subprocess
from sqlalchemy import create_engine, text

from newsflow.cli import main
from newsflow.replay import ReplayServer
from tests.fixtures.scout_sites import Site, build_site

CRAWLED = ("wp-plain", "wp-pretty", "news-sitemap-only", "listings-yearless")
TODAY = date.today()


@pytest.fixture(scope="module")
def sites() -> dict[str, Site]:
    return {name: build_site(name, TODAY) for name in CRAWLED}


@pytest.fixture(scope="module")
def server(sites: dict[str, Site]) -> Iterator[ReplayServer]:
    routes = {url: route for site in sites.values() for url, route in site.routes.items()}
    with ReplayServer(routes) as replay:
        yield replay


def _add(site: Site, server: ReplayServer, *extra: str) -> tuple[int, str]:
    args = ["sources", "add", site.homepage, "--base-url", server.base_url, *extra]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.output


def _stored(store: str, source: str) -> set[str]:
    engine = create_engine(store)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT url FROM articles WHERE source_id = :s"), {"s": source})
        urls = {row.url for row in rows}
    engine.dispose()
    return urls


def _month_before_last(today: date) -> tuple[date, date]:
    last_month_end = today.replace(day=1) - timedelta(days=1)
    until = last_month_end.replace(day=1) - timedelta(days=1)
    return until.replace(day=1), until


@pytest.mark.parametrize("name", CRAWLED)
def test_the_written_entry_crawls_the_whole_site_and_a_month_exactly(
    name: str, sites: dict[str, Site], server: ReplayServer, own_registry: Path, store_url: str
) -> None:
    site = sites[name]
    code, output = _add(site, server)
    assert code == 0, output
    (path,) = own_registry.glob("*.toml")
    assert f"wrote {path}" in output
    entry = tomllib.loads(path.read_text(encoding="utf-8"))
    (key,) = entry["editions"]
    source = f"{entry['id']}-{key}"
    env = {
        "NEWSFLOW_BASE_URL": server.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "NEWSFLOW_DATABASE_URL": store_url,
        "NEWSFLOW_REGISTRY_PATH": str(own_registry),
    }
    since, until = _month_before_last(TODAY)
    zone = ZoneInfo(site.timezone)
    month = {a.url for a in site.articles if since <= a.published.astimezone(zone).date() <= until}
    assert len(month) >= 15, "the site's month is too thin to say anything"
    server.hits.clear()

    crawl_in_subprocess(source, None, since, until, env=env, timeout=180)
    assert _stored(store_url, source) == month

    crawl_in_subprocess(source, None, env=env, timeout=180)  # a scheduled run
    oldest = min(a.published for a in site.articles).date() - timedelta(days=1)
    crawl_in_subprocess(source, None, oldest, TODAY, env=env, timeout=300)
    truth = {a.url for a in site.articles}
    stored = _stored(store_url, source)
    assert len(stored & truth) >= 0.99 * len(truth), sorted(truth - stored)[:5]
    assert stored <= truth
    assert {urlsplit(hit.url).hostname for hit in server.hits} == {urlsplit(site.homepage).hostname}
