"""Publication times keep the page's offset; the agency zone fills in local times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from newsflow import extract_article
from newsflow.extraction.dates import find_published, parse_datetime
from newsflow.extraction.metadata import read_metadata
from newsflow.extraction.pages import parse_html


def _published(html: str, zone: ZoneInfo | None = None):  # type: ignore[no-untyped-def]
    root = parse_html(html)
    assert root is not None
    return find_published(root, read_metadata(root), zone)


def test_iso_offset_is_kept(page: Callable[..., str]) -> None:
    found = _published(
        page("<meta property='article:published_time' content='2024-03-01T12:00:00+05:30'>")
    )
    assert found.value.isoformat() == "2024-03-01T12:00:00+05:30"


def test_local_time_gets_agency_zone(page: Callable[..., str]) -> None:
    html = page("<meta property='article:published_time' content='2024-03-01T12:00:00'>")
    found = _published(html, ZoneInfo("Asia/Damascus"))
    assert found.value.utcoffset().total_seconds() == 3 * 3600
    assert found.value.replace(tzinfo=None) == datetime(2024, 3, 1, 12, 0)
    assert found.evidence.endswith("tz=agency")


def test_agency_zone_not_applied_when_offset_given(page: Callable[..., str]) -> None:
    html = page("<meta property='article:published_time' content='2024-03-01T12:00:00+01:00'>")
    found = _published(html, ZoneInfo("Asia/Damascus"))
    assert found.value.isoformat() == "2024-03-01T12:00:00+01:00"


def test_local_time_borrows_offset_of_twin_declaration(page: Callable[..., str]) -> None:
    head = (
        "<meta property='article:published_time' content='2024-03-01T12:00:00'>"
        "<meta name='date' content='2024-03-01T12:00:00+02:00'>"
    )
    found = _published(page(head))
    assert found.value.isoformat() == "2024-03-01T12:00:00+02:00"


def test_unknown_zone_is_marked_as_assumed(page: Callable[..., str]) -> None:
    found = _published(
        page("<meta property='article:published_time' content='2024-03-01T12:00:00'>")
    )
    assert "assumed" in found.evidence


def test_published_and_modified_are_kept_apart(page: Callable[..., str]) -> None:
    head = (
        "<meta property='article:modified_time' content='2024-03-02T09:00:00+00:00'>"
        "<meta property='article:published_time' content='2024-03-01T08:00:00+00:00'>"
    )
    article = extract_article(page(head), "https://news.example.org/a")
    assert article is not None
    assert article.published_at == datetime.fromisoformat("2024-03-01T08:00:00+00:00")
    assert article.modified_at == datetime.fromisoformat("2024-03-02T09:00:00+00:00")


def test_date_only_loses_to_a_timed_declaration(page: Callable[..., str]) -> None:
    head = "<meta name='date' content='2024-03-01'>"
    header = (
        "<h1>Council approves budget</h1><time datetime='2024-03-01T07:05:00+01:00'>today</time>"
    )
    found = _published(page(head, header=header))
    assert found.value.isoformat() == "2024-03-01T07:05:00+01:00"


def test_parse_datetime_forms() -> None:
    assert parse_datetime("2024-03-01T12:00:00Z")[0].isoformat() == "2024-03-01T12:00:00+00:00"
    assert parse_datetime("2024-03-01T12:00:00+0530")[0].isoformat() == "2024-03-01T12:00:00+05:30"
    assert (
        parse_datetime("Fri, 01 Mar 2024 12:00:00 +0100")[0].isoformat()
        == "2024-03-01T12:00:00+01:00"
    )
    assert parse_datetime("1709294400")[0].isoformat() == "2024-03-01T12:00:00+00:00"
    assert parse_datetime("2024-03-01") == (datetime(2024, 3, 1), False)
    assert parse_datetime("1h ago") is None
