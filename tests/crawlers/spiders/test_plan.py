"""Listing start pages from registry templates, and window bounds from spider arguments."""

from __future__ import annotations

from datetime import date

import pytest
from newsflow.crawlers.spiders.plan import listing_urls, parse_day

from newsflow.registry import Listing


def test_a_paged_listing_starts_at_its_newest_page() -> None:
    listing = Listing(url="https://archive.sana.sy/en/?paged={page}", first_page=1)
    assert listing_urls(listing, date(2016, 10, 1), date(2016, 10, 31)) == [
        "https://archive.sana.sy/en/?paged=1"
    ]


def test_a_date_archive_gets_one_page_per_month_newest_first() -> None:
    listing = Listing(url="https://sana.sy/en/?m={yyyymm}&paged={page}", kind="date")
    assert listing_urls(listing, date(2016, 11, 20), date(2017, 1, 5)) == [
        "https://sana.sy/en/?m=201701&paged=1",
        "https://sana.sy/en/?m=201612&paged=1",
        "https://sana.sy/en/?m=201611&paged=1",
    ]


def test_window_bounds_are_iso_days() -> None:
    assert parse_day("2016-10-01") == date(2016, 10, 1)
    assert parse_day(None) is None
    with pytest.raises(ValueError, match="use YYYY-MM-DD"):
        parse_day("Oct 1")
