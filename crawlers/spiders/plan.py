"""What a crawl asks for: modes, window parsing and listing URLs from registry templates."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsflow.registry import Listing

# A revisit fetches only stored articles due for a check (the registry's revisit policy);
# a web-archive backfill lists its window's articles from the archive's index, not the site.
MODES = ("scheduled", "backfill", "revisit", "web-archive")


def parse_day(value: Any) -> date | None:
    """A window bound from a spider argument (ISO ``2016-10-01``) or a date."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"not an ISO date: {value!r} (use YYYY-MM-DD)") from None


def listing_urls(listing: Listing, since: date | None, until: date | None) -> list[str]:
    """The newest page of a listing; date archives get one page per month, newest first."""
    if listing.kind != "date":
        return [listing.url.format(page=listing.first_page)]
    last = until or since or date.today()
    first = since or last
    urls = []
    for year, month in _months_back(last, first):
        urls.append(
            listing.url.format(
                page=listing.first_page,
                yyyy=f"{year:04d}",
                mm=f"{month:02d}",
                yyyymm=f"{year:04d}{month:02d}",
            )
        )
    return urls


def _months_back(newest: date, oldest: date) -> list[tuple[int, int]]:
    year, month, months = newest.year, newest.month, []
    while (year, month) >= (oldest.year, oldest.month):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months
