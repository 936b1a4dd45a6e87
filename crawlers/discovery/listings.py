"""Archive listing pages to discovered article URLs, dates and the next (older) page."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import dateparser
from newsflow.crawlers.discovery import Discovered, absolute_url
from parsel import Selector

from newsflow.registry import ListingMarkup

_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
# Day labels are short ("19 October", "14 мая 2024, 18:05"); dateparser takes seconds on long text.
_MAX_LABEL = 120


@dataclass(frozen=True, slots=True)
class ParsedListing:
    """The articles a listing page shows, newest first, and the link to the older page."""

    items: tuple[Discovered, ...]
    next_page: str | None = None


def parse_listing(
    body: str | bytes,
    base_url: str,
    markup: ListingMarkup,
    languages: Sequence[str] = ("en",),
    anchor: date | None = None,
) -> ParsedListing:
    """Read a listing with the registry's selectors; year-less days take their year from a
    month heading, else from ``anchor``, a day no item of the page is newer than (parse_day).

    The anchor is the page's, not the item above: a "most read" box in the same markup lists
    older items among newer ones, and chained from item to item it would drag every later
    item a year back. ``next_anchor`` gives the older page its anchor.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    page = Selector(text=text, base_url=base_url)
    # Keep the heading selectors alive: lxml hands out the same element proxies only then.
    heading_nodes = page.css(markup.month_heading) if markup.month_heading else []
    headings = {h.root for h in heading_nodes}
    query = f"{markup.item}, {markup.month_heading}" if markup.month_heading else markup.item
    items, heading = [], None
    for node in page.css(query):  # document order, so a heading precedes its items
        if node.root in headings:
            heading = " ".join(node.css("::text").getall()).strip()
            continue
        link = node.css(markup.link).get()
        url = absolute_url(base_url, link) if link else None
        if url:
            items.append(
                Discovered(url, _item_day(node, markup, heading, tuple(languages), anchor))
            )
    next_link = page.css(markup.next_page).get() if markup.next_page else None
    return ParsedListing(tuple(items), absolute_url(base_url, next_link) if next_link else None)


def next_anchor(items: Sequence[Discovered], anchor: date) -> date:
    """The anchor of the older page: this page's newest day (none of the older page's items
    is newer), or this page's own anchor when it gave no day."""
    days = [d for d in (i.day() for i in items) if d is not None and d <= anchor]
    return max(days, default=anchor)


def _item_day(
    node: Selector,
    markup: ListingMarkup,
    heading: str | None,
    languages: tuple[str, ...],
    anchor: date | None,
) -> date | None:
    if not markup.date:
        return None
    label = " ".join(t.strip() for t in node.css(markup.date).getall() if t.strip())
    return parse_day(label, heading, languages, anchor) if label else None


def parse_day(
    label: str,
    heading: str | None = None,
    languages: tuple[str, ...] = ("en",),
    anchor: date | None = None,
) -> date | None:
    """A listing's day label as a date; a year-less ``19 October`` takes the heading's year.

    With no heading, it takes the year that puts it on or before ``anchor``: listings run
    newest first, so an item is the latest such day not after the newest item above it. That
    holds while a page and the page above it span less than a year.
    """
    iso = _ISO_DAY.search(label)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:  # "2016-13-45": a broken date is no date, not a broken listing
            return None
    if len(label) > _MAX_LABEL:
        return None
    if _YEAR.search(label):
        return _parse_natural(label, languages)
    year = _YEAR.search(heading or "")
    if year:
        return _parse_natural(f"{label} {year[1]}", languages)
    if anchor is None:
        return None
    day = _parse_natural(f"{label} {anchor.year}", languages)
    if day is not None and day > anchor:
        day = _parse_natural(f"{label} {anchor.year - 1}", languages)
    return day


@lru_cache(maxsize=4096)
def _parse_natural(label: str, languages: tuple[str, ...]) -> date | None:
    # Listings repeat the same few day labels; dateparser is slow enough to cache.
    parsed = dateparser.parse(
        label,
        languages=list(languages),
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"},
    )
    return parsed.date() if parsed else None
