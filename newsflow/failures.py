"""Stable reason codes for the ``failures`` table: what went wrong, in one word a query can use.

The human ``reason`` text says the details (sizes, statuses, URLs); the code is the part
reports, alerts and dashboards group by, so its values never change once released.
"""

from __future__ import annotations

from enum import StrEnum


class FailureCode(StrEnum):
    """Why a URL yielded no stored page or article."""

    # Fetch: the response was refused by a limit or policy.
    TOO_LARGE = "too_large"  # body beyond DOWNLOAD_MAXSIZE as sent
    DECOMPRESSION_LIMIT = "decompression_limit"  # body beyond the limit once decompressed
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    OFFSITE_REDIRECT = "offsite_redirect"  # a redirect leaving the agency's hosts
    ROBOTS = "robots"  # forbidden by robots.txt
    # Fetch: the server or the network failed.
    BLOCKED = "blocked"  # a bot challenge or wall, whatever its HTTP status
    NOT_FOUND = "not_found"  # 404 / 410
    HTTP_4XX = "http_4xx"
    HTTP_5XX = "http_5xx"
    TIMEOUT = "timeout"
    CONNECTION = "connection"  # DNS, refused, reset, incomplete response
    FETCH_ERROR = "fetch_error"  # any other download error (the reason names it)
    # Fetch: the response was used, but contradicted itself (the article is still stored).
    CHARSET_CONFLICT = "charset_conflict"  # declared charset overruled by the body's evidence
    # After the fetch.
    PARSE = "parse"  # a feed, sitemap or listing could not be read
    NOT_ARTICLE = "not_article"  # a page at an article URL that holds no article
    EXTRACTION_ERROR = "extraction_error"  # the extractor raised
    STORE_ERROR = "store_error"  # the database refused the write
    ENRICH_ERROR = "enrich_error"  # an enricher raised on a stored article
    # Extraction or an enricher took more time or memory than one article may (newsflow/budget.py).
    BUDGET_EXCEEDED = "budget_exceeded"


_STAGE_DEFAULTS = {
    "fetch": FailureCode.FETCH_ERROR,
    "parse": FailureCode.PARSE,
    "extract": FailureCode.NOT_ARTICLE,
    "store": FailureCode.STORE_ERROR,
    "enrich": FailureCode.ENRICH_ERROR,
}


def default_code(stage: str) -> FailureCode:
    """The code of a failure at ``stage`` when nothing more precise is known."""
    return _STAGE_DEFAULTS.get(stage, FailureCode.FETCH_ERROR)


def http_status_code(status: int) -> FailureCode:
    """The code of a final HTTP error status (after retries)."""
    if status in (404, 410):
        return FailureCode.NOT_FOUND
    if 500 <= status < 600:
        return FailureCode.HTTP_5XX
    return FailureCode.HTTP_4XX
