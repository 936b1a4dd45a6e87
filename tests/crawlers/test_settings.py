"""Polite defaults: robots.txt first, an honest user agent, delays from registry and robots."""

from __future__ import annotations

import importlib

import pytest
from newsflow.crawlers.spiders.agency import AgencySpider
from scrapy.crawler import Crawler
from scrapy.settings import Settings

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


@pytest.mark.parametrize(("override", "delay"), [(None, 5.0), ("0", 0.0)])
def test_delay_comes_from_the_override_only_when_set(
    monkeypatch: pytest.MonkeyPatch, override: str | None, delay: float
) -> None:
    if override is None:
        monkeypatch.delenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", raising=False)
    else:
        monkeypatch.setenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", override)
    get_settings.cache_clear()
    import newsflow.crawlers.settings

    project = vars(importlib.reload(newsflow.crawlers.settings))
    assert project["DOWNLOAD_DELAY"] == delay
    assert project["ROBOTSTXT_OBEY"] is True
    assert project["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    get_settings.cache_clear()


@pytest.mark.parametrize(("override", "delay"), [(None, 5.0), (0.0, 0.0)])
def test_the_spider_applies_the_registry_crawl_delay_unless_overridden(
    override: float | None, delay: float
) -> None:
    crawler = Crawler(AgencySpider, Settings({"NEWSFLOW_DELAY_OVERRIDE": override}))
    crawler._create_spider(source="sana-en")
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == delay


def test_only_web_addresses_can_be_fetched_and_refreshes_are_refused_by_name() -> None:
    import newsflow.crawlers.settings as project

    for scheme in ("file", "data", "ftp", "s3"):
        assert project.DOWNLOAD_HANDLERS[scheme] is None
    middlewares = project.DOWNLOADER_MIDDLEWARES
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert middlewares["newsflow.crawlers.middlewares.AgencyMetaRefreshMiddleware"] == 580
