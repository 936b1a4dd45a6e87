"""Stored pages as a WARC/1.1 file (warcio): a warcinfo record first, then for each page its
``response``, the ``request`` that asked for it and a ``metadata`` record of what only newsflow
knows, the last two concurrent to the response. Each record is a gzip member of its own, so
tools can seek to any record and a cut file loses only its last one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsflow.page import FetchedPage
from newsflow.warc.http import response_headers, status_line

# The metadata record's fields (application/warc-fields). The import reads them back, so a
# WARC newsflow wrote is imported under its own sources and requested URLs.
SOURCE_FIELD = "newsflow-source"
KIND_FIELD = "newsflow-page-kind"
REQUESTED_FIELD = "newsflow-requested-url"


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A stored page with what the store knows beside the response: its source."""

    page: FetchedPage
    source: str


def warc_date(moment: datetime) -> str:
    """A WARC-Date: UTC, to the microsecond when it has one (WARC/1.1 allows the fraction)."""
    moment = moment.astimezone(UTC)
    shape = "%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return moment.strftime(shape)


class PageWriter:
    """Writes a WARC/1.1 file page by page; only the record in hand is held."""

    def __init__(self, sink: BinaryIO, filename: str, info: Mapping[str, str]) -> None:
        self._warc = WARCWriter(sink, gzip=True, warc_version="1.1")
        self._warc.write_record(self._warc.create_warcinfo_record(filename, dict(info)))
        self.count = 0

    def write(self, stored: StoredPage) -> None:
        """The page's response, request and metadata records."""
        page = stored.page
        date = warc_date(page.fetched_at)
        response = self._response(page, date)
        self._warc.write_record(response)
        concurrent = {
            "WARC-Date": date,
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        }
        self._warc.write_record(self._request(page, concurrent))
        self._warc.write_record(self._metadata(stored, concurrent))
        self.count += 1

    def _response(self, page: FetchedPage, date: str) -> ArcWarcRecord:
        head = StatusAndHeaders(
            status_line(page.status), response_headers(page.headers, page.body), "HTTP/1.1"
        )
        return self._warc.create_warc_record(
            page.final_url,
            "response",
            payload=BytesIO(page.body),
            length=len(page.body),
            http_headers=head,
            warc_headers_dict={"WARC-Date": date},
        )

    def _request(self, page: FetchedPage, concurrent: dict[str, str]) -> ArcWarcRecord:
        # What we know of the request: its method, target and host. The crawl keeps no more
        # (its user agent and conditional headers are settings and state, not page data).
        parts = urlsplit(page.final_url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = StatusAndHeaders(
            f"GET {target} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True
        )
        return self._warc.create_warc_record(
            page.final_url, "request", http_headers=head, warc_headers_dict=concurrent
        )

    def _metadata(self, stored: StoredPage, concurrent: dict[str, str]) -> ArcWarcRecord:
        page = stored.page
        fields = [(SOURCE_FIELD, stored.source), (KIND_FIELD, str(page.kind))]
        if page.url != page.final_url:
            fields.append((REQUESTED_FIELD, page.url))
        block = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
        return self._warc.create_warc_record(
            page.final_url,
            "metadata",
            payload=BytesIO(block),
            length=len(block),
            warc_content_type="application/warc-fields",
            warc_headers_dict=concurrent,
        )


def write_warc(
    sink: BinaryIO, pages: Iterable[StoredPage], filename: str, info: Mapping[str, str]
) -> int:
    """Write the pages as a WARC/1.1 file to ``sink``; returns how many pages were written."""
    writer = PageWriter(sink, filename, info)
    for stored in pages:
        writer.write(stored)
    return writer.count
