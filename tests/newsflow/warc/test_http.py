"""The HTTP header block a stored page is written with matches the body as stored."""

from __future__ import annotations

import gzip

from newsflow.warc.http import is_html, page_headers, response_headers, status_line


def test_the_transfer_headers_are_rewritten_for_the_stored_body() -> None:
    body = b"<html><body>decoded by the crawl</body></html>"
    stored = {
        "Content-Type": "text/html; charset=UTF-8",
        "content-encoding": "gzip",  # Scrapy decoded it: the header no longer holds
        "Transfer-Encoding": "chunked",
        "Content-Length": "17",
        "ETag": '"abc"',
    }
    assert response_headers(stored, body) == [
        ("Content-Type", "text/html; charset=UTF-8"),
        ("ETag", '"abc"'),
        ("Content-Length", str(len(body))),
    ]


def test_a_body_still_in_gzip_keeps_its_content_encoding() -> None:
    body = gzip.compress(b"<html></html>")
    headers = response_headers({"Content-Encoding": "gzip"}, body)
    assert headers == [("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))]


def test_a_line_break_in_a_value_cannot_end_the_block() -> None:
    assert response_headers({"X-Odd": "one\r\ntwo"}, b"")[0] == ("X-Odd", "one two")


def test_status_lines_and_html() -> None:
    assert status_line(200) == "200 OK" and status_line(404) == "404 Not Found"
    assert status_line(599) == "599 Unknown"
    assert is_html("text/html; charset=windows-1256") and is_html("application/xhtml+xml")
    assert is_html(None) and not is_html("application/pdf") and not is_html("image/jpeg")


def test_read_headers_join_repeats_and_drop_the_transfer_headers() -> None:
    items = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Length", "9")]
    items += [("X-Crawler-Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    assert page_headers(items) == {"Set-Cookie": "a=1, b=2", "X-Crawler-Content-Encoding": "gzip"}
