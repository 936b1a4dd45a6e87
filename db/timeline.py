"""How many stored articles match a search, in total and per day, week or month, per source or
agency.

The matches are search's (db.search): the query parsed by db.search_syntax and matched against
the stems index in the languages search stems it in, through the same filters and fields
(``db.search.narrowed``). Two things differ, on purpose: every matching article counts
(``articles``; ``originals`` leaves copies out; stories are not folded), and no match is ranked
or shown, so PostgreSQL reads the GIN index and one row of ``articles_stems`` and ``articles``
per match, and groups them in one statement.

Periods are UTC, like the ``since``/``until`` window: a day, a week from its Monday, a month from
its first day, each named by its first day. Undated articles match but fall in no period: they
count in ``count_matches``, not in a timeline.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, get_args

from newsflow.db.export import instant
from newsflow.db.models import Article, Source
from newsflow.db.search import Filters, execute, narrowed, query_languages
from newsflow.db.search_syntax import Query, parse
from sqlalchemy import (
    ColumnElement,
    Date,
    Subquery,
    Text,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy import table as table_clause
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

__all__ = [
    "GROUPS",
    "PERIODS",
    "Group",
    "MatchCount",
    "Period",
    "PeriodCount",
    "check_grouping",
    "count_matches",
    "matches",
    "period_of",
    "periods",
    "timeline",
]

Period = Literal["day", "week", "month"]
Group = Literal["source", "agency"]
PERIODS: tuple[str, ...] = get_args(Period)
GROUPS: tuple[str, ...] = get_args(Group)
Moment = date | datetime
NONE: tuple[None, None] = (None, None)  # the one series of an ungrouped timeline
ZERO = (0, 0)  # a period without a match: no article, no original
# The search index of migration 0014 (db/stems.py): PostgreSQL's table of tsvectors.
_STEMS = table_clause("articles_stems", column("article_id"), column("vector"))


@dataclass(frozen=True, slots=True)
class MatchCount:
    """Every article matching a search, dated or not: all of them, and the originals among them."""

    articles: int
    originals: int

    @property
    def copies(self) -> int:
        """Matching articles that copy another (dedup's exact and near copies)."""
        return self.articles - self.originals


@dataclass(frozen=True, slots=True)
class PeriodCount:
    """One point of a timeline: the matching articles published in a period (of a source or an
    agency when grouped; ``source`` and ``agency`` are None when not)."""

    period: date  # the period's first day: the day, the week's Monday, the month's 1st
    source: str | None  # grouped per source (its agency comes along)
    agency: str | None  # grouped per source or per agency
    articles: int  # matching articles, copies included
    originals: int  # matching articles that copy no other


def count_matches(
    session: Session,
    query: str,
    *,
    sources: Sequence[str] = (),
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    name: str | None = None,
) -> MatchCount:
    """How many stored articles match ``query`` through the filters, copies included.

    SearchQueryError (db.search_syntax) for a query search refuses.
    """
    found = matches(session, parse(query), Filters(sources, language, since, until, name))
    statement = select(func.count(), _originals(found)).select_from(found)
    articles, originals = execute(session, statement).one()
    return MatchCount(int(articles), int(originals or 0))


def timeline(
    session: Session,
    query: str,
    *,
    by: Period = "day",
    per: Group | None = None,
    sources: Sequence[str] = (),
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    name: str | None = None,
) -> list[PeriodCount]:
    """Matching articles per period, oldest first (then by agency and source), without gaps.

    Every period from the window's first (``since``, else the first match's) to its last
    (``until``, else the last match's) is there, zeros included; grouped, every source or
    agency with a match has every period. No match and no window: an empty list.
    """
    check_grouping(by, per)
    found = matches(session, parse(query), Filters(sources, language, since, until, name))
    group: list[Any] = []  # (source, agency), (agency,) or none
    if per == "source":
        group = [found.c.source, Source.agency]
    elif per == "agency":
        group = [Source.agency]
    period = period_expression(session, found.c.published_at, by)
    statement = select(period, *group, func.count(), _originals(found))
    if per is None:
        statement = statement.select_from(found)
    else:
        statement = statement.join_from(found, Source, Source.id == found.c.source)
    statement = statement.where(found.c.published_at.is_not(None)).group_by(period, *group)
    counted: dict[tuple[str | None, str | None], dict[date, tuple[int, int]]] = {}
    for day, *named, articles, originals in execute(session, statement):
        key = (named[0], named[1]) if per == "source" else (None, named[0]) if named else NONE
        counted.setdefault(key, {})[_day(day)] = (articles, originals)
    seen = [day for counts in counted.values() for day in counts]
    first = period_of(_first_day(since), by) if since is not None else min(seen, default=None)
    last = period_of(_last_day(until), by) if until is not None else max(seen, default=None)
    if first is None or last is None:
        return []
    if per is None:
        counted.setdefault(NONE, {})
    series = sorted(counted.items(), key=lambda item: (item[0][1] or "", item[0][0] or ""))
    return [
        PeriodCount(day, source, agency, *counts.get(day, ZERO))
        for day in periods(first, last, by)
        for (source, agency), counts in series
    ]


def matches(session: Session, query: Query, filters: Filters) -> Subquery:
    """A subquery of the articles matching ``query`` as search matches them, filters and
    fields applied, every copy and story fellow kept: columns ``id``, ``source``,
    ``published_at``, ``duplicate_of``."""
    languages = query_languages(session)
    columns = (
        Article.id.label("id"),
        Article.source_id.label("source"),
        Article.published_at.label("published_at"),
        Article.duplicate_of_id.label("duplicate_of"),
    )
    if _dialect(session) == "postgresql":
        statement = (
            select(*columns)
            .join_from(Article, _STEMS, _STEMS.c.article_id == Article.id)
            .where(_tsquery_match(query, languages))
        )
    else:
        indexed = text(
            "SELECT rowid FROM articles_stems WHERE articles_stems MATCH :timeline_match"
        ).bindparams(timeline_match=query.fts5(languages))
        statement = select(*columns).where(Article.id.in_(indexed.columns(column("rowid"))))
    statement = narrowed(
        statement,
        query,
        filters,
        article=Article.id,
        source=Article.source_id,
        published_at=Article.published_at,
        original=func.coalesce(Article.duplicate_of_id, Article.id),
    )
    return statement.subquery("matches")


def check_grouping(by: str, per: str | None) -> None:
    """Raise ValueError unless ``by`` is a period and ``per`` a grouping (or None)."""
    if by not in PERIODS:
        raise ValueError(f"by={by!r}: count by {', '.join(PERIODS)}")
    if per is not None and per not in GROUPS:
        raise ValueError(f"per={per!r}: group per {', '.join(GROUPS)} (or None)")


def period_of(day: date, by: Period) -> date:
    """The first day of the period holding ``day``: itself, its week's Monday, its month's 1st."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def periods(first: date, last: date, by: Period) -> Iterator[date]:
    """The first days of every period from ``first``'s to ``last``'s, in order."""
    day = period_of(first, by)
    while day <= last:
        yield day
        try:
            if by == "month":
                day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            else:
                day += timedelta(days=7 if by == "week" else 1)
        except OverflowError:  # past 9999-12-31
            return


def period_expression(session: Session, moment: Any, by: Period) -> ColumnElement[date]:
    """SQL for the first day of the UTC period of ``moment`` (a published_at column)."""
    check_grouping(by, None)
    # Constants as literals, not parameters: PostgreSQL matches the GROUP BY to the column.
    if _dialect(session) == "postgresql":
        utc = func.timezone(literal_column("'UTC'"), moment)
        return cast(func.date_trunc(literal_column(f"'{by}'"), utc), Date)
    # SQLite keeps UTC times as "YYYY-MM-DD HH:MM:SS.ffffff" text (db.models.UTCDateTime).
    if by == "week":  # forward to the Sunday (or stay there), then back six days: the Monday
        day = func.date(moment, literal_column("'weekday 0'"), literal_column("'-6 days'"))
    elif by == "month":
        day = func.strftime(literal_column("'%Y-%m-01'"), moment)
    else:
        day = func.date(moment)
    return type_coerce(day, Date)


def _tsquery_match(parsed: Query, languages: list[str]) -> ColumnElement[bool]:
    return _STEMS.c.vector.bool_op("@@")(cast(literal(parsed.tsquery(languages), Text), TSQUERY))


def _originals(found: Subquery) -> ColumnElement[int]:
    return func.count(case((found.c.duplicate_of.is_(None), 1)))


def _first_day(moment: Moment) -> date:
    return instant(moment).astimezone(UTC).date()


def _last_day(moment: Moment) -> date:
    if not isinstance(moment, datetime):
        return moment  # a day bounds the window inclusively
    return (instant(moment) - timedelta(microseconds=1)).astimezone(UTC).date()


def _day(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
