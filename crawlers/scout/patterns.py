"""Article URL patterns learnt from URLs known to be articles (what feeds and sitemaps list).

URLs are grouped by shape (host, number of path segments, query keys); each group large
enough to be a habit of the site becomes one regular expression in which a segment every
member shares stays literal, a segment of digits becomes ``\\d+`` (``\\d{4}`` when all have four)
and anything else becomes a slug. Non-article addresses the site also shows (sections, tags,
static pages) are then kept out by a negative look-ahead on their first segment.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlsplit

# A group must hold this share of the article URLs to earn a pattern: one odd URL in a feed
# (a live blog, a gallery) is no habit.
MIN_SHARE = 0.1
MAX_PATTERNS = 3
# A value this share of a group shares is the site's habit; the rest are outliers.
DOMINANT = 0.8
SLUG = r"[^/?#]+"
_ID_SLUG = re.compile(r"^\d+[-_]")
_DIGITS = re.compile(r"^\d+$")


def learn_patterns(articles: Sequence[str], others: Iterable[str] = ()) -> list[str]:
    """Regexes matching ``articles`` (most of them) and none of ``others`` that can be avoided."""
    groups: dict[tuple[str, int, tuple[str, ...]], list[_Shape]] = defaultdict(list)
    for url in dict.fromkeys(articles):
        shape = _Shape.of(url)
        if shape is not None:
            groups[shape.key].append(shape)
    needed = max(2, int(MIN_SHARE * len(articles))) if len(articles) > 2 else 1
    ranked = sorted(groups.values(), key=len, reverse=True)
    patterns = [_pattern(members) for members in ranked if len(members) >= needed]
    known = set(articles)
    others = [o for o in others if o not in known]
    used = {_first_segment(a) for a in known}
    return [_avoiding(p, others, used) for p in patterns[:MAX_PATTERNS]]


class _Shape:
    """A URL cut into what a pattern is made of."""

    def __init__(self, netloc: str, segments: list[str], slash: bool, query: list[tuple[str, str]]):
        self.netloc, self.segments, self.slash, self.query = netloc, segments, slash, query

    @property
    def key(self) -> tuple[str, int, tuple[str, ...]]:
        return self.netloc, len(self.segments), tuple(k for k, _ in self.query)

    @classmethod
    def of(cls, url: str) -> _Shape | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        segments = [s for s in parts.path.split("/") if s]
        query = parse_qsl(parts.query, keep_blank_values=True)
        return cls(parts.netloc.lower(), segments, parts.path.endswith("/"), query)


def _pattern(members: list[_Shape]) -> str:
    first = members[0]
    path = ""
    for i in range(len(first.segments)):
        members = _dominant(members, [m.segments[i] for m in members])
        path += "/" + _segment([m.segments[i] for m in members])
    query = []
    for i, (key, _) in enumerate(first.query):
        members = _dominant(members, [m.query[i][1] for m in members])
        query.append(f"{_escape(key)}={_segment([m.query[i][1] for m in members])}")
    ending = "/?" if not first.segments or any(m.slash for m in members) else ""
    tail = r"\?" + "&".join(query) if query else ""
    return rf"^https?://{_escape(first.netloc)}{path}{ending}{tail}$"


def _dominant(members: list[_Shape], values: list[str]) -> list[_Shape]:
    """The members sharing the value nearly all of them have here (outliers left out), or all."""
    value, count = Counter(values).most_common(1)[0]
    if len(members) > 2 and count >= DOMINANT * len(members) and not _DIGITS.match(value):
        return [m for m, v in zip(members, values, strict=True) if v == value]
    return members


def _segment(values: list[str]) -> str:
    """One path segment (or query value) as the members show it."""
    if all(_DIGITS.match(v) for v in values):
        # Numbers move with time (ids, years), so none is kept literal; dates keep their width.
        return rf"\d{{{len(values[0])}}}" if _date_part(values) else r"\d+"
    if len(set(values)) == 1 and len(values) > 1:
        return _escape(values[0])
    suffix = _common_suffix(values)
    stem = rf"\d+[-_]{SLUG}" if all(_ID_SLUG.match(v) for v in values) else SLUG
    if suffix:
        stem = stem.replace(SLUG, r"[^/?#]+?")
    return stem + _escape(suffix)


def _date_part(values: list[str]) -> bool:
    """Whether the numbers are years, months or days, or YYYYMMDD days (ids grow, dates don't)."""
    width = len(values[0])
    if any(len(v) != width for v in values) or len(values) < 2:
        return False
    numbers = [int(v) for v in values]
    if width == 8:
        numbers = [n // 10000 for n in numbers]
        width = 4
    return (width == 4 and all(1990 <= n <= 2100 for n in numbers)) or (
        width == 2 and all(1 <= n <= 31 for n in numbers)
    )


def _common_suffix(values: list[str]) -> str:
    """A file extension every member ends with (``.html``), else nothing."""
    endings = {v.rsplit(".", 1)[1] if "." in v[1:] else "" for v in values}
    ending = endings.pop() if len(endings) == 1 else ""
    return f".{ending}" if ending and ending.isalnum() and len(ending) <= 5 else ""


def _avoiding(pattern: str, others: list[str], used: set[str]) -> str:
    """The pattern, with a look-ahead refusing the first segments of non-articles it matches."""
    compiled = re.compile(pattern)
    hit = [o for o in others if compiled.search(o)]
    if not hit:
        return pattern
    prefix = re.match(r"\^https\?://[^/]+", pattern)
    assert prefix is not None  # every pattern above starts with its host
    refused = sorted({_first_segment(o) for o in hit} - used - {""})
    if not refused or len(refused) > 20:
        return pattern
    guard = "(?!/(?:" + "|".join(_escape(s) for s in refused) + ")(?:[/?#]|$))"
    return prefix[0] + guard + pattern[prefix.end() :]


def _first_segment(url: str) -> str:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return segments[0] if segments else ""


def _escape(text: str) -> str:
    """``re.escape`` without its needless ``\\-`` (no pattern here puts one in a class)."""
    return re.escape(text).replace("\\-", "-")
