"""Which URL an article is stored under."""

from __future__ import annotations

from newsflow.canonical import canonical_url
from newsflow.registry import get_source

SOURCE = get_source("sana-en")
ARCHIVE = "https://archive.sana.sy/en/?p=92318"


def _page(href: str) -> str:
    return f'<html><head><link rel="canonical" href="{href}" /></head><body></body></html>'


def test_the_agency_canonical_folds_hosts_together() -> None:
    assert canonical_url(_page("https://sana.sy/en/?p=92318"), ARCHIVE, SOURCE) == (
        "https://sana.sy/en/?p=92318"
    )


def test_foreign_or_non_article_canonicals_are_ignored() -> None:
    assert canonical_url(_page("https://example.com/en/?p=92318"), ARCHIVE, SOURCE) == ARCHIVE
    assert canonical_url(_page("https://sana.sy/en/"), ARCHIVE, SOURCE) == ARCHIVE
    assert canonical_url("<html></html>", ARCHIVE, SOURCE) == ARCHIVE
