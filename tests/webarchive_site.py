"""A Wayback-style web archive for tests: a CDX index and raw (``id_``) captures.

Served by the replay (newsflow/replay.py) beside the recorded sites, as one more host behind
the mirror: ``https://web.archive.test/cdx?…`` and ``https://web.archive.test/web/<ts>id_/<url>``.
The captures are hand-written records (tests/fixtures/webarchive/captures.json). The index
answers the CDX API's subset newsflow uses: ``url`` with ``matchType`` exact, prefix or
domain; ``from``/``to``; ``filter`` on statuscode and mimetype; ``collapse=urlkey``;
``limit`` with ``showResumeKey``/``resumeKey``; ``output=json`` with ``fl``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from newsflow.registry import AGENCIES_DIR, REGISTRY_PATH_ENV, forget_loaded
from newsflow.replay import ReplayServer, Route, load_routes
from newsflow.settings import REPO_ROOT

ARCHIVE = "https://web.archive.test"
CDX = f"{ARCHIVE}/cdx"
REPLAY = f"{ARCHIVE}/web/"
FIXTURES = REPO_ROOT / "tests" / "fixtures"
CAPTURES = FIXTURES / "webarchive" / "captures.json"
JSON_TYPE = {"Content-Type": "application/json"}
DELAY = 0.4  # the test archive's own delay between two requests
# SANA's archive host gets a short patience (the bundled one waits 150 s), the archive is ours.
OVERRIDES = f"""
[editions.en.patience.hosts."archive.sana.sy"]
download_timeout = 1
retries = 0

[editions.en.web_archive]
cdx = "{CDX}"
replay = "{REPLAY}"
delay = {DELAY}
hosts = ["archive.sana.sy"]
discover = ["sana.sy/en/", "archive.sana.sy/en/"]
capture_slack_days = 7
page_size = 3
earlier = [
    {{ pattern = '^https?://archive\\.sana\\.sy/(.*)$', to = 'https://sana.sy/\\1' }},
    {{ pattern = '^https?://sana\\.sy/(en/\\?p=\\d+)$', to = 'https://archive.sana.sy/\\1' }},
]
"""
REVISIT_ALL = """
[editions.en.revisit]
within_hours = 1000000
every_hours = 0
"""


@contextmanager
def archive_registry(
    directory: Path, monkeypatch: pytest.MonkeyPatch, revisit_all: bool = False
) -> Iterator[None]:
    """SANA's registry entry with this archive as its English edition's web archive; with
    ``revisit_all``, every stored article due for a revisit (the recorded site is from 2016)."""
    declared = (AGENCIES_DIR / "sana.toml").read_text(encoding="utf-8")
    overrides = OVERRIDES + (REVISIT_ALL if revisit_all else "")
    (directory / "sana.toml").write_text(declared + overrides, encoding="utf-8")
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(directory))  # the crawl child reads it too
    forget_loaded()
    try:
        yield
    finally:
        forget_loaded()


@contextmanager
def archive_replay(slow: tuple[str, ...] = ()) -> Iterator[ReplayServer]:
    """SANA's recorded site (the ``slow`` URLs answering after 3 s) and the archive."""
    routes = load_routes()
    for url in slow:
        routes[url] = Route(200, routes[url].body, routes[url].headers, delay=3.0)
    with ReplayServer(ArchiveRoutes(routes, load_captures())) as server:
        yield server


