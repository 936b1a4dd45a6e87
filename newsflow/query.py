"""Typed reads of the query contract (docs/schema.md) for programs that do not want SQL.

Each function reads one view through the same filters as ``newsflow export`` and
``newsflow search`` and yields frozen dataclasses, one per view row; lists come back as tuples.
They read the configured database (``NEWSFLOW_DATABASE_URL``), or ``database_url``::

    from datetime import date
    from newsflow import query

    for article in query.articles(source="sana-en", since=date(2016, 10, 1)):
        print(article.published_at, article.title, article.countries)

    weekly = query.timeline("Aleppo", by="week", per="agency", since="2016-10-01").to_pandas()

Every result converts whole with ``to_arrow()``, ``to_pandas()`` or ``to_polars()``
(``pip install 'newsflow[frames]'``; column types in newsflow.frames). Days and instants may
be ``date``/aware ``datetime`` objects or ISO 8601 strings ("2016-10-01",
"2016-10-19T12:00:00Z"); anything else raises ValueError. A source unknown to the registry
and to the database raises ``newsflow.registry.UnknownSourceError`` listing the known ones.
``source`` may also be a group of the registry's sources: ``Groups(countries=("RU",),
owners=("state",))`` reads Russian state media, ``Groups(agencies=("sana",))`` every SANA
edition, ``Groups(collections=("levant",))`` your own collection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from newsflow.db.search import Hit as SearchHit
from newsflow.db.timeline import Group, Period, PeriodCount
from newsflow.registry.groups import Groups, select_sources

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = [
    "ArticleRow",
    "DailyCount",
    "Group",
    "Groups",
    "Period",
    "PeriodCount",
    "RowList",
    "Rows",
    "SearchHit",
    "SourceHealth",
    "articles",
    "count",
    "daily_counts",
    "search",
    "source_health",
    "timeline",
]

Moment = date | datetime | str
# A source id, several, or a group of them from the registry (an agency, a country, …).
Sources = str | Sequence[str] | Groups | None
_Row = TypeVar("_Row")


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One row of ``article_view``: an article, its copy and story links, its enrichments."""

    id: int
    source: str
    agency: str
    url: str
    language: str | None
    detected_language: str | None
    declared_language: str | None
    title: str
    body: str
    authors: tuple[str, ...]
    published_at: datetime | None
    published_offset_minutes: int | None
    published_day: date | None
    modified_at: datetime | None
    dateline: str | None
    section: str | None
    tags: tuple[str, ...]
    duplicate_of: int | None
    duplicate_similarity: float | None
    duplicate_method: str | None
    original_id: int
    story_id: int | None
    version: int
    removed: bool
    removed_at: datetime | None
    removed_reason: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    countries: tuple[str, ...]
    places: tuple[str, ...]
    people: tuple[str, ...]
    organisations: tuple[str, ...]
    keywords: tuple[str, ...]
    provenance: Mapping[str, str]
    # Where the text was read (migration 0018): `site`, `web-archive` or `warc`, and the
    # capture; a removed article's last capture in its source's web archive.
    via: str = "site"
    capture_url: str | None = None
    captured_at: datetime | None = None
    archived_capture_url: str | None = None
    archived_capture_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DailyCount:
    """One row of ``daily_counts``: a source's articles of one language and agency-local day."""

    source: str
    agency: str
    language: str | None
    day: date | None
    articles: int
    originals: int
    duplicates: int
    removed: int


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One row of ``source_health``: a source's last run, newest article, failures, feeds."""

    source: str
    agency: str
    name: str
    enabled: bool
    last_run_id: int | None
    last_run_kind: str | None
    last_run_status: str | None
    last_run_started_at: datetime | None
    last_run_finished_at: datetime | None
    last_completed_at: datetime | None
    last_new_article_at: datetime | None
    failures_24h: int
    failures_7d: int
    feeds: int
    stale_feeds: int
    oldest_feed_success_at: datetime | None


class _Frames(Generic[_Row]):
    """``to_arrow()``, ``to_pandas()`` and ``to_polars()`` for a result of ``kind`` rows."""

    _kind: type[_Row]

    def _records(self) -> Iterable[Mapping[str, Any]]:
        raise NotImplementedError

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table, typed by the row class (needs pyarrow)."""
        from newsflow.frames import arrow_table

        return arrow_table(self._kind, self._records())

    def to_pandas(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (needs pandas and pyarrow)."""
        from newsflow.frames import pandas_frame, require

        require("pandas", "pandas DataFrames")  # before the rows are read
        return pandas_frame(self.to_arrow())

    def to_polars(self) -> pl.DataFrame:
        """The rows as a Polars DataFrame (needs polars and pyarrow)."""
        from newsflow.frames import polars_frame, require

        require("polars", "Polars DataFrames")
        return polars_frame(self.to_arrow())


