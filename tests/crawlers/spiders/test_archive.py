"""When the spider asks the web archive, and what an index answer becomes (no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from newsflow.crawlers.items import CaptureLinkItem, FailureItem
from newsflow.crawlers.spiders.archive import ArchiveRequests
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.settings import Settings

from newsflow.failures import FailureCode
from newsflow.registry import get_source
from newsflow.registry.webarchive import WebArchive

ARCHIVE = WebArchive(
    cdx="https://web.archive.test/cdx",
    replay="https://web.archive.test/web/",
    delay=2.0,
    hosts=("archive.sana.sy",),
)
LISTED = "https://sana.sy/en/?p=92371"
TRIED = "https://archive.sana.sy/en/?p=92371"


class _Stats:
    def inc_value(self, *args: Any) -> None:
        pass


class _Crawler:
    stats = _Stats()


def _requests(archive: WebArchive = ARCHIVE) -> ArchiveRequests:
    return ArchiveRequests(archive, get_source("sana-en"), _Crawler())


def _failure(code: FailureCode) -> FailureItem:
    return FailureItem(LISTED, "fetch", str(code), None, code)


@pytest.mark.parametrize("code", [FailureCode.TIMEOUT, FailureCode.HTTP_5XX, FailureCode.NOT_FOUND])
def test_a_site_failure_of_an_asked_host_becomes_a_lookup(code: FailureCode) -> None:
    request = _requests().fallback(LISTED, TRIED, _failure(code), {})
    assert isinstance(request, Request) and request.url.startswith("https://web.archive.test/cdx?")
    assert request.dont_filter  # the archive is no agency host


@pytest.mark.parametrize("code", [FailureCode.ROBOTS, FailureCode.TOO_LARGE])
def test_a_refusal_by_policy_is_no_reason_to_ask(code: FailureCode) -> None:
    assert _requests().fallback(LISTED, TRIED, _failure(code), {}) is None


def test_hosts_not_named_are_not_asked_about_and_fallback_may_be_off() -> None:
    other = "https://sana.sy/en/politics/1/"
    assert _requests().fallback(other, other, _failure(FailureCode.TIMEOUT), {}) is None
    off = ARCHIVE.model_copy(update={"fallback": False, "link_removed": False})
    assert _requests(off).fallback(LISTED, TRIED, _failure(FailureCode.TIMEOUT), {}) is None
    assert _requests(off).removed(1, LISTED, TRIED) is None


def test_without_the_shared_pace_each_archive_host_is_its_own_slow_slot() -> None:
    settings = Settings({"DOWNLOAD_SLOTS": {"sana.sy": {"delay": 5.0}}})
    ArchiveRequests.slots(settings, ARCHIVE)
    slots = settings.getdict("DOWNLOAD_SLOTS")
    assert slots["web.archive.test"] == {"concurrency": 1, "delay": 2.0}
    assert slots["sana.sy"] == {"delay": 5.0}


def _answer(request: Request, rows: list[list[str]]) -> TextResponse:
    body = json.dumps(rows).encode()
    return TextResponse(request.url, body=body, request=request, encoding="utf-8")


def test_a_removed_article_asks_each_address_then_links_the_newest_capture() -> None:
    archive = _requests(
        ARCHIVE.model_copy(
            update={"earlier": get_source("sana-en").web_archive.earlier}  # type: ignore[union-attr]
        )
    )
    first = archive.removed(7, LISTED, TRIED)
    assert first is not None
    header = ["timestamp", "original"]
    (second,) = archive.parse_lookup(_answer(first, [header, ["20161019113000", LISTED]]))
    (linked,) = archive.parse_lookup(_answer(second, [header, ["20170605120000", TRIED]]))
    assert isinstance(linked, CaptureLinkItem) and linked.article_id == 7
    assert linked.url == f"https://web.archive.test/web/20170605120000id_/{TRIED}"


def test_a_fallback_without_captures_ends_as_the_site_s_failure() -> None:
    failed = _failure(FailureCode.TIMEOUT)
    request = _requests().fallback(TRIED, TRIED, failed, {})
    assert request is not None
    assert list(_requests().parse_lookup(_answer(request, []))) == [failed]
