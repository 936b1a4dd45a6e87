"""Scrapy's fetch outcomes mapped to reason codes: one code per kind of fault, readable words."""

from __future__ import annotations

import pytest
from newsflow.crawlers.faults import Fault, charset_fault, fetch_fault
from newsflow.crawlers.middlewares import FetchRefused
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, TCPTimedOutError
from twisted.python.failure import Failure

from newsflow.failures import FailureCode

from .blockpages import (
    AKAMAI,
    AKAMAI_HEADERS,
    INCAPSULA,
    INCAPSULA_HEADERS,
    SUCURI,
    SUCURI_CHALLENGE,
    SUCURI_HEADERS,
)

URL = "https://sana.sy/en/?p=1"
CHALLENGE = b"<html><head><title>Just a moment...</title></head><body>Checking your browser</body>"
ARABIC = "أكد وزير الخارجية أن الحوار هو الطريق الوحيد لحل الأزمات في المنطقة. " * 4


def _http(status: int, body: bytes = b"<h1>Error</h1>", **headers: str) -> Failure:
    response = HtmlResponse(URL, status=status, body=body, headers=headers, request=Request(URL))
    return Failure(HttpError(response))


@pytest.mark.parametrize(
    ("failure", "code", "status"),
    [
        (_http(404), FailureCode.NOT_FOUND, 404),
        (_http(410), FailureCode.NOT_FOUND, 410),
        (_http(403), FailureCode.HTTP_4XX, 403),
        (_http(429), FailureCode.HTTP_4XX, 429),
        (_http(500), FailureCode.HTTP_5XX, 500),
        (_http(503), FailureCode.HTTP_5XX, 503),
        (_http(403, b"<p>x</p>", **{"cf-mitigated": "challenge"}), FailureCode.BLOCKED, 403),
        (_http(503, CHALLENGE), FailureCode.BLOCKED, 503),
        (Failure(DownloadTimeoutError("took longer than 2.0 seconds.")), FailureCode.TIMEOUT, None),
        (Failure(TCPTimedOutError()), FailureCode.TIMEOUT, None),
        (Failure(CannotResolveHostError("sana.sy")), FailureCode.CONNECTION, None),
        (Failure(ConnectionRefusedError()), FailureCode.CONNECTION, None),
        (Failure(DownloadCancelledError("")), FailureCode.TOO_LARGE, None),
        (Failure(IgnoreRequest("Forbidden by robots.txt")), FailureCode.ROBOTS, None),
        (
            Failure(FetchRefused(FailureCode.REDIRECT_LOOP, "loop", 302)),
            FailureCode.REDIRECT_LOOP,
            302,
        ),
        (Failure(ValueError("odd")), FailureCode.FETCH_ERROR, None),
    ],
)
def test_each_outcome_has_its_code(failure: Failure, code: FailureCode, status: int | None) -> None:
    fault = fetch_fault(failure)
    assert fault is not None
    assert (fault.code, fault.http_status) == (code, status)


def test_reasons_name_the_fault_without_the_mirror_address() -> None:
    expected = (
        "Expected to receive 3415883 bytes which is larger than download max size (1048576) "
        "in request <GET http://127.0.0.1:9/sana.sy/en/?p=1>."
    )
    assert fetch_fault(Failure(DownloadCancelledError(expected))) == Fault(
        FailureCode.TOO_LARGE,
        "response body of 3415883 bytes passes the download size limit (1048576 bytes)",
    )
    timeout = DownloadTimeoutError("Getting http://127.0.0.1:9/x took longer than 2.0 seconds.")
    assert fetch_fault(Failure(timeout)) == Fault(
        FailureCode.TIMEOUT, "timed out: no complete response within 2.0 seconds"
    )
    assert fetch_fault(_http(404)) == Fault(FailureCode.NOT_FOUND, "HTTP 404", 404)


def test_an_offsite_drop_is_policy_not_a_fault() -> None:
    assert fetch_fault(Failure(IgnoreRequest("Filtered offsite request to 'x.example'"))) is None


_HTML = {"Content-Type": "text/html"}


@pytest.mark.parametrize(
    ("status", "body", "headers", "vendor"),
    [
        (403, AKAMAI, AKAMAI_HEADERS, "Akamai"),
        (403, AKAMAI, _HTML, "Akamai"),  # relayed without the edge's name: the page says it
        (403, "<h1>Forbidden</h1>", {"Server": "AkamaiGHost"}, "Akamai"),  # the edge's own 403
        (403, SUCURI, SUCURI_HEADERS, "Sucuri"),
        (403, SUCURI, _HTML, "Sucuri"),
        (403, "", {"X-Sucuri-Block": "EVA079"}, "Sucuri"),
        (503, SUCURI_CHALLENGE, _HTML, "Sucuri"),
        (403, INCAPSULA, INCAPSULA_HEADERS, "Incapsula"),
        (200, INCAPSULA, _HTML, "Incapsula"),
    ],
    ids=[
        "akamai",
        "akamai-page",
        "akamai-header",
        "sucuri",
        "sucuri-page",
        "sucuri-header",
        "sucuri-challenge",
        "incapsula",
        "incapsula-200",
    ],
)
def test_bot_defence_vendors_are_blocked_by_their_headers_or_their_pages(
    status: int, body: str, headers: dict[str, str], vendor: str
) -> None:
    assert fetch_fault(_http(status, body.encode(), **headers)) == Fault(
        FailureCode.BLOCKED, f"blocked: {vendor} block page (HTTP {status})", status
    )


def test_ordinary_error_pages_behind_a_vendor_are_not_blocked() -> None:
    # Apache's own 403 also says "You don't have permission to access"; Incapsula's headers
    # come with every page it serves; an error Akamai's edge relays is the origin's.
    apache = (
        b"<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1>"
        b"<p>You don't have permission to access this resource.</p></body></html>"
    )
    assert fetch_fault(_http(403, apache, Server="Apache")) == Fault(
        FailureCode.HTTP_4XX, "HTTP 403", 403
    )
    forbidden = _http(403, b"<h1>Forbidden</h1>", **INCAPSULA_HEADERS)
    assert fetch_fault(forbidden) == Fault(FailureCode.HTTP_4XX, "HTTP 403", 403)
    gone = _http(404, b"<h1>Not Found</h1>", Server="AkamaiGHost")
    assert fetch_fault(gone) == Fault(FailureCode.NOT_FOUND, "HTTP 404", 404)


def test_a_body_that_contradicts_its_charset_is_a_charset_conflict() -> None:
    page = f"<html><head><meta charset='windows-1256'></head><body><p>{ARABIC}</p></body></html>"
    fault = charset_fault(page.encode("windows-1256"), "text/html; charset=utf-8")
    assert fault is not None
    assert fault.code is FailureCode.CHARSET_CONFLICT
    assert fault.reason.startswith(
        "charset conflict: the HTTP Content-Type header declares utf-8, which leaves "
    )
    assert fault.reason.endswith(
        " byte sequences undecodable; read as cp1256, as the page itself declares"
    )
    assert charset_fault(page.encode("utf-8"), "text/html; charset=utf-8") is None
    assert charset_fault(page.encode("windows-1256"), "text/html") is None  # as declared
