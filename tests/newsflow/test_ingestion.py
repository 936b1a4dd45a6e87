"""One path from page to storable Article: canonical identity and source defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsflow.ingestion import article_from_page
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import get_source

SANA = Path(__file__).resolve().parents[1] / "fixtures" / "sites" / "sana"


def _page(url: str, body: bytes) -> FetchedPage:
    return FetchedPage(
        url=url,
        final_url=url,
        status=200,
        kind=PageKind.ARTICLE,
        fetched_at=datetime.now(UTC),
        body=body,
        headers={"Content-Type": "text/html; charset=UTF-8"},
    )


def test_an_archive_copy_is_stored_under_its_canonical_url() -> None:
    body = (SANA / "generated" / "article_p92371.html").read_bytes()
    article = article_from_page(
        _page("https://archive.sana.sy/en/?p=92371", body), get_source("sana-en")
    )
    assert article is not None
    assert (article.url, article.source, article.language) == (
        "https://sana.sy/en/?p=92371",
        "sana-en",
        "en",
    )


def test_an_undated_page_takes_the_listing_time_marked_as_such() -> None:
    body = b"""<html><head><title>Ministers meet</title></head><body><article>
    <h1>Ministers meet in Damascus</h1>
    <p>Damascus, SANA - Ministers met on Tuesday to discuss the reconstruction plan for the
    coming year, officials said after the meeting in the capital.</p>
    <p>The plan covers roads, schools and hospitals in several provinces, the statement said,
    adding that work will start in the spring.</p></article></body></html>"""
    listed = datetime(2016, 10, 19, 9, 0, tzinfo=UTC)
    article = article_from_page(
        _page("https://sana.sy/en/?p=1", body), get_source("sana-en"), listed
    )
    assert article is not None
    assert article.published_at == listed
    assert article.provenance["published_at"] == "discovery"
