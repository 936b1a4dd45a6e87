"""A fault site on 127.0.0.1: every way a fetch goes wrong, next to two good articles.

It answers in the mirror layout the crawler's ``base_url`` expects
(``https://faults.example/p`` is served at ``<base>/faults.example/p``), like the replay.
Big bodies are generated here, never committed: a gzip bomb of spaces and a long page of
prose, each sized against the small download limit the fault test sets.
"""

from __future__ import annotations

import random
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ..blockpages import (
    AKAMAI,
    AKAMAI_HEADERS,
    INCAPSULA,
    INCAPSULA_HEADERS,
    SUCURI,
    SUCURI_HEADERS,
)

HOST = "faults.example"
SITE = f"https://{HOST}"
LIMIT = 1024 * 1024  # the test's DOWNLOAD_MAXSIZE
CHAIN_HOPS = 30
SLOW_SECONDS = 3.0  # beyond the test's 2 s download timeout

ARABIC_TITLE = "وزير الخارجية يؤكد أهمية الحوار لحل الأزمات في المنطقة"
ARABIC = (
    "أكد وزير الخارجية والمغتربين أن سوريا ماضية في إعادة بناء مؤسساتها وتعزيز علاقاتها مع الدول"
    " الشقيقة والصديقة، مشيراً إلى أن الحوار هو الطريق الوحيد لحل الأزمات في المنطقة.",
    "وأضاف الوزير خلال مؤتمر صحفي عقده اليوم في دمشق أن الحكومة تعمل على تحسين الخدمات الأساسية"
    " للمواطنين في جميع المحافظات، وأن خطة إعادة الإعمار تشمل المدارس والمستشفيات والطرق.",
    "ولفت إلى أن الوزارة تتابع أوضاع المواطنين في الخارج وتعمل على تسهيل عودتهم، داعياً المجتمع"
    " الدولي إلى رفع الإجراءات الاقتصادية التي تعرقل جهود التعافي وتحرم الأسر من احتياجاتها.",
)
ENGLISH_TITLE = "Harbour reopens after a week of storms"
ENGLISH = (
    "The port authority reopened the main harbour on Tuesday after a week of storms that kept "
    "fishing boats and ferries at their moorings along the whole coast.",
    "Officials said divers had inspected the breakwater and found only minor damage, and that "
    "the ferry service to the islands would run on its summer timetable from Thursday.",
    "Fishermen welcomed the news but said the lost week would be felt in the markets, where "
    "prices for fresh fish had already doubled since the first storm warnings.",
)
CHALLENGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<h1>Checking your browser before accessing faults.example</h1>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)
# Arabic articles served as windows-1256 under a header that says UTF-8 (a server default
# over an old CMS), one declaring its real charset in a <meta>, one declaring nothing.
MISLABELLED_TITLE = "الحكومة تعلن خطة جديدة لتأهيل المدارس والمستشفيات في المحافظات"
UNDECLARED_TITLE = "افتتاح طريق جديد يربط المحافظات الشمالية بالعاصمة دمشق"


@dataclass(frozen=True)
class Answer:
    """What the fault site sends for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    sized: bool = True  # False: no Content-Length, the body ends when the connection closes
    delay: float = 0.0
    hang_up: bool = False  # close the connection without answering


class FaultSite:
    """Serves the fault routes on 127.0.0.1 in a background thread and counts the hits."""

    def __init__(self, routes: dict[str, Answer]) -> None:
        self.routes = routes
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def hit(self, path: str) -> None:
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    def __enter__(self) -> FaultSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the crawler hangs up on purpose: timeouts, size limits


class _Handler(BaseHTTPRequestHandler):
    site: FaultSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.removeprefix(f"/{HOST}")
        self.site.hit(path)
        answer = self.site.routes.get(path) or Answer(404, b"<h1>Not Found</h1>", _HTML)
        if answer.hang_up:
            self.close_connection = True
            return
        time.sleep(answer.delay)
        try:
            self._send(answer)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the crawler gave up first (the slow page)

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.sized:
            self.send_header("Content-Length", str(len(answer.body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


_HTML = {"Content-Type": "text/html; charset=utf-8"}
_TEXT = {"Content-Type": "text/plain"}


def article_html(title: str, paragraphs: tuple[str, ...], lang: str, head: str = "") -> str:
    """A plain news article page, declared as one (og:type, published time)."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{head}<title>{title}</title>'
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2024-03-12T09:30:00+03:00">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def listing_html() -> str:
    """A section front: forty headlines linking to articles, no article of its own."""
    items = "".join(
        f'<li><h3><a href="{SITE}/news/story-{n}">Storm update number {n} from the coast</a>'
        "</h3></li>"
        for n in range(40)
    )
    head = "<head><title>Coast news</title></head>"
    return f"<!DOCTYPE html><html>{head}<body><ul>{items}</ul></body></html>"


