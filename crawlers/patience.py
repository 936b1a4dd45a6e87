"""The registry's patience applied to each request: its download timeout and retry policy.

The crawl settings (DOWNLOAD_TIMEOUT, RETRY_TIMES, RETRY_HTTP_CODES, RETRY_BACKOFF_BASE,
RETRY_BACKOFF_MAX; crawlers/settings.py) are the polite defaults. ``PatienceMiddleware`` lays
the crawled source's declaration over them for each request's host and hands the result on in
the request's meta: Scrapy's ``download_timeout`` and ``max_retry_times``, and the whole policy
as ``newsflow_patience`` for the retry middleware's codes and backoff. Nothing is written into
the crawl's settings, so one host's (or one source's) patience never reaches another's requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached

from newsflow.registry import Patience, Source

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

META = "newsflow_patience"
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The timeout and retries one request gets, every value settled."""

    download_timeout: float
    retries: int
    retry_http_codes: frozenset[int]
    backoff: float
    backoff_max: float

    @classmethod
    def from_settings(cls, settings: Any) -> FetchPolicy:
        """The crawl's defaults, as its Scrapy settings give them."""
        return cls(
            download_timeout=settings.getfloat("DOWNLOAD_TIMEOUT", 180.0),
            retries=settings.getint("RETRY_TIMES", 2),
            retry_http_codes=frozenset(int(c) for c in settings.getlist("RETRY_HTTP_CODES")),
            backoff=settings.getfloat("RETRY_BACKOFF_BASE", 2.0),
            backoff_max=settings.getfloat("RETRY_BACKOFF_MAX", 120.0),
        )

    def under(self, patience: Patience) -> FetchPolicy:
        """This policy with the values ``patience`` declares put in place."""
        codes = patience.retry_http_codes
        return FetchPolicy(
            download_timeout=_first(patience.download_timeout, self.download_timeout),
            retries=_first(patience.retries, self.retries),
            retry_http_codes=frozenset(codes) if codes is not None else self.retry_http_codes,
            backoff=_first(patience.backoff, self.backoff),
            backoff_max=_first(patience.backoff_max, self.backoff_max),
        )


def _first(declared: _T | None, default: _T) -> _T:
    return default if declared is None else declared


def policy_of(request: Request) -> FetchPolicy | None:
    """The policy ``PatienceMiddleware`` gave this request, if it went through it."""
    policy = request.meta.get(META)
    return policy if isinstance(policy, FetchPolicy) else None


class PatienceMiddleware:
    """Sets each request's timeout and retries from the source's patience for its host."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.defaults = FetchPolicy.from_settings(crawler.settings)
        self._by_host: dict[str, FetchPolicy] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read the crawl's defaults once; the source is asked per host as requests come."""
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        """Set (not default) the values: a redirect to another host must take that host's."""
        policy = self.policy_for(urlparse_cached(request).hostname or "")
        request.meta[META] = policy
        request.meta["download_timeout"] = policy.download_timeout
        request.meta["max_retry_times"] = policy.retries

    def policy_for(self, host: str) -> FetchPolicy:
        """The policy of requests to ``host``, worked out once per host."""
        if host not in self._by_host:
            source: Source | None = getattr(self.crawler.spider, "source", None)
            declared = source.patience(host) if source is not None else Patience()
            self._by_host[host] = self.defaults.under(declared)
        return self._by_host[host]
