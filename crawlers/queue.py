"""The discovery queue's one rule: which failures leave a listed URL queued for a later run."""

from __future__ import annotations

from newsflow.failures import FailureCode, default_code

# Failures that say nothing about the URL itself: the server, the network or the database
# had a bad moment, so a later run may well succeed. Every other failure is final.
PASSING = frozenset(
    {
        FailureCode.HTTP_5XX,
        FailureCode.TIMEOUT,
        FailureCode.CONNECTION,
        FailureCode.FETCH_ERROR,
        FailureCode.STORE_ERROR,
    }
)
PASSING_STATUSES = frozenset({408, 425, 429})  # timeout, too early, too many requests


def worth_retrying(stage: str, code: str | None, http_status: int | None = None) -> bool:
    """Whether a URL that failed this way should be fetched again by a later run."""
    if http_status in PASSING_STATUSES:
        return True
    return (code or default_code(stage)) in PASSING  # a StrEnum member equals its value