def gzip_bomb(size: int) -> bytes:
    """``size`` bytes of spaces, gzipped (about a thousandth of ``size``), built in chunks."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1024 * 1024)
    parts = [packer.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*parts, packer.flush()])


def long_prose_gzipped(size: int) -> bytes:
    """A real-looking page of ``size`` bytes of varied words, gzipped (roughly 4:1)."""
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(5000)]
    text = " ".join(rng.choices(words, k=size // 6))
    page = f"<html><head><title>Annual report</title></head><body><p>{text}</p></body></html>"
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    return packer.compress(page.encode()) + packer.flush()


def _redirect(to: str, status: int = 301) -> Answer:
    return Answer(status, b"", {"Location": to})


def _refresh(to: str) -> Answer:
    """A page that sends the reader on at once with a ``<meta http-equiv="refresh">``."""
    page = (
        f'<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0; url={to}">'
        "<title>Redirecting</title></head><body><p>Redirecting…</p></body></html>"
    )
    return Answer(200, page.encode(), _HTML)


def _mislabelled(title: str, head: str) -> Answer:
    body = article_html(title, ARABIC, "ar", head).encode("windows-1256")
    return Answer(200, body, {"Content-Type": "text/html; charset=utf-8"})


def fault_routes() -> dict[str, Answer]:
    """Every route of the fault site, by path."""
    gzipped = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    prose = long_prose_gzipped(6 * LIMIT)
    assert len(prose) > LIMIT  # beyond the limit as sent
    bomb = gzip_bomb(64 * LIMIT)
    assert len(bomb) < LIMIT  # within the limit as sent, far beyond it decompressed
    arabic = article_html(ARABIC_TITLE, ARABIC, "ar", '<meta charset="windows-1256">')
    routes = {
        "/robots.txt": Answer(200, b"User-agent: *\nDisallow: /private/\n", _TEXT),
        "/news/ok": Answer(200, article_html(ENGLISH_TITLE, ENGLISH, "en").encode(), _HTML),
        "/news/arabic": Answer(200, arabic.encode("windows-1256"), {"Content-Type": "text/html"}),
        "/news/arabic-mislabelled": _mislabelled(
            MISLABELLED_TITLE, '<meta charset="windows-1256">'
        ),
        "/news/arabic-undeclared": _mislabelled(UNDECLARED_TITLE, ""),
        "/news/renamed": _redirect(f"{SITE}/news/renamed-target"),
        "/news/renamed-target": Answer(
            200, article_html(ENGLISH_TITLE + " again", ENGLISH, "en").encode(), _HTML
        ),
        "/news/bomb": Answer(200, bomb, gzipped),
        "/news/huge": Answer(200, prose, gzipped),
        "/news/huge-unsized": Answer(200, prose, gzipped, sized=False),
        "/news/chain/0": _redirect(f"{SITE}/news/chain/1"),
        "/news/loop-a": _redirect(f"{SITE}/news/loop-b", 302),
        "/news/loop-b": _redirect(f"{SITE}/news/loop-a", 302),
        "/news/moved": _redirect("https://elsewhere.example/news/moved"),
        "/news/passwd": _redirect("file:///etc/passwd"),
        "/news/refresh-away": _refresh("https://elsewhere.example/news/refreshed"),
        "/news/refresh-file": _refresh("file:///etc/passwd"),
        "/news/refresh-loop-a": _refresh("/news/refresh-loop-b"),
        "/news/refresh-loop-b": _refresh(f"{SITE}/news/refresh-loop-a"),
        "/news/challenge": Answer(403, CHALLENGE.encode(), {**_HTML, "cf-mitigated": "challenge"}),
        "/news/challenge-503": Answer(503, CHALLENGE.encode(), _HTML),
        "/news/challenge-200": Answer(200, CHALLENGE.encode(), _HTML),
        "/news/akamai": Answer(403, AKAMAI.encode(), AKAMAI_HEADERS),
        "/news/sucuri": Answer(403, SUCURI.encode(), SUCURI_HEADERS),
        "/news/incapsula": Answer(200, INCAPSULA.encode(), INCAPSULA_HEADERS),
        "/news/forbidden": Answer(403, b"<h1>Forbidden</h1>", _HTML),
        "/news/gone": Answer(404, b"<h1>Not Found</h1>", _HTML),
        "/news/broken": Answer(500, b"<h1>Internal Server Error</h1>", _HTML),
        "/news/slow": Answer(200, b"<p>too late</p>", _HTML, delay=SLOW_SECONDS),
        "/news/hang-up": Answer(hang_up=True),
        "/news/section": Answer(200, listing_html().encode(), _HTML),
        "/private/memo": Answer(200, article_html(ENGLISH_TITLE, ENGLISH, "en").encode(), _HTML),
    }
    for hop in range(1, CHAIN_HOPS + 1):
        routes[f"/news/chain/{hop}"] = _redirect(f"{SITE}/news/chain/{hop + 1}")
    routes["/feed.xml"] = Answer(200, _feed(routes), {"Content-Type": "application/rss+xml"})
    return routes


def _listed(path: str) -> bool:
    # Everything an article URL can be, except the hops a redirect leads through.
    if path.startswith("/news/chain/"):
        return path == "/news/chain/0"
    return path.startswith(("/news/", "/private/")) and path not in _ONLY_REDIRECTED_TO


_ONLY_REDIRECTED_TO = {"/news/renamed-target", "/news/loop-b", "/news/refresh-loop-b"}


def _feed(routes: dict[str, Answer]) -> bytes:
    items = "".join(
        f"<item><title>{p}</title><link>{SITE}{p}</link></item>" for p in routes if _listed(p)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Faults</title><link>{SITE}/</link>{items}</channel></rss>"
    ).encode()


AGENCY_TOML = f"""
id = "faults"
name = "Fault site"
homepage = "{SITE}/"
timezone = "UTC"
domains = ["{HOST}"]
crawl_delay = 0.0

[editions.en]
language = "en"
feeds = ["{SITE}/feed.xml"]
article_patterns = ['^https://faults\\.example/(news|private)/']
"""


@pytest.fixture(scope="session")
def fault_site() -> Iterator[FaultSite]:
    """The fault site, served on 127.0.0.1 for the test session."""
    with FaultSite(fault_routes()) as site:
        yield site


@pytest.fixture
def fault_registry(tmp_path: Path) -> Path:
    """A registry directory holding the fault site's agency (source ``faults-en``)."""
    directory = tmp_path / "registry"
    directory.mkdir()
    (directory / "faults.toml").write_text(AGENCY_TOML, encoding="utf-8")
    return directory
