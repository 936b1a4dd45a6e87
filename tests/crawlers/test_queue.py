"""Which failures leave a listed URL queued for a later run."""

from __future__ import annotations

import pytest
from newsflow.crawlers.queue import worth_retrying

from newsflow.failures import FailureCode


@pytest.mark.parametrize(
    ("stage", "code", "status"),
    [
        ("fetch", FailureCode.TIMEOUT, None),
        ("fetch", FailureCode.CONNECTION, None),
        ("fetch", FailureCode.HTTP_5XX, 503),
        ("fetch", FailureCode.HTTP_4XX, 429),
        ("fetch", None, None),  # an unnamed download error
        ("store", FailureCode.STORE_ERROR, None),
    ],
)
def test_passing_failures_are_retried(stage: str, code: str | None, status: int | None) -> None:
    assert worth_retrying(stage, code, status)


@pytest.mark.parametrize(
    ("stage", "code", "status"),
    [
        ("fetch", FailureCode.NOT_FOUND, 404),
        ("fetch", FailureCode.NOT_FOUND, 410),
        ("fetch", FailureCode.HTTP_4XX, 403),
        ("fetch", FailureCode.BLOCKED, 403),
        ("fetch", FailureCode.TOO_LARGE, None),
        ("fetch", FailureCode.DECOMPRESSION_LIMIT, None),
        ("fetch", FailureCode.REDIRECT_LOOP, None),
        ("fetch", FailureCode.TOO_MANY_REDIRECTS, None),
        ("fetch", FailureCode.OFFSITE_REDIRECT, 301),
        ("fetch", FailureCode.ROBOTS, None),
        ("extract", FailureCode.NOT_ARTICLE, 200),
        ("extract", FailureCode.EXTRACTION_ERROR, 200),
        ("extract", None, 200),
    ],
)
def test_final_failures_settle_the_url(stage: str, code: str | None, status: int | None) -> None:
    assert not worth_retrying(stage, code, status)
