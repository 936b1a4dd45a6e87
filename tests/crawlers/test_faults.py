"""Scrapy's fetch outcomes mapped to reason codes: one code per kind of fault, readable words."""

from __future__ import annotations

import pytest
from newsflow.crawlers.faults import Fault, fetch_fault
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

URL = "https://sana.sy/en/?p=1"
CHALLENGE = b"<html><head><title>Just a moment...</title></head><body>Checking your browser</body>"


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
