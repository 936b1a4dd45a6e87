"""Polite defaults: robots.txt first, an honest user agent, delays from registry and robots."""

from __future__ import annotations

import importlib

import pytest
from newsflow.crawlers.spiders.agency import AgencySpider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE

from newsflow.replay import ReplayServer
from newsflow.settings import get_settings


def test_robots_txt_is_fetched_first_and_the_user_agent_names_newsflow(
    crawl, replay: ReplayServer
) -> None:
    start = len(replay.hits)
    assert crawl("sana-ar") == 0
    hits = [h for h in replay.hits[start:] if h.url.startswith("https://sana.sy/")]
    assert hits[0].url == "https://sana.sy/robots.txt"
    assert all("newsflow" in h.headers["User-Agent"] for h in hits)


@pytest.mark.parametrize(("override", "delay"), [(None, 5.0), ("0", 0.0), ("0.4", 0.4)])
def test_delay_comes_from_the_override_only_when_set(
    monkeypatch: pytest.MonkeyPatch, override: str | None, delay: float
) -> None:
    if override is None:
        monkeypatch.delenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", raising=False)
    else:
        monkeypatch.setenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", override)
    monkeypatch.delenv("NEWSFLOW_CRAWL__SHARED_PACE", raising=False)  # on by default
    get_settings.cache_clear()
    import newsflow.crawlers.settings

    project = vars(importlib.reload(newsflow.crawlers.settings))
    assert project["NEWSFLOW_CRAWL_DELAY"] == delay
    assert project["NEWSFLOW_PACE"] is True
    assert project["DOWNLOAD_DELAY"] == 0.0  # the shared pace keeps the delay (crawlers/pace.py)
    assert project["ROBOTSTXT_OBEY"] is True
    assert project["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    get_settings.cache_clear()


@pytest.mark.parametrize("paced", [True, False])
@pytest.mark.parametrize(("override", "delay"), [(None, 5.0), (0.0, 0.0)])
def test_the_spider_applies_the_registry_crawl_delay_unless_overridden(
    override: float | None, delay: float, paced: bool
) -> None:
    settings = {"NEWSFLOW_DELAY_OVERRIDE": override, "NEWSFLOW_PACE": paced}
    crawler = Crawler(AgencySpider, Settings(settings))
    crawler._create_spider(source="sana-en")
    assert crawler.settings.getfloat("NEWSFLOW_CRAWL_DELAY") == delay
    # Scrapy's own delay (default 0) only without the shared pace: the two would add up.
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == (0.0 if paced else delay)


def test_the_pace_runs_last_before_the_download() -> None:
    import newsflow.crawlers.settings as project

    # Offsite drops and robots.txt refusals take no place in the host's pace.
    middlewares = {**DOWNLOADER_MIDDLEWARES_BASE, **project.DOWNLOADER_MIDDLEWARES}
    last = max(middlewares, key=lambda name: middlewares[name] or 0)
    assert last == "newsflow.crawlers.pace.HostPaceMiddleware"


def test_only_web_addresses_can_be_fetched_and_refreshes_are_refused_by_name() -> None:
    import newsflow.crawlers.settings as project

    for scheme in ("file", "data", "ftp", "s3"):
        assert project.DOWNLOAD_HANDLERS[scheme] is None
    middlewares = project.DOWNLOADER_MIDDLEWARES
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert middlewares["newsflow.crawlers.middlewares.AgencyMetaRefreshMiddleware"] == 580
