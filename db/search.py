"""Full-text search over stored articles: stemmed, ranked, filtered through article_view,
copies folded.

Both databases match the stems index ``articles_stems`` (db/stems.py, migration 0014): the
query (db/search_syntax.py) is folded and stemmed as the articles were, in each language the
agencies publish in, so пожары finds пожаров and الغارات finds غارة. PostgreSQL matches a
tsquery against ``articles_stems.vector`` (GIN index ``ix_articles_search_stems``); SQLite an
FTS5 MATCH against the table. Both then join ``article_view`` for filters and folding, and
make snippets in Python, marking the words whose stems match, only for the rows returned.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate
from typing import Any

from newsflow.db import stems
from newsflow.db.export import instant
from newsflow.db.models import Enrichment, Source, UTCDateTime
from newsflow.db.names import named_ids
from newsflow.db.search_syntax import (
    MAX_QUERY_WORDS,
    Query,
    SearchQueryError,
    check_length,
    parse,
)
from newsflow.db.views import table
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Result,
    Select,
    Text,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

__all__ = [
    "MAX_QUERY_WORDS",
    "SNIPPET_CHARS",
    "SNIPPET_WORDS",
    "Filters",
    "Hit",
    "SearchQueryError",
    "check_length",
    "execute",
    "narrowed",
    "ranked_statement",
    "search",
]

SNIPPET_WORDS = 24
SNIPPET_CHARS = 240  # at most, for scripts without spaces (Chinese, Japanese, Thai)
# What the snippet marker puts around a match: characters extraction keeps out of any text.
_OPEN, _CLOSE = "\x02", "\x03"
_PUNCTUATION = string.punctuation + "«»„“”‘’…"


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows the matches of a search (and of its count and timeline): these sources
    (none: every one), article_view's language, a UTC window (days inclusive, instants with
    ``until`` exclusive), and a person or organisation named, in any script (db.names)."""

    sources: Sequence[str] = ()
    language: str | None = None
    since: date | datetime | None = None
    until: date | datetime | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One result row: an article (the best of its fold), its rank and a snippet."""

    id: int
    source: str
    url: str
    title: str
    language: str | None
    published_at: datetime | None
    duplicate_of: int | None
    story_id: int | None
    score: float
    folded: int  # other matching articles shown by this row: its copies and story fellows
    snippet: str


def search(
    session: Session,
    query: str,
    *,
    sources: Sequence[str] = (),
    language: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    all_copies: bool = False,
    limit: int = 20,
    name: str | None = None,
) -> list[Hit]:
    """The best ``limit`` matches, one per story or original unless ``all_copies``; with
    ``name``, only articles naming that person or organisation, in any script (db.names).

    ``query`` is the syntax of db/search_syntax.py: words, "phrases", prefix*, OR, -excluded,
    title:, author:, person:, place:, lang:. SearchQueryError when it is malformed or empty.
    """
    parsed = parse(query)
    filters = Filters(sources, language, since, until, name)
    ranked = _ranked(session, parsed, filters, all_copies=all_copies, limit=limit)
    rows = execute(session, ranked).mappings().all()
    snippets = _snippets(session, parsed, [row["id"] for row in rows])
    return [Hit(**row, snippet=snippets.get(row["id"], "")) for row in rows]


def ranked_statement(
    session: Session,
    query: str,
    *,
    sources: Sequence[str] = (),
    language: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    all_copies: bool = False,
    limit: int = 20,
    name: str | None = None,
) -> Select[Any]:
    """The statement `search` runs (also for EXPLAIN): the best rows, then their columns.

    Scores, fold keys and the source and window filters come from each match's own article
    row; article_view is joined for a language filter and for the ``limit`` rows shown.
    """
    filters = Filters(sources, language, since, until, name)
    return _ranked(session, parse(query), filters, all_copies=all_copies, limit=limit)


def _ranked(
    session: Session, query: Query, filters: Filters, *, all_copies: bool, limit: int
) -> Select[Any]:
    hits = _hits(session, query)
    matches = narrowed(
        select().select_from(hits),
        query,
        filters,
        article=hits.c.id,
        source=hits.c.source,
        published_at=hits.c.published_at,
        original=hits.c.original_id,
    )
    top = (_every(matches, hits) if all_copies else _folded(matches, hits)).limit(limit)
    best = top.subquery("best")
    view = table("article_view")
    shown = [view.c[name] for name in _SHOWN]
    return (
        select(*shown, best.c.score, best.c.folded)
        .join_from(best, view, view.c.id == best.c.id)
        .order_by(best.c.score.desc(), best.c.id)
    )


_SHOWN = ("id", "source", "url", "title", "language", "published_at", "duplicate_of", "story_id")


def narrowed(
    matches: Select[Any],
    query: Query,
    filters: Filters,
    *,
    article: Any,
    source: Any,
    published_at: Any,
    original: Any,
) -> Select[Any]:
    """A statement of matches narrowed by the filters and the query's person:, place: and
    lang: fields, given its columns: the article's id, source, publication instant and
    original (its own id, or the one it copies). A copy is named by its original's people,
    organisations and places; a language is article_view's (detected, else declared).
    """
    if filters.sources:
        matches = matches.where(source.in_(list(filters.sources)))
    if filters.since is not None:
        matches = matches.where(published_at >= instant(filters.since))
    if filters.until is not None:
        matches = matches.where(published_at < instant(filters.until, after=True))
    if filters.name is not None:
        matches = matches.where(original.in_(named_ids(filters.name)))
    matches = matches.where(*_named(original, query))
    languages = query.filters.get("lang", ())
    left_out = query.excluded_filters.get("lang", ())
    if filters.language or languages or left_out:
        view = table("article_view")
        matches = matches.join(view, view.c.id == article)
        if filters.language:
            matches = matches.where(view.c.language == filters.language)
        if languages:
            matches = matches.where(view.c.language.in_(languages))
        if left_out:
            matches = matches.where(
                or_(view.c.language.is_(None), view.c.language.not_in(left_out))
            )
    return matches


def _named(original: Any, query: Query) -> list[ColumnElement[bool]]:
    """person: and place: filters on the articles' originals' enrichment rows."""
    finders = {"person": _person_ids, "place": _place_ids}
    terms: list[ColumnElement[bool]] = []
    for field, find in finders.items():
        wanted = query.filters.get(field, ())
        if wanted:
            terms.append(or_(*(original.in_(find(value)) for value in wanted)))
        terms.extend(
            original.not_in(find(value)) for value in query.excluded_filters.get(field, ())
        )
    return terms


def _person_ids(name: str) -> Select[Any]:
    try:
        ids = named_ids(name)
    except ValueError as exc:
        raise SearchQueryError(f"person: {exc}") from exc
    return ids.where(Enrichment.kind == "person")


def _place_ids(place: str) -> Select[Any]:
    """Articles about a place: by its English name (the gazetteer's, as enrichment stores it),
    a country's ISO 3166-1 code or English name, or a name in another script, which the
    gazetteer resolves (loaded once per process: seconds)."""
    from newsflow.enrichment.gazetteer import countries, resolve_place

    names = {place, place.title()}
    by_name = {country.name.casefold(): code for code, country in countries().items()}
    code = by_name.get(place.casefold())
    if len(place) == 2 and place.isascii() and place.upper() in countries():
        code = place.upper()
    if not place.isascii():
        entry = resolve_place(place)
        if entry is not None:
            names.add(entry.place.name)
            if entry.place.kind == "country":
                code = entry.place.code
    found = [and_(Enrichment.kind == "place", Enrichment.value.in_(sorted(names)))]
    if code:
        found.append(and_(Enrichment.kind == "country", Enrichment.label == code))
    return select(Enrichment.article_id).where(Enrichment.enricher == "places", or_(*found))


def _every(matches: Select[Any], hits: Any) -> Select[Any]:
    columns = (hits.c.id, hits.c.score, literal(0).label("folded"))
    return matches.add_columns(*columns).order_by(hits.c.score.desc(), hits.c.id)


def _folded(matches: Select[Any], hits: Any) -> Select[Any]:
    """One row per fold, scored by its best match, shown by its best original."""
    # A story folds its originals; an original folds its copies (story_id is the original's).
    fold = case((hits.c.story_id.is_not(None), -hits.c.story_id), else_=hits.c.original_id)
    originals_first = case((hits.c.duplicate_of.is_(None), 0), else_=1)
    place = func.row_number().over(
        partition_by=fold, order_by=(originals_first, hits.c.score.desc(), hits.c.id)
    )
    folds = matches.add_columns(
        hits.c.id,
        func.max(hits.c.score).over(partition_by=fold).label("score"),
        (func.count().over(partition_by=fold) - 1).label("folded"),
        place.label("place"),
    ).subquery("folds")
    columns = (folds.c.id, folds.c.score, folds.c.folded)
    return select(*columns).where(folds.c.place == 1).order_by(folds.c.score.desc(), folds.c.id)


# What a match carries besides its score; spelt as article_view spells these columns.
_MATCH_COLUMNS = (
    "a.source_id AS source, a.published_at AS published_at, a.duplicate_of_id AS duplicate_of, "
    "COALESCE(a.duplicate_of_id, a.id) AS original_id, (SELECT min(m.story_id) "
    "FROM story_members m WHERE m.article_id = COALESCE(a.duplicate_of_id, a.id)) AS story_id"
)


def _hits(session: Session, query: Query) -> Any:
    """A subquery of matches: article id, score (higher is better), filter and fold columns."""
    languages = query_languages(session)
    if _dialect(session) == "postgresql":
        tsquery = "CAST(:tsquery AS tsquery)"
        clause = text(
            f"SELECT a.id AS id, ts_rank(s.vector, {tsquery}, 1) AS score, "
            f"{_MATCH_COLUMNS} FROM articles_stems s JOIN articles a ON a.id = s.article_id "
            # OFFSET 0 keeps the subquery apart, so ranks, not whole tsvectors, travel up.
            f"WHERE s.vector @@ {tsquery} OFFSET 0"
        ).bindparams(tsquery=query.tsquery(languages))
    else:
        clause = text(
            # bm25 is lower for better matches; a title match weighs ten body matches, and
            # authors are matched (author:) but not ranked.
            "SELECT a.id AS id, -bm25(articles_stems, 10.0, 1.0, 0.0) AS score, "
            f"{_MATCH_COLUMNS} FROM articles_stems "
            "JOIN articles a ON a.id = articles_stems.rowid WHERE articles_stems MATCH :match"
        ).bindparams(match=query.fts5(languages))
    return clause.columns(
        id=Integer(),
        score=Float(),
        source=Text(),
        published_at=UTCDateTime(),
        duplicate_of=Integer(),
        original_id=Integer(),
        story_id=Integer(),
    ).subquery("hits")


def query_languages(session: Session) -> list[str]:
    """The languages a query is stemmed in: the agencies' and every source's."""
    declared = session.execute(select(Source.language).distinct()).scalars()
    codes = {stems.language_key(language) for language in declared}
    return sorted(set(stems.AGENCY_LANGUAGES) | {code for code in codes if code})


def _snippets(session: Session, query: Query, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        text("SELECT id, language, body FROM articles WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    ).all()
    return {row[0]: _snippet(highlight(row[2] or "", row[1], query)) for row in rows}


def highlight(body: str, language: str | None, query: Query) -> str:
    """The body with each word matching a term of the query (title and body terms, not
    exclusions) between the snippet markers: matched by its stem in the article's language,
    or by its folded self (rows the triggers wrote unstemmed).

    Only the indexed part of the body is read (``stems.INDEXED_BODY_CHARS``), and each
    distinct word is stemmed once: 100,000 words take a tenth of a second.
    """
    exact: set[str] = set()
    prefixes: set[str] = set()
    for term in query.terms():
        if term.field == "authors":
            continue
        for word, starred in zip(term.words, term.prefix, strict=True):
            forms = {stems.stem_word(word, language), stems.stem_word(word, None)}
            (prefixes if starred else exact).update(form for form in forms if form)
    begins = tuple(prefixes)
    body = body[: stems.INDEXED_BODY_CHARS]
    if not exact and not begins:
        return body

    def matches(word: str) -> bool:
        for part in stems.words_of(stems.prepare(word)) if not word.isascii() else (word,):
            for form in (stems.stem_word(part, language), stems.stem_word(part, None)):
                if form and (form in exact or (begins and form.startswith(begins))):
                    return True
        return False

    seen: dict[str, bool] = {}

    def marked(found: re.Match[str]) -> str:
        word = found.group()
        hit = seen.get(word)
        if hit is None:
            hit = seen[word] = matches(word)
        return f"{_OPEN}{word}{_CLOSE}" if hit else word

    return stems.word_pattern(body).sub(marked, body)


def _snippet(highlighted: str) -> str:
    """The SNIPPET_WORDS words of a highlighted text that weigh the most, matches bracketed.

    A match weighs the more, the rarer its word is among the text's matches (the one "Zarqa"
    beats a run of "the"); of equally good windows the middle one, so the matches stand amid
    their context.
    """
    words = highlighted.split()
    keys = [_key(word) if _OPEN in word else None for word in words]
    frequency = Counter(key for key in keys if key is not None)
    matches = frequency.total()
    weights = [0 if key is None else matches // frequency[key] for key in keys]
    span = min(SNIPPET_WORDS, len(words))
    sums = list(accumulate(weights, initial=0))
    found = [sums[i + span] - sums[i] for i in range(len(words) - span + 1)]
    best = max(found)
    first = last = found.index(best) if best else 0
    while best and last + 1 < len(found) and found[last + 1] == best:
        last += 1
    start = (first + last) // 2
    shown = " ".join(words[start : start + span])
    before, after = start > 0, start + span < len(words)
    if len(shown) > SNIPPET_CHARS:  # a script written without spaces: around the first match
        begin = max(0, shown.find(_OPEN) - SNIPPET_CHARS // 3)
        end = begin + SNIPPET_CHARS
        before, after = before or begin > 0, after or end < len(shown)
        shown = shown[begin:end]
        closing, opening = shown.find(_CLOSE), shown.find(_OPEN)
        if closing != -1 and (opening == -1 or closing < opening):  # the end of a cut match
            shown = shown[closing + 1 :]
        if shown.count(_OPEN) > shown.count(_CLOSE):
            shown += _CLOSE
    shown = shown.replace(_OPEN, "[").replace(_CLOSE, "]")
    return ("…" if before else "") + shown + ("…" if after else "")


def _key(word: str) -> str:
    return word.replace(_OPEN, "").replace(_CLOSE, "").strip(_PUNCTUATION).casefold()


def execute(session: Session, statement: Select[Any]) -> Result[Any]:
    """Run a statement of matches: on PostgreSQL without JIT, as the planner prices a
    ranking or a count over many matches above JIT's threshold, and compiling costs more
    than it saves."""
    if _dialect(session) == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
    return session.execute(statement)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