class Rows(_Frames[_Row]):
    """Rows streamed from the database as they are iterated, once, like a generator.

    ``to_arrow()``/``to_pandas()``/``to_polars()`` read every row not yet iterated into one
    table. ``close()`` ends an unfinished read early (and its database session).
    """

    def __init__(self, kind: type[_Row], fetch: Callable[[], Iterator[dict[str, Any]]]) -> None:
        self._kind = kind
        self._fetch = fetch
        self._pending: Iterator[dict[str, Any]] | None = None

    def __iter__(self) -> Rows[_Row]:
        return self

    def __next__(self) -> _Row:
        return _row(self._kind, next(self._records()))

    def close(self) -> None:
        """Stop reading: the rows not yet iterated are dropped, the session closed."""
        close = getattr(self._pending, "close", None)
        if close is not None:
            close()
        self._pending = iter(())

    def _records(self) -> Iterator[dict[str, Any]]:
        if self._pending is None:
            self._pending = self._fetch()
        return self._pending


class RowList(list[_Row], _Frames[_Row]):
    """A result small enough to hold whole: a list of rows, with the DataFrame conversions."""

    def __init__(self, kind: type[_Row], rows: Iterable[_Row] = ()) -> None:
        super().__init__(rows)
        self._kind = kind

    def _records(self) -> Iterator[dict[str, Any]]:
        names = [field.name for field in fields(self._kind)]  # type: ignore[arg-type]
        for row in self:
            yield {name: getattr(row, name) for name in names}


def articles(
    *,
    source: Sources = None,
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    include_copies: bool = False,
    story: int | None = None,
    name: str | None = None,
    database_url: str | None = None,
) -> Rows[ArticleRow]:
    """Articles oldest first, streamed; copies only with ``include_copies``.

    ``since``/``until`` as days bound whole UTC days (``until`` inclusive); as aware datetimes
    they are instants (``until`` exclusive). ``story`` keeps one story's originals. ``name``
    keeps the articles naming a person or organisation, written in any script: "Peskov",
    "Песков" and "بيسكوف" all find Dmitry Peskov (one word matches a surname; a name without
    letters raises ValueError).
    """
    from newsflow.db.export import article_select

    filters = _filters(source, language, since, until, name, database_url)
    query = article_select(include_copies=include_copies, story=story, **filters)
    return Rows(ArticleRow, lambda: _stream(query, database_url))


def daily_counts(
    *,
    source: Sources = None,
    language: str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    database_url: str | None = None,
) -> Rows[DailyCount]:
    """Counts per source, language and agency-local day, by day then source (days inclusive)."""
    from sqlalchemy import select

    from newsflow.db.views import table

    first, last = _day(since, "since"), _day(until, "until")
    _check_order(first, last)
    view = table("daily_counts")
    query = select(view).order_by(view.c.day, view.c.source, view.c.language)
    if sources := _sources(source, database_url):
        query = query.where(view.c.source.in_(sources))
    if language:
        query = query.where(view.c.language == language)
    if first:
        query = query.where(view.c.day >= first)
    if last:
        query = query.where(view.c.day <= last)
    return Rows(DailyCount, lambda: _stream(query, database_url))


def source_health(*, database_url: str | None = None) -> RowList[SourceHealth]:
    """Every source's health, by source id."""
    from sqlalchemy import select

    from newsflow.db.views import table

    view = table("source_health")
    query = select(view).order_by(view.c.source)
    return RowList(SourceHealth, Rows(SourceHealth, lambda: _stream(query, database_url)))


def search(
    text: str,
    *,
    source: Sources = None,
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    all_copies: bool = False,
    limit: int = 20,
    name: str | None = None,
    database_url: str | None = None,
) -> RowList[SearchHit]:
    """Ranked full-text matches with snippets, one per story or original unless ``all_copies``.

    ``text`` is web-search syntax: words (all required), "phrases", OR, -excluded. ``name``
    keeps the articles naming a person or organisation in any script, as in ``articles``.
    """
    from newsflow.db import search as fts
    from newsflow.db.session import session_scope

    filters = _filters(source, language, since, until, name, database_url)
    with session_scope(database_url) as session:
        hits = fts.search(session, text, all_copies=all_copies, limit=limit, **filters)
    return RowList(SearchHit, hits)


def count(
    text: str,
    *,
    source: Sources = None,
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    name: str | None = None,
    database_url: str | None = None,
) -> int:
    """How many stored articles match ``text`` (copies included, undated ones too), through
    the same filters as ``search``: its matches without ranking, folding or a limit."""
    from newsflow.db.session import session_scope
    from newsflow.db.timeline import count_matches

    filters = _filters(source, language, since, until, name, database_url)
    with session_scope(database_url) as session:
        return count_matches(session, text, **filters).articles


