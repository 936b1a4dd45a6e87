"""Downloader middlewares: agency offsite policy, conditional GET, retry backoff, refusals.

A refusal (redirect loop, too many redirects, a redirect off the agency's hosts or to an
address that is not http(s), a body past the size limit once decompressed) raises
``FetchRefused``: an ``IgnoreRequest`` that names its reason code, so the spider's errback
records it instead of Scrapy dropping it silently. HTTP redirects and ``<meta>`` refreshes
are refused alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsflow.crawlers.patience import policy_of
from newsflow.db.session import session_scope
from newsflow.db.store import feed_validators
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import (
    BaseRedirectMiddleware,
    MetaRefreshMiddleware,
    RedirectMiddleware,
)
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import get_meta_refresh, response_status_message
from sqlalchemy.exc import SQLAlchemyError

from newsflow.failures import FailureCode

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)
CONDITIONAL_KINDS = frozenset({"feed", "sitemap"})


class AgencyOffsiteMiddleware(OffsiteMiddleware):
    """Only the agency's own hosts (``Source.owns_host``); the rest is dropped and counted."""

    def should_follow(self, request: Request, spider: Spider) -> bool:
        """Whether the request's host belongs to the spider's agency."""
        source = getattr(spider, "source", None)
        if source is None:
            return super().should_follow(request, spider)
        return source.owns_host(urlparse_cached(request).hostname or "")

    def process_request(self, request: Request) -> None:  # type: ignore[override]
        """Drop offsite requests, counting them for the run report."""
        try:
            super().process_request(request)
        except IgnoreRequest:
            self.stats.inc_value("newsflow/offsite_dropped")
            raise


