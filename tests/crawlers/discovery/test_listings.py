"""Listings: items, dates and next page; timeline month headings give day labels their year."""

from __future__ import annotations

import json
from datetime import date

import pytest
from newsflow.crawlers.discovery.listings import parse_day, parse_listing

from newsflow.registry import get_source
from newsflow.replay import SITES_DIR

SANA = SITES_DIR / "sana"
MARKUP = get_source("sana-en").agency.listing


@pytest.mark.parametrize(
    ("reference", "page"),
    [
        ("listing_cat106.json", "recorded/category_cat106.html"),
        ("archive_timeline_cat106.json", "recorded/archive_cat106_paged2793.html"),
    ],
)
def test_listing_items_dates_and_next_page_match_the_reference(reference: str, page: str) -> None:
    expected = json.loads((SANA / "reference" / reference).read_text())
    assert MARKUP is not None
    listing = parse_listing((SANA / page).read_bytes(), expected["url"], MARKUP)
    assert [(i.url, i.date) for i in listing.items] == [
        (i["url"], date.fromisoformat(i["date"])) for i in expected["items"]
    ]
    assert listing.next_page == expected["next_page"]


def test_timeline_items_take_the_year_of_the_heading_above_them() -> None:
    assert MARKUP is not None
    body = (SANA / "generated" / "archive_paged4.html").read_bytes()
    listing = parse_listing(body, "https://archive.sana.sy/en/?paged=4", MARKUP)
    assert [(i.url.rsplit("=", 1)[1], i.date) for i in listing.items] == [
        ("92207", date(2016, 10, 12)),
        ("92188", date(2016, 10, 10)),
        ("92150", date(2016, 10, 3)),
        ("92101", date(2016, 9, 28)),  # under the "September, 2016" heading
    ]
    assert listing.next_page == "https://archive.sana.sy/en/?paged=5"


def test_the_oldest_timeline_page_has_no_next_page() -> None:
    assert MARKUP is not None
    body = (SANA / "generated" / "archive_paged5.html").read_bytes()
    assert parse_listing(body, "https://archive.sana.sy/en/?paged=5", MARKUP).next_page is None


@pytest.mark.parametrize(
    ("label", "heading", "expected"),
    [
        ("2016-10-19", None, date(2016, 10, 19)),
        ("19 October", "October, 2016", date(2016, 10, 19)),
        ("31 December", "December, 2015", date(2015, 12, 31)),
        ("October 19, 2016", None, date(2016, 10, 19)),
        ("yesterday-ish", None, None),
    ],
)
def test_day_labels(label: str, heading: str | None, expected: date | None) -> None:
    assert parse_day(label, heading) == expected
