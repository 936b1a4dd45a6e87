"""Why a request failed, as a stable reason code and words: Scrapy's outcomes mapped once.

Also the one fault of a response that is still used: a body contradicting its charset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsflow.crawlers.middlewares import FetchRefused
from newsflow.crawlers.verdicts import block_reason
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from newsflow.charset import charset_conflict, decode_document
from newsflow.failures import FailureCode, http_status_code

_TIMEOUTS = (DownloadTimeoutError, tx.TimeoutError, tx.TCPTimedOutError)
_CONNECTION = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
    ResponseFailed,
    tx.ConnectError,
    tx.ConnectionLost,
    tx.ConnectionDone,
)
_TOOK_LONGER = re.compile(r"took longer than ([\d.]+) seconds")
_MAXSIZE = re.compile(r"(\d+) bytes which is larger than download max size \((\d+)\)")
# Challenge pages are small; a big error body is the site's own error page.
_CHALLENGE_BODY_LIMIT = 256 * 1024


@dataclass(frozen=True, slots=True)
class Fault:
    """A failed fetch as a failure row carries it."""

    code: FailureCode
    reason: str
    http_status: int | None = None


def fetch_fault(failure: Failure) -> Fault | None:
    """The fault behind a request errback; None for a drop that is policy (offsite links)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return http_fault(exc.response)
    if isinstance(exc, FetchRefused):
        return Fault(exc.code, str(exc), exc.http_status)
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in str(exc):
            return Fault(FailureCode.ROBOTS, "forbidden by robots.txt")
        return None
    if isinstance(exc, DownloadCancelledError):
        return Fault(FailureCode.TOO_LARGE, _too_large_reason(str(exc)))
    if isinstance(exc, _TIMEOUTS):  # before _CONNECTION: a TCP timeout is a ConnectError
        return Fault(FailureCode.TIMEOUT, _timeout_reason(exc))
    if isinstance(exc, _CONNECTION):
        return Fault(FailureCode.CONNECTION, f"connection failed: {_described(exc)}")
    return Fault(FailureCode.FETCH_ERROR, _described(exc))


def http_fault(response: Response) -> Fault:
    """An HTTP error status after retries; a bot defence's answer is ``blocked``, any status."""
    status = response.status
    blocked = _blocked(response)
    if blocked is not None:
        return Fault(FailureCode.BLOCKED, f"{blocked} (HTTP {status})", status)
    return Fault(http_status_code(status), f"HTTP {status}", status)


def charset_fault(body: bytes, content_type: str | None) -> Fault | None:
    """A body that contradicts its declared charset (and was read by the evidence), if so."""
    conflict = charset_conflict(body, content_type)
    if conflict is None:
        return None
    return Fault(FailureCode.CHARSET_CONFLICT, f"charset conflict: {conflict}")


def _blocked(response: Response) -> str | None:
    """Why a bot defence, not the site, answered (``blocked: …``): by a header, else the page."""
    by_header = _blocked_by_header(response)
    if by_header is not None or len(response.body) > _CHALLENGE_BODY_LIMIT:
        return by_header
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    return block_reason(decode_document(response.body, content_type)[1], response.url)


def _blocked_by_header(response: Response) -> str | None:
    # Cloudflare names its challenges and Sucuri its firewall's blocks in a header; Akamai's
    # edge names itself as the server when it answers a request itself, and a 403 it answers
    # itself is its refusal (an origin's own 403 passes through under the origin's name).
    headers = response.headers
    if (headers.get(b"cf-mitigated") or b"").lower() == b"challenge":
        return "blocked: JavaScript challenge page"
    if headers.get(b"X-Sucuri-Block"):
        return "blocked: Sucuri block page"
    server = (headers.get(b"Server") or b"").lower()
    if response.status == 403 and server.startswith(b"akamaighost"):
        return "blocked: Akamai block page"
    return None


def _too_large_reason(message: str) -> str:
    # Scrapy's message names the request by the address actually fetched (a mirror's, say);
    # the sizes are what matters.
    match = _MAXSIZE.search(message)
    if match is None:
        return "response body larger than the download size limit"
    return f"response body of {match[1]} bytes passes the download size limit ({match[2]} bytes)"


def _timeout_reason(exc: BaseException) -> str:
    match = _TOOK_LONGER.search(str(exc))
    seconds = f" within {match[1]} seconds" if match else ""
    return f"timed out: no complete response{seconds}"


def _described(exc: BaseException) -> str:
    # Twisted's ResponseFailed wraps a list of failures; their messages are the story.
    reasons = getattr(exc.__cause__, "reasons", None) or getattr(exc, "reasons", None)
    if reasons:
        return "; ".join(f"{r.type.__name__}: {r.getErrorMessage()}" for r in reasons)
    return f"{type(exc).__name__}: {exc}".strip(": ")
