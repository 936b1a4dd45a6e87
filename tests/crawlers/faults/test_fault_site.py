"""Every fault recorded: a crawl of the fault site stores the good articles, records each
failure with its reason code, and runs to completion (on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from newsflow.crawlers.run import crawl_in_subprocess
from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import select

from newsflow.registry import REGISTRY_PATH_ENV

from .conftest import ARABIC, ARABIC_TITLE, CHAIN_HOPS, LIMIT, SITE, FaultSite

STORED = "stored"
# What each URL the feed lists must come to: a stored article or a failure's code.
EXPECTED = {
    "/news/ok": STORED,
    "/news/arabic": STORED,
    "/news/renamed": STORED,  # a redirect within the agency is followed
    "/news/bomb": "decompression_limit",
    "/news/huge": "too_large",  # Content-Length beyond the limit: refused before the body
    "/news/huge-unsized": "too_large",  # no Content-Length: cut off as it streams in
    "/news/chain/0": "too_many_redirects",
    "/news/loop-a": "redirect_loop",
    "/news/moved": "offsite_redirect",
    "/news/challenge": "blocked",  # 403 with cf-mitigated: challenge
    "/news/challenge-503": "blocked",  # the page says it, not a header
    "/news/challenge-200": "blocked",
    "/news/forbidden": "http_4xx",
    "/news/gone": "not_found",
    "/news/broken": "http_5xx",
    "/news/slow": "timeout",
    "/news/hang-up": "connection",
    "/news/section": "not_article",  # a listing where an article was expected
    "/private/memo": "robots",
}


def _crawl(database_url: str, site: FaultSite, registry: Path) -> int:
    env = {
        "NEWSFLOW_DATABASE_URL": database_url,
        "NEWSFLOW_BASE_URL": site.base_url,
        REGISTRY_PATH_ENV: str(registry),
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "NEWSFLOW_CRAWL__CONCURRENT_PER_HOST": "4",  # the slow routes wait side by side
        "NEWSFLOW_CRAWL__TIMEOUT": "2",
        "NEWSFLOW_CRAWL__RETRY_TIMES": "1",
        "NEWSFLOW_CRAWL__RETRY_BACKOFF": "0",
        "NEWSFLOW_CRAWL__MAX_RESPONSE_BYTES": str(LIMIT),
    }
    return crawl_in_subprocess("faults-en", None, env=env, timeout=60)


def _outcomes(database_url: str) -> tuple[dict[str, str | None], dict[str, tuple[str, str]]]:
    """Each URL's outcome (a failure code or STORED), and the stored (title, body) by URL."""
    failure, article, page = models.Failure, models.Article, models.Page
    with session_scope(database_url) as session:
        failures = session.execute(select(failure.url, failure.code)).all()
        # Articles by the URL the feed listed (their page's), not their canonical URL.
        articles = session.execute(
            select(page.url, article.title, article.body).join(page, article.page_id == page.id)
        ).all()
    outcome = {url.removeprefix(SITE): code for url, code in failures}
    outcome.update({url.removeprefix(SITE): STORED for url, _, _ in articles})
    return outcome, {url.removeprefix(SITE): (title, body) for url, title, body in articles}


def test_every_fault_is_recorded_with_its_code_and_the_run_completes(
    database_url: str, fault_site: FaultSite, fault_registry: Path
) -> None:
    assert _crawl(database_url, fault_site, fault_registry) == 0
    outcome, articles = _outcomes(database_url)
    print("\n".join(f"{SITE}{path} -> {code}" for path, code in sorted(outcome.items())))
    assert outcome == EXPECTED
    assert articles["/news/arabic"] == (ARABIC_TITLE, "\n\n".join(ARABIC))
    with session_scope(database_url) as session:
        ((status, counts),) = session.execute(
            select(models.CrawlRun.status, models.CrawlRun.counts)
        ).all()
    assert (status, counts["articles_new"], counts["blocked"]) == ("completed", 3, 3)
    assert fault_site.hits["/news/broken"] >= 2  # retried before it was recorded
    assert fault_site.hits.get(f"/news/chain/{CHAIN_HOPS}", 0) == 0  # stopped at the hop limit
