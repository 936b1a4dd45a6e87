"""Captures in a web archive: the index's answers read, one capture chosen, raw addresses."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from newsflow.article import Article, Via
from newsflow.registry import get_source
from newsflow.registry.webarchive import WebArchive
from newsflow.webarchive import (
    Capture,
    capture_of,
    closest,
    from_capture,
    index_url,
    latest,
    lookup_url,
    read_index,
)

ARCHIVE = WebArchive(
    cdx="https://web.archive.test/cdx",
    replay="https://web.archive.test/web/",
    capture_slack_days=10,
    page_size=2,
)
HEADER = ["timestamp", "original"]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_lookup_asks_for_the_successful_captures_of_one_address() -> None:
    query = _query(lookup_url(ARCHIVE, "https://sana.sy/en/?p=92371"))
    assert query["url"] == ["https://sana.sy/en/?p=92371"]
    assert (query["output"], query["filter"]) == (["json"], ["statuscode:200"])


def test_an_index_query_covers_the_window_and_its_slack_one_row_a_url() -> None:
    prefix = _query(index_url(ARCHIVE, "sana.sy/en/", date(2016, 10, 1), date(2016, 10, 31)))
    assert (prefix["url"], prefix["matchType"]) == (["sana.sy/en/"], ["prefix"])
    assert (prefix["from"], prefix["to"]) == (["20161001"], ["20161110"])
    assert prefix["collapse"] == ["urlkey"] and prefix["limit"] == ["2"]
    domain = _query(index_url(ARCHIVE, "sana.sy", date(2016, 10, 1), date(2016, 10, 1), "k7"))
    assert (domain["matchType"], domain["resumeKey"]) == (["domain"], ["k7"])


def test_an_answer_is_read_with_its_resume_key_and_without_default_ports() -> None:
    rows = [HEADER, ["20161019113000", "http://archive.sana.sy:80/en/?p=1"], [], ["next"]]
    page = read_index(json.dumps(rows).encode())
    assert page.captures == (Capture("20161019113000", "http://archive.sana.sy/en/?p=1"),)
    assert page.resume_key == "next"
    assert read_index(b"") == read_index(b"[]") == read_index(b"[[]]")


def test_the_capture_nearest_the_date_is_chosen_else_the_latest() -> None:
    early, late = Capture("20161019113000", "u"), Capture("20190301080000", "u")
    published = datetime(2016, 10, 19, 9, tzinfo=UTC)
    assert closest([late, early], published) == early
    assert closest([early, late], None) == latest([early, late]) == late
    assert closest([], published) is None


def test_a_raw_capture_address_names_its_capture_and_marks_the_article() -> None:
    capture = Capture("20161019113000", "http://archive.sana.sy/en/?p=92371")
    raw = capture.raw_url(ARCHIVE)
    assert (
        raw == "https://web.archive.test/web/20161019113000id_/http://archive.sana.sy/en/?p=92371"
    )
    assert capture_of(raw) == capture and capture_of("https://sana.sy/en/?p=1") is None
    article = from_capture(Article("https://sana.sy/en/?p=92371", "T", "B"), capture, raw)
    assert (article.via, article.capture_url) == (Via.WEB_ARCHIVE, raw)
    assert article.captured_at == datetime(2016, 10, 19, 11, 30, tzinfo=UTC)


def test_sana_declares_its_earlier_addresses_both_ways() -> None:
    archive = get_source("sana-en").web_archive
    assert archive is not None and archive.hosts == ("archive.sana.sy",)
    assert archive.addresses("https://archive.sana.sy/en/?p=92371") == [
        "https://archive.sana.sy/en/?p=92371",
        "https://sana.sy/en/?p=92371",
    ]
    assert archive.addresses("https://sana.sy/?p=462137")[1] == "https://archive.sana.sy/?p=462137"
    assert get_source("tass-en").web_archive is None  # off unless declared


@given(st.binary(max_size=300) | st.sampled_from([b"[1]", b'[["x"]]', b'{"a": 1}', b"[[], 2]"]))
def test_any_answer_is_read_never_raises(body: bytes) -> None:
    page = read_index(body)  # an archive's error page is an answer without captures
    assert all(c.timestamp.isdigit() and len(c.timestamp) >= 4 for c in page.captures)
