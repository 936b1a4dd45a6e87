"""Pure discovery parsers: feeds, sitemaps and listings to lists of article URLs with dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo


@dataclass(frozen=True, slots=True)
class Discovered:
    """A URL found while discovering, with the date the discovery page gave it (if any)."""

    url: str
    date: datetime | date | None = None

    def day(self, tz: tzinfo | None = None) -> date | None:
        """The discovery date as a calendar day in ``tz`` (feeds give instants, listings days)."""
        if isinstance(self.date, datetime):
            aware = tz is not None and self.date.tzinfo is not None
            return (self.date.astimezone(tz) if aware else self.date).date()
        return self.date


def in_window(
    found: Discovered, since: date | None, until: date | None, tz: tzinfo | None = None
) -> bool:
    """Whether a discovered URL may fall inside [since, until]; undated URLs always may."""
    day = found.day(tz)
    if day is None:
        return True
    return (since is None or day >= since) and (until is None or day <= until)


__all__ = ["Discovered", "in_window"]