def assert_paced(site: ReplayServer) -> None:
    """One request at a time to the archive, its delay apart, as the archive saw them arrive.

    Arrival times carry the sender's wake-up and the connection's jitter (tens of milliseconds
    on two busy cores), so one gap may fall short of the delay by that much, never to nothing:
    unpaced, the requests would come milliseconds apart.
    """
    times = [hit.at for hit in archive_hits(site.hits)]
    assert len(times) >= 3, "the archive was hardly asked"
    gaps = sorted(later - earlier for earlier, later in itertools.pairwise(times))
    assert gaps[0] >= DELAY / 2, gaps
    assert gaps[len(gaps) // 2] >= DELAY - 0.05, gaps


@dataclass(frozen=True)
class Captured:
    """One capture record: when, of what, how it answered, and the page if it was a 200."""

    timestamp: str
    original: str
    status: int = 200
    mimetype: str = "text/html"
    body: bytes = b""

    @property
    def urlkey(self) -> str:
        """The address without scheme, ``www.`` or a default port: one key for its variants."""
        parts = urlsplit(self.original)
        host = (parts.hostname or "").removeprefix("www.")
        query = f"?{parts.query}" if parts.query else ""
        return f"{host}{parts.path}{query}"


def load_captures(path: Path = CAPTURES) -> list[Captured]:
    """The recorded captures, with their pages read."""
    records = json.loads(path.read_text(encoding="utf-8"))["captures"]
    return [_captured(record) for record in records]


def _captured(record: dict[str, Any]) -> Captured:
    page = record.get("page")
    body = b""
    if page:
        own = CAPTURES.parent / page
        body = (own if own.exists() else FIXTURES / "sites" / page).read_bytes()
    return Captured(
        record["timestamp"],
        record["original"],
        record.get("status", 200),
        record.get("mimetype", "text/html"),
        body,
    )


class ArchiveRoutes(dict[str, Route]):
    """The replay's routes, with the archive's answers computed from the capture records."""

    def __init__(self, routes: dict[str, Route], captures: list[Captured]) -> None:
        super().__init__(routes)
        self.captures = sorted(captures, key=lambda c: (c.urlkey, c.timestamp))

    def get(self, url: str, default: Any = None) -> Any:  # type: ignore[override]
        """The site's route, or the archive's answer for an archive address."""
        if url.startswith(CDX + "?"):
            return self._index(dict(parse_qsl(urlsplit(url).query)), _filters(url))
        if url.startswith(REPLAY):
            return self._raw(url.removeprefix(REPLAY))
        return super().get(url, default)

    def _index(self, query: dict[str, str], filters: list[str]) -> Route:
        wanted = _key(query["url"])
        match = query.get("matchType", "exact")
        rows = [c for c in self.captures if _matches(c.urlkey, wanted, match)]
        rows = [c for c in rows if _within(c.timestamp, query.get("from"), query.get("to"))]
        rows = [c for c in rows if all(_passes(c, f) for f in filters)]
        if query.get("collapse") == "urlkey":
            rows = list({c.urlkey: c for c in reversed(rows)}.values())[::-1]
        fields = query.get("fl", "urlkey,timestamp,original,mimetype,statuscode").split(",")
        table: list[list[str]] = [fields]
        start = int(query.get("resumeKey", "0"))
        limit = int(query.get("limit", "0")) or len(rows)
        table += [[_field(c, f) for f in fields] for c in rows[start : start + limit]]
        if query.get("showResumeKey") == "true" and start + limit < len(rows):
            table += [[], [str(start + limit)]]
        body = json.dumps(table if len(table) > 1 else []).encode()
        return Route(200, body, JSON_TYPE)

    def _raw(self, rest: str) -> Route | None:
        timestamp, _, original = rest.partition("id_/")
        key = Captured(timestamp, original).urlkey
        for capture in self.captures:
            same = capture.timestamp == timestamp and capture.urlkey == key
            if same and capture.status == 200:
                return Route(200, capture.body, {"Content-Type": "text/html; charset=UTF-8"})
        return None


def archive_hits(hits: list[Any]) -> list[Any]:
    """The requests the archive received, in order."""
    return [hit for hit in hits if hit.url.startswith(ARCHIVE + "/")]


def _filters(url: str) -> list[str]:
    return [value for name, value in parse_qsl(urlsplit(url).query) if name == "filter"]


def _key(url: str) -> str:
    bare = url.split("://", 1)[-1]
    return Captured("0", "https://" + bare).urlkey if bare else ""


def _matches(key: str, wanted: str, match: str) -> bool:
    if match == "prefix":
        return key.startswith(wanted)
    if match == "domain":
        host = key.split("/", 1)[0]
        return host == wanted or host.endswith("." + wanted)
    return key == wanted


def _within(timestamp: str, first: str | None, last: str | None) -> bool:
    # CDX compares a bound as a timestamp prefix: to=20161031 takes all of 31 October.
    if first and timestamp < first.ljust(14, "0"):
        return False
    return not (last and timestamp > last.ljust(14, "9"))


def _passes(capture: Captured, condition: str) -> bool:
    name, _, value = condition.partition(":")
    actual = {"statuscode": str(capture.status), "mimetype": capture.mimetype}.get(name)
    return actual == value


def _field(capture: Captured, name: str) -> str:
    values = {
        "urlkey": capture.urlkey,
        "timestamp": capture.timestamp,
        "original": capture.original,
        "mimetype": capture.mimetype,
        "statuscode": str(capture.status),
    }
    return values[name]
