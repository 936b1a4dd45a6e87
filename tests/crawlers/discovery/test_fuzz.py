"""Fuzzing the discovery parsers: random and damaged feeds, sitemaps and listing pages.

Each parser may fail only the documented way, the way the agency spider catches: a feed with
FeedError, a sitemap with ValueError or SyntaxError, a listing never. What they return must
be usable by the spider as is (absolute URLs, comparable dates). Time per input is bounded
by the hypothesis profile's deadline (tests/conftest.py); memory by the last test.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from newsflow.crawlers.discovery import Discovered
from newsflow.crawlers.discovery.feeds import FeedError, ParsedFeed, parse_feed
from newsflow.crawlers.discovery.listings import ParsedListing, parse_listing
from newsflow.crawlers.discovery.sitemaps import ParsedSitemap, parse_sitemap, select_children

from newsflow.registry import get_source
from newsflow.replay import SITES_DIR

Mutated = Callable[[Sequence[bytes]], st.SearchStrategy[bytes]]

_XML = [
    p.read_bytes()
    for pattern in ("*/pages/*.xml", "sana/recorded/*.xml")
    for p in sorted(SITES_DIR.glob(pattern))
]
FEEDS = [x for x in _XML if b"<rss" in x or b"<feed" in x]
SITEMAPS = [x for x in _XML if b"<urlset" in x or b"<sitemapindex" in x]
# Recorded listing pages and the source whose registry markup reads them.
LISTINGS = {
    "anadolu-en": ["anadolu/pages/politics_page1.html", "anadolu/pages/politics_page2.html"],
    "irna-en": ["irna/pages/archive_pi1.html", "irna/pages/archive_pi2.html"],
    "ria-ru": ["ria/pages/politics.html", "ria/pages/politics_more.html"],
    "sana-en": ["sana/recorded/category_cat106.html", "sana/generated/archive_paged1.html"],
    "sana-ar": ["sana/recorded/archive_cat106_paged2793.html"],
    "tass-en": ["tass/pages/politics_listing.html", "tass/pages/politics_listing_page2.html"],
    "xinhua-en": ["xinhua/pages/china_index.htm", "xinhua/pages/old_english_china_list.htm"],
}
BASE = "https://agency.example/news/"
CONTENT_TYPES = ("application/rss+xml; charset=UTF-8", "text/html", "text/xml; charset=koi8-r", "")
# Text that lands in a URL or date field: anything, and the shapes that broke parsers.
FIELD = st.sampled_from(
    ["http://[::1", "//", "javascript:void(0)", "2016-13-45", "0000-00-00T00:00:00", "\x00"]
) | st.text(max_size=80)


def test_the_recorded_documents_are_found() -> None:
    assert len(FEEDS) >= 6 and len(SITEMAPS) >= 6
    assert all((SITES_DIR / p).exists() for pages in LISTINGS.values() for p in pages)


def _check_feed(body: bytes, content_type: str = "application/xml") -> None:
    try:
        feed = parse_feed(body, BASE, content_type)
    except FeedError:
        return
    assert isinstance(feed, ParsedFeed)
    _check_found(feed.items)
    dates = [i.date for i in feed.items if i.date is not None]
    assert all(isinstance(d, datetime) and d.tzinfo for d in dates)  # instants, comparable
    assert feed.newest is None or isinstance(feed.newest, datetime)


def _check_sitemap(body: bytes) -> None:
    try:
        sitemap = parse_sitemap(body, BASE)
    except (ValueError, SyntaxError):
        return
    assert isinstance(sitemap, ParsedSitemap)
    _check_found(sitemap.entries)
    # What the spider does with them: the newest lastmod, and a backfill's month selection.
    max((e.date for e in sitemap.entries if isinstance(e.date, datetime)), default=None)
    select_children(sitemap.entries, date(2016, 10, 1), date(2016, 10, 31))
    for entry in sitemap.entries:
        entry.day(timezone(timedelta(hours=3)))


def _check_found(found: Sequence[Discovered]) -> None:
    for item in found:
        assert isinstance(item.url, str) and item.url.startswith(("http://", "https://"))
        assert item.date is None or isinstance(item.date, date)


@given(st.binary(max_size=4096), st.sampled_from(CONTENT_TYPES))
def test_random_bytes_as_a_feed(body: bytes, content_type: str) -> None:
    _check_feed(body, content_type)


@given(data=st.data())
def test_damaged_recorded_feeds(mutated: Mutated, data: st.DataObject) -> None:
    _check_feed(data.draw(mutated(FEEDS)), data.draw(st.sampled_from(CONTENT_TYPES)))


@given(st.sampled_from(FEEDS), st.floats(0, 1))
def test_entity_bombs_in_recorded_feeds(billion_laughs: bytes, feed: bytes, where: float) -> None:
    # One line, as attackers write them: feedparser's own guard misses those (see feeds.py).
    at = int(len(feed) * where)
    _check_feed(billion_laughs + feed[:at] + b"&e9;" + feed[at:])


@given(
    st.sampled_from(FEEDS),
    st.sampled_from(
        [b"&#x110000;", b"&#xD800;", b"&#55357;&#56832;", b"&#55357", b"&#" + b"9" * 30]
    ),
    st.floats(0, 1),
)
def test_references_to_no_character_in_recorded_feeds(
    feed: bytes, ref: bytes, where: float
) -> None:
    # Expat rejects them; feedparser's fallback parser then raised (emoji as surrogate pairs).
    at = int(len(feed) * where)
    _check_feed(feed[:at] + ref + feed[at:])


def test_a_feed_body_naming_a_local_file_is_not_read(tmp_path: Path) -> None:
    local = tmp_path / "feed.xml"
    local.write_bytes(FEEDS[0])
    with pytest.raises(FeedError):
        parse_feed(str(local).encode(), BASE)


@given(st.sampled_from(["rss", "atom"]), st.lists(st.tuples(FIELD, FIELD), max_size=5))
@example("rss", [("http://[::1", "Mon, 01 Jan 0001 00:00:00 +0100")])
@example("atom", [("/a", "9999-12-31T23:59:59-12:00")])
@example("atom", [("/a", "0001-01-01T00:00:00+14:00")])
def test_generated_feeds(kind: str, entries: list[tuple[str, str]]) -> None:
    _check_feed(_feed(kind, entries))


def _feed(kind: str, entries: list[tuple[str, str]]) -> bytes:
    esc = _xml_text
    if kind == "rss":
        items = "".join(
            f"<item><link>{esc(link)}</link><pubDate>{esc(day)}</pubDate></item>"
            for link, day in entries
        )
        return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    items = "".join(
        f'<entry><link href="{esc(link)}"/><updated>{esc(day)}</updated></entry>'
        for link, day in entries
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{items}</feed>'.encode()


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


@given(st.binary(max_size=4096))
@example(b"\x1f\x8b")
@example(b"\x1f\x8b\x08\x00garbage")
def test_random_bytes_as_a_sitemap(body: bytes) -> None:
    _check_sitemap(body)


@given(data=st.data())
def test_damaged_recorded_sitemaps(mutated: Mutated, data: st.DataObject) -> None:
    body = data.draw(mutated(SITEMAPS))
    if data.draw(st.booleans()):  # served gzipped, whole or cut short
        body = gzip.compress(body)
        body = body[: data.draw(st.integers(0, len(body)))]
    _check_sitemap(body)


@given(
    st.sampled_from(["urlset", "sitemapindex", "news"]),
    st.lists(st.tuples(FIELD, FIELD), max_size=5),
)
@example("urlset", [("/a", "2016-10-19T15:42:10"), ("/b", "2016-10-19T15:42:10+03:00")])
@example("news", [("http://[::1", "2016-10-19")])
def test_generated_sitemaps(kind: str, entries: list[tuple[str, str]]) -> None:
    _check_sitemap(_sitemap(kind, entries))


def _sitemap(kind: str, entries: list[tuple[str, str]]) -> bytes:
    esc = _xml_text
    root, node = ("sitemapindex", "sitemap") if kind == "sitemapindex" else ("urlset", "url")
    stamp = "news:news><news:publication_date" if kind == "news" else "lastmod"
    close = "news:publication_date></news:news" if kind == "news" else "lastmod"
    nodes = "".join(
        f"<{node}><loc>{esc(loc)}</loc><{stamp}>{esc(day)}</{close}></{node}>"
        for loc, day in entries
    )
    return (
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{nodes}</{root}>'
    ).encode()


def _check_listing(body: bytes | str, source_id: str) -> None:
    source = get_source(source_id)
    assert source.agency.listing is not None
    languages = tuple(dict.fromkeys((source.language, "en")))
    listing = parse_listing(body, BASE, source.agency.listing, languages)
    assert isinstance(listing, ParsedListing)
    _check_found(listing.items)
    assert listing.next_page is None or listing.next_page.startswith(("http://", "https://"))


@given(data=st.data())
def test_damaged_recorded_listings(mutated: Mutated, data: st.DataObject) -> None:
    source_id = data.draw(st.sampled_from(sorted(LISTINGS)))
    pages = [(SITES_DIR / p).read_bytes() for p in LISTINGS[source_id]]
    _check_listing(data.draw(mutated(pages)), source_id)


@given(st.lists(st.tuples(FIELD, FIELD), max_size=5), FIELD)
@example([("/a/1", "2016-13-45")], "/page/2")
@example([("http://[::1", "14 May")], "http://[::1")
@example([("/a/1", "May 14 " * 2000)], "")
def test_generated_listings(items: list[tuple[str, str]], next_page: str) -> None:
    # TASS's markup: items are article.news-preview cards, the date a <time datetime>.
    cards = "".join(
        f'<article class="news-preview"><a class="news-preview__link" href="{_xml_text(link)}">'
        f'x</a><time datetime="{_xml_text(day)}">{_xml_text(day)}</time></article>'
        for link, day in items
    )
    more = f'<nav class="pagination"><a rel="next" href="{_xml_text(next_page)}">more</a></nav>'
    _check_listing(f'<div class="news-list">{cards}</div>{more}', "tass-en")


@given(st.text(max_size=2000))
def test_random_text_as_a_listing(text: str) -> None:
    _check_listing(text, "sana-en")


BOMBS = """
import gzip
from newsflow.crawlers.discovery.feeds import FeedError, parse_feed
from newsflow.crawlers.discovery.listings import parse_listing
from newsflow.crawlers.discovery.sitemaps import parse_sitemap
from newsflow.registry import get_source

bomb = {bomb!r}
split = b'<?xml version="1.0"?>\\n' + bomb.replace(b">", b">\\n")  # feedparser's line-start case
rss = b'<rss version="2.0"><channel><item><link>/a&e9;</link></item></channel></rss>'
for body in (bomb, split):
    try:
        parse_feed(body + rss, "https://agency.example/")
    except FeedError:
        pass
for body in (bomb + b"<urlset><url><loc>/a&e9;</loc></url></urlset>",
             gzip.compress(b" " * 200 * 1024 * 1024)):
    try:
        parse_sitemap(body, "https://agency.example/")
    except (ValueError, SyntaxError):
        pass
parse_listing(bomb + b"<html><body><p>&e9;</p></body></html>", "https://agency.example/",
              get_source("sana-en").agency.listing)
"""


def test_entity_and_gzip_bombs_stay_small(
    billion_laughs: bytes, child_peak_mib: Callable[[str], int]
) -> None:
    peak_mib = child_peak_mib(BOMBS.format(bomb=billion_laughs))
    assert peak_mib < 600, f"peak memory {peak_mib} MiB"
