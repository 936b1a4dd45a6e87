"""Pure discovery parsers: feeds, sitemaps and listings to lists of article URLs with dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urljoin


@dataclass(frozen=True, slots=True)
class Discovered:
    """A URL found while discovering, with the date the discovery page gave it (if any)."""

    url: str
    date: dt.datetime | dt.date | None = None
    # When the page last changed, as a sitemap <lastmod> or a feed <updated> says: a known URL
    # whose date moved past its last fetch is fetched again (an edit).
    modified: dt.datetime | dt.date | None = None
    # The date is only that last change (a sitemap's lastmod without a publication date).
    changed_only: bool = False

    def day(self, tz: dt.tzinfo | None = None) -> dt.date | None:
        """The discovery date as a calendar day in ``tz`` (feeds give instants, listings days)."""
        if isinstance(self.date, dt.datetime):
            aware = tz is not None and self.date.tzinfo is not None
            return (self.date.astimezone(tz) if aware else self.date).date()
        return self.date


def in_window(
    found: Discovered, since: dt.date | None, until: dt.date | None, tz: dt.tzinfo | None = None
) -> bool:
    """Whether a discovered URL may fall inside [since, until]; undated URLs always may.

    A date that is only the page's last change (a sitemap's lastmod with no publication date)
    bounds the publication from above alone: an article edited after the window may still
    have been published in it, so only a change before the window rules it out.
    """
    day = found.day(tz)
    if day is None:
        return True
    return (since is None or day >= since) and (until is None or day <= until or found.changed_only)


def absolute_url(base_url: str, link: str) -> str | None:
    """``link`` resolved against ``base_url``; None when it cannot be a web page's address."""
    try:
        url = urljoin(base_url, link.strip())
    except ValueError:  # e.g. an unclosed IPv6 host, "http://[::1"; one bad link, not the page
        return None
    return url if url.startswith(("http://", "https://")) else None


__all__ = ["Discovered", "absolute_url", "in_window"]