def timeline(
    text: str,
    *,
    by: Period = "day",
    per: Group | None = None,
    source: Sources = None,
    language: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    name: str | None = None,
    database_url: str | None = None,
) -> RowList[PeriodCount]:
    """Articles matching ``text`` per UTC ``by`` ("day", "week" from Monday, "month"), and per
    ``per`` ("source", "agency" or None), oldest first, without gaps.

    Each row counts the matching ``articles`` published in its period (copies included) and
    the ``originals`` among them; ``period`` is the period's first day. The series runs from
    ``since`` (else the first match) to ``until`` (else the last), zeros included; undated
    articles fall in no period. Filters as in ``search``.
    """
    from newsflow.db import timeline as counts
    from newsflow.db.session import session_scope

    filters = _filters(source, language, since, until, name, database_url)
    counts.check_grouping(by, per)
    with session_scope(database_url) as session:
        points = counts.timeline(session, text, by=by, per=per, **filters)
    return RowList(PeriodCount, points)


def _filters(
    source: Sources,
    language: str | None,
    since: Moment | None,
    until: Moment | None,
    name: str | None,
    database_url: str | None,
) -> dict[str, Any]:
    """The filters of search, its counts and articles as keyword arguments (the names of
    ``db.search.Filters`` and ``db.export.article_select``), each checked."""
    sources = _sources(source, database_url)
    first, last = _window(since, until)
    return {
        "sources": sources,
        "language": language,
        "since": first,
        "until": last,
        "name": _name(name),
    }


def _sources(source: Sources, database_url: str | None) -> list[str]:
    """The source ids asked for, each known to the registry or stored in the database."""
    from newsflow.registry import UnknownSourceError, load_registry

    if source is None:
        return []
    if isinstance(source, Groups):  # agencies, countries, owner types, collections
        return select_sources(source) if source else []
    try:
        ids = [source] if isinstance(source, str) else list(source)
    except TypeError:
        ids = [source]  # type: ignore[list-item]  # refused below
    if not all(isinstance(one, str) for one in ids):
        raise ValueError(f"source={source!r}: give a source id such as 'sana-en', or a list")
    registry = load_registry()
    unknown = [one for one in ids if one not in registry]
    if unknown:
        stored = _stored_sources(database_url)  # a source since dropped from the registry
        if missing := [one for one in unknown if one not in stored]:
            known = ", ".join(sorted(set(registry) | stored)) or "(none)"
            raise UnknownSourceError(f"unknown source {missing[0]!r}; known sources: {known}")
    return ids


def _stored_sources(database_url: str | None) -> set[str]:
    from sqlalchemy import select

    from newsflow.db.models import Source
    from newsflow.db.session import session_scope

    with session_scope(database_url) as session:
        return set(session.execute(select(Source.id)).scalars())


def _window(since: Moment | None, until: Moment | None) -> tuple[date | None, date | None]:
    """``since`` and ``until`` as days or aware instants, checked to be in order."""
    first, last = _moment(since, "since"), _moment(until, "until")
    _check_order(first, last)
    return first, last


def _moment(value: Moment | None, name: str) -> date | None:
    """A day or an aware instant, from itself or an ISO 8601 string; ValueError otherwise."""
    if value is None or isinstance(value, date):
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError(
                f"{name}: naive datetime {value!r}: pass an aware one (tzinfo=UTC) or a date"
            )
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"{name}={value!r}: pass a date, an aware datetime or an ISO 8601 string such as "
            f"'2016-10-01' or '2016-10-19T12:00:00Z', not {type(value).__name__}"
        )
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{name}={value!r} is not an ISO 8601 day or instant such as '2016-10-01' or "
            "'2016-10-19T12:00:00Z'"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(
            f"{name}={value!r} has no UTC offset: add one ('Z', '+03:00') or give a day"
        )
    return moment


def _day(value: date | str | None, name: str) -> date | None:
    """A day, from itself or a YYYY-MM-DD string (daily_counts counts days, not instants)."""
    moment = _moment(value, name)
    if isinstance(moment, datetime):
        raise ValueError(f"{name}={value!r}: daily counts take days, such as '2016-10-01'")
    return moment


def _check_order(since: date | None, until: date | None) -> None:
    from newsflow.db.export import instant

    if since is None or until is None or instant(since) < instant(until, after=True):
        return
    if instant(since) > instant(until):
        raise ValueError(f"since {since.isoformat()} is after until {until.isoformat()}")
    raise ValueError(f"since {since.isoformat()} and until {until.isoformat()} leave no time")


def _name(name: str | None) -> str | None:
    if name is not None and not isinstance(name, str):
        raise ValueError(f"name={name!r}: give a person's or organisation's name as a string")
    return name


def _row(kind: type[_Row], record: Mapping[str, Any]) -> _Row:
    return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in record.items()})


def _stream(query: Any, database_url: str | None) -> Iterator[dict[str, Any]]:
    from newsflow.db.export import stream
    from newsflow.db.session import session_scope

    with session_scope(database_url) as session:
        yield from stream(session, query)
