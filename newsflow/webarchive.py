"""Captures in a Wayback-style web archive: asking its CDX index, choosing one, reading it raw.

Pure functions over URLs and the index's JSON: the crawler (crawlers/spiders/archive.py) sends
the requests, so the archive is paced like any other host. Capture times are the archive's
14-digit timestamps, always UTC.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from newsflow.article import Article, Via
from newsflow.registry.webarchive import WebArchive

log = logging.getLogger(__name__)
TIMESTAMP = "%Y%m%d%H%M%S"
# A raw capture's address: <replay prefix><timestamp>id_/<original URL>, whatever the archive.
_RAW = re.compile(r"/(?P<timestamp>\d{14})id_/(?P<original>https?://.+)$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Capture:
    """One capture of a URL: when the archive made it and the address it captured."""

    timestamp: str  # 14 digits, UTC
    original: str

    @property
    def captured_at(self) -> datetime:
        """The capture's instant (UTC)."""
        return datetime.strptime(_padded(self.timestamp), TIMESTAMP).replace(tzinfo=UTC)

    def raw_url(self, archive: WebArchive) -> str:
        """Where the archive serves the capture as captured, without its replay furniture."""
        return f"{str(archive.replay).rstrip('/')}/{self.timestamp}id_/{self.original}"


@dataclass(frozen=True, slots=True)
class IndexPage:
    """One answer of the CDX index: its captures and the key of the next page, if any."""

    captures: tuple[Capture, ...]
    resume_key: str | None = None


def lookup_url(archive: WebArchive, url: str) -> str:
    """The CDX query for the successful captures of one address."""
    query = {"url": url, "output": "json", "filter": "statuscode:200", "fl": "timestamp,original"}
    return f"{archive.cdx}?{urlencode(query)}"


def index_url(
    archive: WebArchive, prefix: str, since: date, until: date, resume_key: str | None = None
) -> str:
    """The CDX query for every HTML page captured under ``prefix`` in a window, one row a URL.

    A prefix without a path (``sana.sy``) is a domain query, subdomains included. Captures
    run ``capture_slack_days`` past the window: an article is often captured after its day.
    """
    last = until + timedelta(days=archive.capture_slack_days)
    bare = prefix.split("://", 1)[-1]
    match = "domain" if "/" not in bare.rstrip("/") else "prefix"
    query = [
        ("url", bare.rstrip("/") if match == "domain" else bare),
        ("matchType", match),
        ("from", f"{since:%Y%m%d}"),
        ("to", f"{last:%Y%m%d}"),
        ("output", "json"),
        ("fl", "timestamp,original"),
        ("filter", "statuscode:200"),
        ("filter", "mimetype:text/html"),
        ("collapse", "urlkey"),
        ("limit", str(archive.page_size)),
        ("showResumeKey", "true"),
    ]
    if resume_key:
        query.append(("resumeKey", resume_key))
    return f"{archive.cdx}?{urlencode(query)}"


def read_index(body: bytes) -> IndexPage:
    """The captures of a CDX JSON answer (header row first; an empty one: none).

    With ``showResumeKey`` the last rows are an empty row and the key of the next page. An
    answer of another shape (an error page, a rate limit's notice) has no captures: the
    lookup then ends as if the archive had none, and never raises.
    """
    try:
        rows = json.loads(body.decode("utf-8", "replace").strip() or "[]")
        return _captures(rows) if isinstance(rows, list) and rows else IndexPage(())
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        log.warning("web archive: an index answer that is no CDX JSON: %r", body[:200])
        return IndexPage(())


def _captures(rows: list[Any]) -> IndexPage:
    resume = None
    if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
        resume, rows = str(rows[-1][0]), rows[:-2]
    header, *records = rows
    at, original = header.index("timestamp"), header.index("original")
    captures = tuple(
        Capture(str(row[at]), _plain(str(row[original])))
        for row in records
        if len(row) == len(header) and _timestamp(str(row[at]))
    )
    return IndexPage(captures, resume)


def _timestamp(value: str) -> bool:
    """Whether a row's timestamp is one (4 to 14 digits of a real instant)."""
    if not re.fullmatch(r"\d{4,14}", value):
        return False
    try:
        datetime.strptime(_padded(value), TIMESTAMP)
    except ValueError:
        return False
    return True


def closest(captures: list[Capture], when: datetime | None) -> Capture | None:
    """The capture nearest ``when`` (the article's date), else the latest; ties: the later."""
    if not captures:
        return None
    if when is None:
        return max(captures, key=lambda c: c.timestamp)
    moment = when.astimezone(UTC)
    return min(captures, key=lambda c: (abs(c.captured_at - moment), -int(c.timestamp)))


def latest(captures: list[Capture]) -> Capture | None:
    """The newest capture: a removed article's last state the archive saw."""
    return closest(captures, None)


def capture_of(url: str) -> Capture | None:
    """The capture a raw replay address names, or None for any other address."""
    found = _RAW.search(url)
    return Capture(found["timestamp"], found["original"]) if found else None


def from_capture(article: Article, capture: Capture, raw_url: str) -> Article:
    """The article as read from a capture: ``via`` web-archive, the capture named."""
    return article.evolve(via=Via.WEB_ARCHIVE, capture_url=raw_url, captured_at=capture.captured_at)


def _padded(timestamp: str) -> str:
    """A shortened timestamp (``2016``, ``201610``) as its first instant: 14 digits."""
    return timestamp + "00000101000000"[len(timestamp) :]


def _plain(url: str) -> str:
    """An archived address without a default port (old captures keep ``:80``)."""
    parts = urlsplit(url)
    if parts.port is not None and _DEFAULT_PORTS.get(parts.scheme) == parts.port:
        return urlunsplit(parts._replace(netloc=parts.hostname or ""))
    return url


__all__ = [
    "Capture",
    "IndexPage",
    "capture_of",
    "closest",
    "from_capture",
    "index_url",
    "latest",
    "lookup_url",
    "read_index",
]
