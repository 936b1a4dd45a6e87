"""A local replay of agency sites: recorded pages served on 127.0.0.1 by their original URL.

Each site directory holds a ``routes.json`` mapping original URLs to files, headers,
status codes and redirects. ``https://host/path?q`` is served at ``<base>/host/path?q``,
which is the mirror layout the crawler's ``base_url`` setting expects. Feeds answer
conditional GETs the way WordPress does (304 on a matching ETag or Last-Modified).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any

# The recorded sites ship with the package (newsflow.sites ← tests/fixtures/sites) for the demo.
SITES_DIR = Path(str(files("newsflow.sites")))
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """What the replay answers for one original URL."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer: a slow host (SANA's archive), for timeouts


@dataclass(frozen=True)
class Hit:
    """One request the replay received (for tests and the demo summary)."""

    url: str
    status: int
    headers: dict[str, str]
    at: float = field(default_factory=time.time)  # when it arrived: a host's pace, measured


def load_routes(sites_dir: Path = SITES_DIR) -> dict[str, Route]:
    """Every route of every site under ``sites_dir``, keyed by original URL."""
    routes: dict[str, Route] = {}
    for routes_file in sorted(sites_dir.glob("*/routes.json")):
        routes.update(_site_routes(routes_file))
    return routes


def _site_routes(routes_file: Path) -> dict[str, Route]:
    spec = json.loads(routes_file.read_text(encoding="utf-8"))
    site = routes_file.parent
    routes: dict[str, Route] = {}
    for include in spec.get("include", []):
        included = json.loads((site / include).read_text(encoding="utf-8"))
        spec.setdefault("routes", []).extend(included.get("routes", []))
    for entry in spec.get("routes", []):
        body = (site / entry["file"]).read_bytes() if "file" in entry else b""
        headers = dict(entry.get("headers", {}))
        delay = float(entry.get("delay", 0.0))
        routes[entry["url"]] = Route(entry.get("status", 200), body, headers, delay)
    for entry in spec.get("redirects", []):
        routes.setdefault(
            entry["from"], Route(entry.get("status", 301), b"", {"Location": entry["to"]})
        )
    return routes


class ReplayServer:
    """Serves recorded routes on 127.0.0.1 in a background thread."""

    def __init__(self, routes: dict[str, Route], port: int = 0, delay: float = 0.0) -> None:
        self.routes = routes
        self.delay = delay  # seconds before each answer: a slow site, for tests that race a crawl
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"replay": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def hits_for(self, url: str) -> list[Hit]:
        """Requests received for one original URL."""
        with self._lock:
            return [h for h in self.hits if h.url == url]


class _Handler(BaseHTTPRequestHandler):
    replay: ReplayServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle's algorithm the body then waits for
    # the client's delayed ACK of the headers, about 40 ms on every keep-alive answer.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        url = "https://" + self.path.lstrip("/")
        route = self.replay.routes.get(url) or self.replay.routes.get(_http_variant(url))
        route = route or Route(
            404,
            b"<html><body><h1>Not Found</h1></body></html>",
            {"Content-Type": "text/html; charset=UTF-8"},
        )
        delay = self.replay.delay + route.delay
        if route.status == 200 and _not_modified(route.headers, self.headers):
            route = Route(304, b"", {k: v for k, v in route.headers.items() if k == "ETag"})
        self.replay.record(Hit(url, route.status, dict(self.headers.items())))
        if delay:
            time.sleep(delay)
        try:
            self._send(route)
        except (BrokenPipeError, ConnectionResetError):
            # The client stopped waiting (its timeout, under test): no answer is owed.
            self.close_connection = True

    def _send(self, route: Route) -> None:
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("replay: " + format, *args)


def _http_variant(url: str) -> str:
    return "http://" + url.removeprefix("https://")


def _not_modified(route_headers: dict[str, str], request_headers: Any) -> bool:
    """WordPress feed semantics: 304 when the ETag or the Last-Modified date matches."""
    etag = route_headers.get("ETag")
    if etag and request_headers.get("If-None-Match") == etag:
        return True
    last_modified, since = (
        route_headers.get("Last-Modified"),
        request_headers.get("If-Modified-Since"),
    )
    if not (last_modified and since):
        return False
    try:
        return parsedate_to_datetime(since) >= parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
