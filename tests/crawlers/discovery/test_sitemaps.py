"""Sitemaps: index children, monthly URLs with lastmod, news dates, month selection."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta, timezone

from newsflow.crawlers.discovery.sitemaps import parse_sitemap, select_children, sitemap_month

from newsflow.replay import SITES_DIR

SANA = SITES_DIR / "sana"
REFERENCE = json.loads((SANA / "reference" / "sitemaps_en.json").read_text())


def _read(name: str) -> bytes:
    return (SANA / "recorded" / name).read_bytes()


def test_index_children_match_the_reference() -> None:
    index = parse_sitemap(_read("sitemap.xml"), REFERENCE["index"])
    assert index.is_index
    assert [c.url for c in index.entries] == REFERENCE["children"]


def test_month_urls_match_the_reference_and_carry_lastmod() -> None:
    month = parse_sitemap(_read("sitemap-pt-post-2016-10.xml"), "https://sana.sy/en/")
    assert not month.is_index
    assert sorted(e.url for e in month.entries) == sorted(REFERENCE["month_2016_10_urls"])
    first = month.entries[0]
    assert first.date == datetime(2016, 10, 16, 6, 9, tzinfo=UTC)


def test_news_sitemap_gives_publication_dates_with_their_offset() -> None:
    news = parse_sitemap(_read("news-sitemap.xml"), "https://sana.sy/en/news-sitemap.xml")
    seed = next(e for e in news.entries if e.url == "https://sana.sy/en/?p=92385")
    assert seed.date == datetime(2016, 10, 19, 15, 42, 10, tzinfo=timezone(timedelta(hours=3)))


def test_a_window_selects_only_overlapping_monthly_children() -> None:
    index = parse_sitemap(_read("sitemap.xml"), REFERENCE["index"])
    october = select_children(index.entries, date(2016, 10, 1), date(2016, 10, 31))
    autumn = select_children(index.entries, date(2016, 9, 15), date(2016, 10, 2))
    assert [c.url for c in october] == ["https://sana.sy/en/sitemap-pt-post-2016-10.xml"]
    assert [sitemap_month(c.url) for c in autumn] == [(2016, 10), (2016, 9)]


def test_gzipped_sitemaps_are_read() -> None:
    month = parse_sitemap(gzip.compress(_read("sitemap-pt-post-2016-10.xml")), "https://sana.sy/")
    assert len(month.entries) == len(REFERENCE["month_2016_10_urls"])


def test_a_windows_1251_sitemap_reads_exactly_from_its_declaration_or_header() -> None:
    loc = "https://ria.ru/20240312/переговоры-1932.html"
    urlset = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{loc}</loc><lastmod>2024-03-12</lastmod></url></urlset>"
    )
    declared = f'<?xml version="1.0" encoding="windows-1251"?>{urlset}'.encode("windows-1251")
    undeclared = urlset.encode("windows-1251")
    for body, content_type in (
        (declared, None),
        (declared, "text/xml"),
        (undeclared, "application/xml; charset=windows-1251"),
        (undeclared, None),  # detected
        (gzip.compress(declared), "application/x-gzip"),
    ):
        sitemap = parse_sitemap(body, "https://ria.ru/sitemap.xml", content_type)
        assert [(e.url, e.date) for e in sitemap.entries] == [(loc, date(2024, 3, 12))]
