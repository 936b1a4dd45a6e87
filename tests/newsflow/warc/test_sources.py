"""Which source a capture is an article of: --source, our own metadata, else host and URL shape."""

from __future__ import annotations

from newsflow.registry import get_source, load_registry
from newsflow.warc.sources import SourceMatcher, Unmatched

OURS = {"newsflow-source": "sana-ar", "newsflow-page-kind": "article"}


def test_host_and_article_patterns_pick_the_edition() -> None:
    match = SourceMatcher(load_registry()).match
    assert match("https://sana.sy/en/?p=92385", {}) == get_source("sana-en")
    assert match("https://archive.sana.sy/?p=462137", {}) == get_source("sana-ar")
    assert match("https://sana.sy/en/?cat=106", {}) is Unmatched.NOT_ARTICLE_URL
    assert match("https://example.org/en/?p=1", {}) is Unmatched.UNKNOWN_HOST


def test_our_own_metadata_names_source_and_kind() -> None:
    match = SourceMatcher(load_registry()).match
    assert match("https://sana.sy/en/?p=1", OURS) == get_source("sana-ar")
    feed = OURS | {"newsflow-page-kind": "feed"}
    assert match("https://sana.sy/?feed=rss2", feed) is Unmatched.NOT_ARTICLE_PAGE
    assert match("https://sana.sy/en/?p=1", {"newsflow-source": "gone-xx"}) == get_source("sana-en")


def test_a_chosen_source_takes_every_capture() -> None:
    match = SourceMatcher(load_registry(), get_source("tass-en")).match
    assert match("https://mirror.example/anything", {}) == get_source("tass-en")
    assert match("https://sana.sy/en/?p=1", OURS) == get_source("tass-en")
