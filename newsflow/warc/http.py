"""The HTTP side of a WARC record: a stored page's header block, and a record's headers back.

A stored body is the one the crawl kept: Scrapy has already undone the transfer and content
codings it understood, so the headers that described them would misdescribe the payload.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus

# Describe how the bytes travelled, not what they are: the payload written or read is decoded.
TRANSFER_HEADERS = frozenset({"transfer-encoding", "content-encoding", "content-length"})
_GZIP_MAGIC = b"\x1f\x8b"


def status_line(status: int) -> str:
    """``200 OK``: the status with its standard reason phrase (``Unknown`` for a private one)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{status} {phrase}"


def response_headers(headers: Mapping[str, str], body: bytes) -> list[tuple[str, str]]:
    """The stored headers as a valid HTTP/1.1 block for exactly this body.

    Transfer-Encoding and Content-Length are rewritten for the body as stored; Content-Encoding
    stays only when the body still is gzip (a coding the crawl could not undo), since a decoded
    body under its old Content-Encoding would be unreadable to every replay tool.
    """
    kept = [
        (_clean(name), _clean(value))
        for name, value in headers.items()
        if name.lower() not in TRANSFER_HEADERS and name.strip()
    ]
    coding = _header(headers, "Content-Encoding")
    if coding and "gzip" in coding.lower() and body.startswith(_GZIP_MAGIC):
        kept.append(("Content-Encoding", _clean(coding)))
    kept.append(("Content-Length", str(len(body))))
    return kept


def page_headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A record's HTTP headers as a page stores them: repeats joined by ``, `` (as the spider
    joins them), the transfer headers left out (the reader decoded the payload)."""
    headers: dict[str, str] = {}
    for name, value in items:
        if name.lower() in TRANSFER_HEADERS:
            continue
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def is_html(content_type: str | None) -> bool:
    """Whether a Content-Type names HTML; none at all may be HTML too (extraction decides)."""
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("text/html", "application/xhtml+xml")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _clean(text: str) -> str:
    # A line break inside a name or value would end the header block early.
    return " ".join(text.splitlines()).strip()
