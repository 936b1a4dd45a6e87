"""Full-text search over stored articles: ranked, filtered through article_view, copies folded.

PostgreSQL matches ``articles.search_vector`` (GIN index ``ix_articles_search``) against the
query parsed in every text search configuration its sources use; SQLite matches the FTS5 table
``articles_fts``. Both then join ``article_view`` for filters and folding, and make snippets
only for the rows returned.
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

from newsflow.db.export import instant
from newsflow.db.models import UTCDateTime
from newsflow.db.names import named_ids
from newsflow.db.views import table
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    Text,
    TextClause,
    bindparam,
    case,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

SNIPPET_WORDS = 24
MAX_QUERY_WORDS = 64
# What SQLite's highlight() puts around a match: characters extraction keeps out of any text.
_OPEN, _CLOSE = "\x02", "\x03"
_PUNCTUATION = string.punctuation + "«»„“”‘’…"
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
# Undecodable bytes of a command line reach a query as lone surrogates, which no driver can
# encode: they are searched as U+FFFD, the character they stand for on a page.
_SURROGATE = re.compile("[\ud800-\udfff]")


class SearchQueryError(ValueError):
    """The search text has nothing to search for."""


def check_length(query: str) -> None:
    """Refuse a query of more than ``MAX_QUERY_WORDS`` words: PostgreSQL's ts_headline took
    24 s to mark 1,500 of them in a page of snippets, and no one searches with a paragraph."""
    words = len(_TOKEN.findall(query))
    if words > MAX_QUERY_WORDS:
        raise SearchQueryError(
            f"the query has {words} words; search with at most {MAX_QUERY_WORDS}"
        )


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
    ``name``, only articles naming that person or organisation, in any script (db.names)."""
    check_length(query)
    if _dialect(session) == "postgresql":
        # The planner prices a ranking over many matches above JIT's threshold; compiling
        # costs a search more than it saves.
        session.execute(text("SET LOCAL jit = off"))
    ranked = ranked_statement(
        session,
        query,
        sources=sources,
        language=language,
        since=since,
        until=until,
        all_copies=all_copies,
        limit=limit,
        name=name,
    )
    rows = session.execute(ranked).mappings().all()
    snippets = _snippets(session, query, [row["id"] for row in rows])
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
    hits = _hits(session, query)
    matches = select().select_from(hits).where(*_window(hits, sources, since, until))
    if name is not None:  # a copy is named by its original's people and organisations
        matches = matches.where(hits.c.original_id.in_(named_ids(name)))
    if language:
        view = table("article_view")
        matches = matches.join(view, view.c.id == hits.c.id).where(view.c.language == language)
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


def _window(
    hits: Any, sources: Sequence[str], since: date | datetime | None, until: date | datetime | None
) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = []
    if sources:
        terms.append(hits.c.source.in_(list(sources)))
    if since is not None:
        terms.append(hits.c.published_at >= instant(since))
    if until is not None:
        terms.append(hits.c.published_at < instant(until, after=True))
    return terms


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


def _hits(session: Session, query: str) -> Any:
    """A subquery of matches: article id, score (higher is better), filter and fold columns."""
    if _dialect(session) == "postgresql":
        clause = text(
            "SELECT a.id AS id, ts_rank(a.search_vector, CAST(:tsquery AS tsquery), 1) AS score, "
            f"{_MATCH_COLUMNS} FROM articles a "
            # OFFSET 0 keeps the subquery apart, so ranks, not whole tsvectors, travel up.
            "WHERE a.search_vector @@ CAST(:tsquery AS tsquery) OFFSET 0"
        ).bindparams(tsquery=_tsquery(session, query))
    else:
        clause = text(
            # bm25 is lower for better matches; a title match weighs ten body matches.
            "SELECT a.id AS id, -bm25(articles_fts, 10.0, 1.0) AS score, "
            f"{_MATCH_COLUMNS} FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH :match"
        ).bindparams(match=fts5_query(query))
    return clause.columns(
        id=Integer(),
        score=Float(),
        source=Text(),
        published_at=UTCDateTime(),
        duplicate_of=Integer(),
        original_id=Integer(),
        story_id=Integer(),
    ).subquery("hits")


def _tsquery(session: Session, query: str) -> str:
    """The query parsed in every configuration the sources use and ``simple``, ORed.

    Parsed first and deduplicated, so the planner sees one constant it can estimate.
    """
    fts5_query(query)  # the same words are refused on both databases
    parsed = session.execute(
        text(
            "SELECT DISTINCT CAST(websearch_to_tsquery(c, :text) AS text) FROM "
            "(SELECT newsflow_search_config(language) AS c FROM sources "
            "UNION SELECT CAST('simple' AS regconfig)) AS configs"
        ),
        {"text": _SURROGATE.sub("\ufffd", query)},
    ).scalars()
    return " | ".join(f"({q})" for q in sorted(parsed) if q)  # '' matches nothing


def fts5_query(query: str) -> str:
    """Web-search syntax (words, "phrases", OR, -word) as an FTS5 MATCH expression.

    Every word is quoted, so FTS5's own operators and column filters in the text are literal.
    """
    positive: list[str] = []
    negative: list[str] = []
    for token in _TOKEN.findall(_SURROGATE.sub("\ufffd", query)):
        if token.upper() == "OR":
            if positive and positive[-1] != "OR":
                positive.append("OR")
            continue
        negated = token.startswith("-") and len(token) > 1
        phrase = token[1:] if negated else token
        phrase = phrase.strip('"')
        if not any(c.isalnum() for c in phrase):
            continue
        quoted = '"' + phrase.replace('"', '""') + '"'
        (negative if negated else positive).append(quoted)
    while positive and positive[-1] == "OR":
        positive.pop()
    if not positive:
        raise SearchQueryError("search for at least one word (not only excluded ones)")
    return " ".join(positive + [f"NOT {term}" for term in negative])


def _snippets(session: Session, query: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    statement: TextClause
    postgresql = _dialect(session) == "postgresql"
    if postgresql:
        options = f"StartSel=[, StopSel=], MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=1"
        statement = text(
            "SELECT a.id, ts_headline(newsflow_search_config(a.language), a.body, "
            f"CAST(:tsquery AS tsquery), '{options}') FROM articles a WHERE a.id IN :ids"
        ).bindparams(bindparam("ids", expanding=True), tsquery=_tsquery(session, query))
    else:
        # FTS5's snippet() scores a window at every match against every other match: minutes
        # for a long article with frequent words. highlight() marks the matches in one pass.
        statement = text(
            "SELECT rowid, highlight(articles_fts, 1, :open, :close) "
            "FROM articles_fts WHERE articles_fts MATCH :match AND rowid IN :ids"
        ).bindparams(
            bindparam("ids", expanding=True), match=fts5_query(query), open=_OPEN, close=_CLOSE
        )
    rows = session.execute(statement, {"ids": ids}).all()
    if postgresql:
        return {row[0]: " ".join(row[1].split()) for row in rows}
    return {row[0]: _snippet(row[1]) for row in rows}


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
    shown = " ".join(words[start : start + span]).replace(_OPEN, "[").replace(_CLOSE, "]")
    return ("…" if start else "") + shown + ("…" if start + span < len(words) else "")


def _key(word: str) -> str:
    return word.replace(_OPEN, "").replace(_CLOSE, "").strip(_PUNCTUATION).casefold()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