class FetchRefused(IgnoreRequest):
    """A response deliberately not used; ``code`` is the failure's reason code."""

    def __init__(self, code: FailureCode, reason: str, http_status: int | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.http_status = http_status


_WEB_SCHEMES = frozenset({"http", "https"})
_Follow = Callable[[Request, Response], "Request | Response"]


class _AgencyRedirects(BaseRedirectMiddleware):
    """What both redirect middlewares refuse by name: loops, over-long chains, hops off the
    agency, and targets that are not http(s).

    Scrapy itself drops the first three unrecorded: the hop limit as a bare IgnoreRequest, a
    loop and an offsite target later, at scheduling, by the dupe filter and the offsite
    filter. A ``file:`` or ``javascript:`` target it declines to follow, handing on the
    redirect response itself as if it were the page (a 301 then failed as ``http_4xx``).
    """

    def _checked(self, request: Request, response: Response, follow: _Follow) -> Any:
        try:
            result = follow(request, response)
        except FetchRefused:
            raise
        except IgnoreRequest as exc:  # Scrapy's only other refusal here: the hop limit
            reason = f"more than {self.max_redirect_times} redirects; last hop {request.url}"
            raise FetchRefused(FailureCode.TOO_MANY_REDIRECTS, reason, response.status) from exc
        if isinstance(result, Request):
            self._refuse_loops_and_offsite(result, response.status)
        return result

    def _build_redirect_request(
        self, source_request: Request, response: Response, *, url: str, **kwargs: Any
    ) -> Request:
        # Where Scrapy builds each redirect it means to follow, before it checks the scheme.
        if urlsplit(url).scheme.lower() not in _WEB_SCHEMES and self._follows(response):
            reason = f"redirected to an address that is not http(s), not fetched: {url[:300]}"
            raise FetchRefused(FailureCode.OFFSITE_REDIRECT, reason, response.status)
        return super()._build_redirect_request(source_request, response, url=url, **kwargs)

    def _follows(self, response: Response) -> bool:
        """Whether the redirect in this response is one to follow (not a slow refresh)."""
        return True

    def _refuse_loops_and_offsite(self, redirected: Request, status: int) -> None:
        chain = redirected.meta.get("redirect_urls", [])
        if redirected.url in chain:
            hops = " -> ".join([*chain, redirected.url])
            reason = f"redirect loop: {hops}"[:1000]
            raise FetchRefused(FailureCode.REDIRECT_LOOP, reason, status)
        source = getattr(self.crawler.spider, "source", None)
        host = urlparse_cached(redirected).hostname or ""
        if source is not None and not source.owns_host(host):
            reason = f"redirected off the agency's hosts to {redirected.url}"
            raise FetchRefused(FailureCode.OFFSITE_REDIRECT, reason, status)


class AgencyRedirectMiddleware(_AgencyRedirects, RedirectMiddleware):
    """Scrapy's HTTP redirects (3xx with Location), refusing by name as ``_AgencyRedirects``."""

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        """Follow the redirect unless it loops, goes on too long or leaves the agency."""
        return self._checked(request, response, super().process_response)


class AgencyMetaRefreshMiddleware(_AgencyRedirects, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, refused by name like HTTP ones.

    A refresh to the page's own address is a reload, not a redirect: the page is kept (Scrapy
    would follow it into its dupe filter, and the page would vanish unrecorded).
    """

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        """Follow the refresh unless it reloads, loops, goes on too long or leaves the agency."""
        if self._refresh(response)[1] == request.url:
            return response
        return self._checked(request, response, super().process_response)

    def _follows(self, response: Response) -> bool:
        interval = self._refresh(response)[0]
        return interval is not None and interval < self._maxdelay

    def _refresh(self, response: Response) -> tuple[float | None, str | None]:
        # Scrapy keeps each response's parsed refresh, so asking again costs nothing.
        if not isinstance(response, HtmlResponse):
            return None, None
        return get_meta_refresh(response, ignore_tags=self._ignore_tags)


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, whose size-limit refusal (a gzip bomb, a huge page) is named."""

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        """Decompress the body; past DOWNLOAD_MAXSIZE, refuse it as ``decompression_limit``."""
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:  # raised only when decompression passes the limit
            # Scrapy's words carry the sizes: "its body (… B compressed, … B decompressed
            # so far) exceeded DOWNLOAD_MAXSIZE (… B) during decompression."
            reason = "decompression limit: " + str(exc).split(" because ", 1)[-1]
            raise FetchRefused(FailureCode.DECOMPRESSION_LIMIT, reason, response.status) from exc


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to feed and sitemap requests from stored state."""

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Switched off with NEWSFLOW_CONDITIONAL_GET = False."""
        if not crawler.settings.getbool("NEWSFLOW_CONDITIONAL_GET", True):
            raise NotConfigured
        return cls(crawler.settings.get("NEWSFLOW_DATABASE_URL"))

    def process_request(self, request: Request) -> None:
        """Attach the stored validators; a failed lookup only costs a full download."""
        if request.meta.get("newsflow_kind") not in CONDITIONAL_KINDS:
            return
        if request.meta.get("newsflow_unconditional"):
            return
        try:
            with session_scope(self.database_url) as session:
                etag, last_modified = feed_validators(session, request.url)
        except SQLAlchemyError as exc:
            log.warning("no conditional GET for %s: %s", request.url, exc)
            return
        if etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = etag
        if last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = last_modified


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry (5xx, 429, timeouts) with exponential backoff before each new attempt.

    A request's own policy (the source's patience for its host, crawlers/patience.py) names
    its retry codes and backoff; without one the crawl's settings do.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        """Retry like Scrapy does, after waiting (honouring Retry-After when longer)."""
        policy = policy_of(request)
        codes = policy.retry_http_codes if policy else self.retry_http_codes
        result: Request | Response = response
        if response.status in codes and not request.meta.get("dont_retry", False):
            result = self._retry(request, response_status_message(response.status)) or response
        if isinstance(result, Request):
            await self._wait(result, _retry_after(response))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        """Retry timeouts and connection errors after a backoff."""
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result, 0.0)
        return result

    async def _wait(self, retry: Request, at_least: float) -> None:
        attempt = retry.meta.get("retry_times", 1)
        policy = policy_of(retry)
        base, cap = (policy.backoff, policy.backoff_max) if policy else (self.base, self.cap)
        delay = backoff_delay(attempt, base, cap, at_least)
        if delay > 0:
            # Imported late: importing the reactor installs one, and Scrapy picks which.
            from twisted.internet import reactor, task

            log.info("retrying %s in %.1fs (attempt %d)", retry.url, delay, attempt)
            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))


def backoff_delay(attempt: int, base: float, cap: float, at_least: float = 0.0) -> float:
    """Seconds before retry ``attempt`` (1, 2, …): base, 2·base, 4·base … up to ``cap``."""
    return min(cap, max(at_least, base * 2 ** (attempt - 1)))


def _retry_after(response: Response) -> float:
    value = response.headers.get(b"Retry-After")
    try:
        return float(value) if value else 0.0
    except ValueError:
        return 0.0  # an HTTP date; the exponential backoff is a fair stand-in
