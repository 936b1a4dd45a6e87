"""A small synchronous HTTP client with the crawler's manners, for looks outside a crawl.

``newsflow sources add`` and ``sources check --live`` ask a site a handful of questions before
any crawl exists. They keep to what the Scrapy crawl would do: its user agent, robots.txt read
once per host (Protego, Scrapy's own parser), the larger of the agency's and robots.txt's
crawl delay between two requests to one host, the mirror (``base_url``) when one is set, the
response size cap, and redirects followed only while they stay on the site's hosts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx
from newsflow.crawlers.mirror_urls import from_mirror, to_mirror
from protego import Protego
from sqlalchemy.exc import SQLAlchemyError

from newsflow.page import FetchedPage, PageKind
from newsflow.registry import Patience
from newsflow.settings import get_settings

log = logging.getLogger(__name__)

# Scrapy's DEFAULT_REQUEST_HEADERS, so the site answers as it will answer the crawl.
ACCEPT = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
}
MAX_REDIRECTS = 5


class RequestBudgetSpent(RuntimeError):
    """The client made as many requests as it was allowed; a look must stay a handful."""


@dataclass(frozen=True)
class Answer:
    """What one GET brought: the page as received, or why there is none."""

    url: str
    page: FetchedPage | None = None
    problem: str | None = None  # unreachable, refused by robots.txt, too large, off-site redirect
    redirects: tuple[str, ...] = field(default=())

    @property
    def status(self) -> int:
        return self.page.status if self.page else 0

    @property
    def ok(self) -> bool:
        return self.page is not None and self.page.status == 200

    @property
    def final_url(self) -> str:
        return self.page.final_url if self.page else self.url

    def text(self) -> str:
        """The body decoded as the pipeline decodes pages; empty when nothing came."""
        return self.page.text if self.page else ""


class PoliteClient:
    """GETs that obey robots.txt and the crawl delay; one host at a time, as the crawl does."""

    def __init__(
        self,
        owns_host: Callable[[str], bool],
        crawl_delay: float = 5.0,
        base_url: str | None = None,
        max_requests: int = 100,
        paced_in: str | None = None,
        patience: Callable[[str], Patience] | None = None,
    ) -> None:
        """``paced_in``: a database URL whose ``host_pace`` this client shares with the crawls
        (crawlers/pace.py), as the probe before a crawl does; None keeps its own pace (`sources
        add` looks at a site before any database knows it). ``patience``: the source's registry
        patience by host (``Source.patience``), whose download timeout replaces the setting's.
        """
        crawl = get_settings().crawl
        self.patience = patience
        self.timeout = crawl.timeout
        self.owns_host = owns_host
        self.base_url = base_url if base_url is not None else get_settings().base_url
        self.delay = crawl.delay_override if crawl.delay_override is not None else crawl_delay
        self.obey_robots = crawl.obey_robots_txt
        self.max_bytes = crawl.max_response_bytes
        self.max_requests = max_requests
        self.agent = crawl.user_agent
        self.requests: list[str] = []  # every URL asked for, robots.txt included
        self.robots: dict[str, Protego] = {}
        self.robots_answers: dict[str, Answer] = {}
        self._last: dict[str, float] = {}
        self._explicit_delay = crawl.delay_override is not None
        self._paced_in = paced_in if crawl.shared_pace else None
        self._pace_failed = False
        self._client = httpx.Client(
            headers={"User-Agent": self.agent, **ACCEPT},
            timeout=crawl.timeout,
            follow_redirects=False,  # followed here, so each hop is checked against the site
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        kind: PageKind = PageKind.LISTING,
        headers: dict[str, str] | None = None,
        follow: bool = True,
    ) -> Answer:
        """GET ``url``, following on-site redirects unless told not to (the answer is then the
        redirect itself); robots.txt is read first for each host. ``headers``: conditional-GET
        validators and the like, sent with the first request."""
        hops: list[str] = []
        current = url
        while True:
            refusal = self._refusal(current)
            if refusal:
                return Answer(url, problem=refusal, redirects=tuple(hops))
            answer = self._fetch(current, url, kind, headers if not hops else None)
            location = answer.page.header("Location") if answer.page else None
            redirected = 300 <= answer.status < 400 and location
            if answer.page is None or not redirected or not follow:
                return Answer(url, answer.page, answer.problem, tuple(hops))
            target = urljoin(current, location)
            if len(hops) >= MAX_REDIRECTS or target in hops:
                return Answer(url, answer.page, f"redirect loop at {target}", tuple(hops))
            hops.append(target)
            current = target

    def robots_txt(self, url: str) -> Protego | None:
        """The host's robots.txt rules (fetched once), or None when the host has none."""
        origin = _origin(url)
        if origin not in self.robots:
            answer = self._fetch(f"{origin}/robots.txt", f"{origin}/robots.txt", PageKind.ROBOTS)
            self.robots_answers[origin] = answer
            text = answer.text() if answer.ok else ""
            self.robots[origin] = Protego.parse(text)
            asked = self.robots[origin].crawl_delay(self.agent)
            if asked and not self._explicit_delay:
                self.delay = max(self.delay, float(asked))  # robots.txt only raises the delay
        return self.robots[origin] if self.robots_answers[origin].ok else None

    def robots_answer(self, url: str) -> Answer:
        """How the host of ``url`` answered for its robots.txt (read once)."""
        self.robots_txt(url)
        return self.robots_answers[_origin(url)]

    def _refusal(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"{url} is not an http(s) address"
        if not self.owns_host(parts.hostname or ""):
            return f"{url} is off the site (not fetched)"
        if not self.obey_robots:
            return None
        self.robots_txt(url)
        rules = self.robots[_origin(url)]
        return None if rules.can_fetch(url, self.agent) else f"robots.txt disallows {url}"

    def _fetch(
        self, url: str, listed: str, kind: PageKind, headers: dict[str, str] | None = None
    ) -> Answer:
        if len(self.requests) >= self.max_requests:
            raise RequestBudgetSpent(f"more than {self.max_requests} requests")
        host = urlsplit(url).netloc
        self._wait(host, urlsplit(url).hostname or host)
        address = to_mirror(url, self.base_url) if self.base_url else url
        self.requests.append(url)
        try:
            timeout = self._timeout(urlsplit(url).hostname or host)
            with self._client.stream("GET", address, headers=headers, timeout=timeout) as response:
                body = b"".join(self._capped(response.iter_bytes()))
                headers = dict(response.headers.items())
                status = response.status_code
        except _TooLarge:
            return Answer(listed, problem=f"{url} is larger than {self.max_bytes} bytes")
        except httpx.HTTPError as exc:
            return Answer(listed, problem=f"{url}: {type(exc).__name__}: {exc or 'no answer'}")
        finally:
            self._last[host] = time.monotonic()
        if self.base_url and "location" in headers:
            headers["location"] = from_mirror(headers["location"], self.base_url)
        fetched = datetime.now(UTC)
        return Answer(listed, FetchedPage(listed, url, status, kind, fetched, body, headers))

    def _timeout(self, host: str) -> float:
        # A slow host (SANA's archive) answers a look as slowly as it answers the crawl.
        declared = self.patience(host).download_timeout if self.patience else None
        return declared or self.timeout

    def _capped(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
            yield chunk

    def _wait(self, host: str, name: str) -> None:
        """Wait for ``host``'s turn (``name``: the host without its port, as paced)."""
        if self.delay > 0 and self._paced_in is not None and not self._pace_failed:
            from newsflow.crawlers.pace import pace_key, reserve  # Scrapy's: only when paced

            try:
                time.sleep(max(0.0, reserve(self._paced_in, pace_key(name), self.delay).left()))
                return
            except SQLAlchemyError as exc:  # the database away: keep this client's own pace
                log.warning("host pace unavailable (%s); pacing %s alone", exc, host)
                self._pace_failed = True
        last = self._last.get(host)
        pause = 0.0 if last is None else last + self.delay - time.monotonic()
        if pause > 0:
            time.sleep(pause)


class _TooLarge(Exception):
    pass


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
