"""Pure discovery parsers: feeds, sitemaps and listings to lists of article URLs with dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Discovered:
    """A URL found while discovering, with the date the discovery page gave it (if any)."""

    url: str
    date: dt.datetime | dt.date | None = None

    def day(self, tz: dt.tzinfo | None = None) -> dt.date | None:
        """The discovery date as a calendar day in ``tz`` (feeds give instants, listings days)."""
        if isinstance(self.date, dt.datetime):
            aware = tz is not None and self.date.tzinfo is not None
            return (self.date.astimezone(tz) if aware else self.date).date()
        return self.date


def in_window(
    found: Discovered, since: dt.date | None, until: dt.date | None, tz: dt.tzinfo | None = None
) -> bool:
    """Whether a discovered URL may fall inside [since, until]; undated URLs always may."""
    day = found.day(tz)
    if day is None:
        return True
    return (since is None or day >= since) and (until is None or day <= until)


__all__ = ["Discovered", "in_window"]
