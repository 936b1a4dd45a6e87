"""What counts as an edit: an article's versioned fields compared after normalisation.

A re-crawl is an edit only when the title, the body, the authors or the publication date say
something else. Whitespace, Unicode forms and case are folded; share and view counters, "read
also" teasers and follow/subscribe lines are page furniture and are left out of the body; a
page that lost its date (or gave it to the second instead of the minute) is no new date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from newsflow.dedup.normalise import fold, split_paragraphs, strip_boilerplate

# The fields whose change makes a new version, in the order they are reported.
VERSIONED = ("title", "body", "authors", "published_at")

_COUNT = r"\d[\d.,\s]*[kKmM]?"
_COUNTED = (
    r"shares?|views?|reads?|comments?|likes?|tweets?|reactions?|votes?"
    r"|просмотр\w*|комментари\w*|репост\w*|مشاهد\w*|تعليق\w*|مشارك\w*"
)
# A line that is only a counter: "1,234 shares", "Views: 5.2K", "Share 12 Tweet 3", "125".
_COUNTER = re.compile(
    rf"^(?:(?:{_COUNTED})\s*[:：]?\s*{_COUNT}|{_COUNT}\s*(?:{_COUNTED}))"
    rf"(?:[\s|·•,/-]+(?:(?:{_COUNTED})\s*[:：]?\s*{_COUNT}|{_COUNT}\s*(?:{_COUNTED})))*$"
    rf"|^[\d\s.,:|·•/-]+$",
    re.IGNORECASE,
)
# A teaser line pointing at another article: "Read also: …", "READ MORE - …", "See also …".
_TEASER = re.compile(
    r"^(?:read (?:also|more)|see also|also read|related(?: article| story)?|recommended"
    r"|читайте (?:также|тоже)|смотрите также|اقرأ أيضا|اقرأ أيضاً|إقرأ أيضا)\b\s*[:.\-–—]",
    re.IGNORECASE,
)
_TEASER_WORDS = 40  # a teaser names one headline; a longer paragraph is text


class Versioned(Protocol):
    """The fields of an article that versions keep (an ``Article`` or a stored row)."""

    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def authors(self) -> Sequence[str]: ...
    @property
    def published_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Comparable:
    """An article's versioned fields as compared: normalised, furniture out."""

    title: str
    body: tuple[str, ...]
    authors: tuple[str, ...]
    published_at: datetime | None


def comparable(article: Versioned) -> Comparable:
    """The normalised form two crawls of one article are compared in."""
    return Comparable(
        title=fold(article.title),
        body=comparable_body(article.body),
        authors=tuple(sorted({fold(a) for a in article.authors if a.strip()})),
        published_at=_to_minute(article.published_at),
    )


def comparable_body(body: str) -> tuple[str, ...]:
    """The body's paragraphs folded, without counters, teasers and follow/share lines."""
    paragraphs = strip_boilerplate(split_paragraphs(body))
    kept = (fold(p) for p in paragraphs if not _is_furniture(p))
    return tuple(p for p in kept if p)


def changed_fields(old: Versioned, new: Versioned) -> list[str]:
    """Which versioned fields differ between two crawls; empty when the article is the same.

    A new crawl without a date is not a changed date: dates are lost to markup changes far
    more often than taken back by editors.
    """
    before, after = comparable(old), comparable(new)
    changed = [name for name in VERSIONED[:3] if getattr(before, name) != getattr(after, name)]
    if after.published_at is not None and before.published_at != after.published_at:
        changed.append("published_at")
    return changed


def _is_furniture(paragraph: str) -> bool:
    text = paragraph.strip()
    if _COUNTER.match(text):
        return True
    return bool(_TEASER.match(text)) and len(text.split()) <= _TEASER_WORDS


def _to_minute(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(second=0, microsecond=0)


# A version row can also mark a change of presence: the article found removed (the row keeps
# what it said until then) or found again. ``changed_fields`` then holds one of these markers.
REMOVED = "removed"
RESTORED = "restored"


def removal_marker(reason: str) -> str:
    """The ``changed_fields`` entry of a removal: ``removed:not_found``."""
    return f"{REMOVED}:{reason}"


def removal_reason(changed: Sequence[str]) -> str | None:
    """The reason a version row marks a removal with, or None for other rows."""
    return next((c.split(":", 1)[1] for c in changed if c.startswith(REMOVED + ":")), None)
