"""Enrichment's reads and writes: the queue, stored articles as records, results and runs.

Every query is keyed: the queue by its partial index, results and runs by article id, stale
runs by (enricher, version). Nothing here reads all articles of a source.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

from newsflow.db import bodies, models
from newsflow.db.dialect import copy_rows, insert_for
from newsflow.db.store import record_failure
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from newsflow.article import Article
from newsflow.enrichment import Result
from newsflow.enrichment.keys import name_key
from newsflow.enrichment.language import page_language
from newsflow.failures import FailureCode

__all__ = [
    "Stored",
    "annotations_of",
    "current_runs",
    "drop_results",
    "is_pending",
    "language_disagreements",
    "load",
    "mark_enriched",
    "pending_ids",
    "save_batch",
    "save_results",
    "stale_ids",
]

_CHUNK = 5000  # bound parameters per IN list, well under SQLite's and PostgreSQL's limits
_HEAD = 8192  # bytes of a page enough to read its <html lang>
_T = TypeVar("_T")
_Row = models.Article
_ENRICHMENTS = models.Enrichment.__table__


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored article as enrichment reads it: its record, id, duplicate link, page language."""

    id: int
    article: Article
    content_hash: str
    duplicate_of_id: int | None
    page_language: str | None


def is_pending() -> Any:
    """The queue predicate: the generated flag its partial index is built on (migration 0012)."""
    return _Row.enrich_pending


def pending_ids(
    session: Session, source_id: str, limit: int, after: int = 0, deduplicated: bool = False
) -> list[int]:
    """The next ``limit`` queued article ids of a source, in id order, after ``after``;
    ``deduplicated``: only those whose current text has been through dedup (a duplicate is
    not enriched, so enrichment running beside dedup waits for its verdict)."""
    query = select(_Row.id).where(_Row.source_id == source_id, is_pending(), _Row.id > after)
    if deduplicated:
        query = query.where(_Row.dedup_pending.is_(False))
    return list(session.execute(query.order_by(_Row.id).limit(limit)).scalars())


def stale_ids(
    session: Session,
    versions: Mapping[str, int],
    limit: int,
    after: int = 0,
    source_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[int]:
    """Enriched articles after ``after`` that some enricher has not run on at its version.

    An enricher is stale on an article when its last run was at another version or failed.
    Ids come in order, so a re-enrich can page through them and resume where it stopped.
    """
    runs = models.EnrichmentRun
    stale = [
        select(runs.article_id).where(
            runs.enricher == name,
            or_(runs.version != version, runs.error.is_not(None)),
            runs.article_id > after,
        )
        for name, version in versions.items()
    ]
    # An enricher added since an article was enriched has no run on it at all.
    missing = [
        select(_Row.id).where(
            _Row.enriched_hash.is_not(None),
            _Row.id > after,
            ~select(runs.article_id)
            .where(runs.article_id == _Row.id, runs.enricher == name)
            .exists(),
        )
        for name in versions
    ]
    wanted = select(_Row.id).where(
        _Row.id.in_(stale[0].union(*stale[1:], *missing).scalar_subquery()),
        _Row.duplicate_of_id.is_(None),
    )
    if source_id:
        wanted = wanted.where(_Row.source_id == source_id)
    if since:
        wanted = wanted.where(_Row.published_at >= datetime.combine(since, time(), UTC))
    if until:
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        wanted = wanted.where(_Row.published_at < end)
    return list(session.execute(wanted.order_by(_Row.id).limit(limit)).scalars())


def load(session: Session, ids: Collection[int]) -> list[Stored]:
    """The stored articles of these ids (any that vanished are left out), in id order."""
    found = []
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(_Row, models.Page.body)
            .outerjoin(models.Page, models.Page.id == _Row.page_id)
            .where(_Row.id.in_(chunk))
        )
        found += [_stored(row, body) for row, body in rows]
    return sorted(found, key=lambda stored: stored.id)


def _stored(row: models.Article, page_body: bytes | None) -> Stored:
    return Stored(
        row.id,
        _record(row),
        row.content_hash,
        row.duplicate_of_id,
        page_language(bodies.head(page_body, _HEAD)) if page_body else None,
    )


def _record(row: models.Article) -> Article:
    """The article record a stored row holds (the time zone offset restored)."""
    published = row.published_at
    if published is not None and row.published_offset_minutes is not None:
        zone = timezone(timedelta(minutes=row.published_offset_minutes))
        published = published.astimezone(zone)
    return Article(
        url=row.url,
        title=row.title,
        body=row.body,
        language=row.language,
        published_at=published,
        modified_at=row.modified_at,
        authors=tuple(row.authors or ()),
        dateline=row.dateline,
        section=row.section,
        tags=tuple(row.tags or ()),
        source=row.source_id,
        provenance=row.provenance or {},
    )


def save_results(
    session: Session, stored: Stored, results: Sequence[Result], run_id: int | None = None
) -> int:
    """Replace the rows of the enrichers that ran, record their runs and any failure.

    Returns how many enrichers failed. Rows of enrichers that did not run are left as they are.
    """
    return save_batch(session, [(stored, results)], run_id)


def save_batch(
    session: Session,
    items: Sequence[tuple[Stored, Sequence[Result]]],
    run_id: int | None = None,
) -> int:
    """``save_results`` for many articles in a handful of statements; how many runs failed.

    One statement per article and per result cost more than the enrichers themselves, so the
    rows of the whole batch are deleted, inserted and their runs upserted together.
    """
    latest = list({stored.id: (stored, results) for stored, results in items}.values())
    _delete_rows(session, latest)
    rows = [_row(s.id, r, a) for s, results in latest for r in results for a in r.annotations]
    copy_rows(session, _ENRICHMENTS, rows)  # COPY on PostgreSQL, executemany on SQLite
    _record_runs(session, latest)
    return sum(_record_failures(session, stored, results, run_id) for stored, results in latest)


def _delete_rows(session: Session, items: Sequence[tuple[Stored, Sequence[Result]]]) -> None:
    """Delete the rows of the enrichers that ran: one DELETE per distinct set of enrichers."""
    by_names: dict[tuple[str, ...], list[int]] = {}
    for stored, results in items:
        by_names.setdefault(tuple(sorted({r.enricher for r in results})), []).append(stored.id)
    for names, ids in by_names.items():
        if not names:
            continue
        for chunk in _chunks(ids):
            session.execute(
                delete(models.Enrichment).where(
                    models.Enrichment.article_id.in_(chunk), models.Enrichment.enricher.in_(names)
                )
            )


def _row(article_id: int, result: Result, annotation: Any) -> dict[str, Any]:
    # Derived here, from the value, for every enricher and by migration 0013 for rows stored
    # before it: one function decides, so a name is found from any script.
    key = name_key(annotation.value, annotation.kind)
    return {
        "article_id": article_id,
        "enricher": result.enricher,
        "version": result.version,
        "kind": annotation.kind,
        "value": annotation.value[:500],
        "label": annotation.label,
        "start_offset": annotation.start,
        "end_offset": annotation.end,
        "evidence": annotation.evidence[:500],
        "score": annotation.score,
        "key": key,
    }


def _record_runs(session: Session, items: Sequence[tuple[Stored, Sequence[Result]]]) -> None:
    """Upsert the run of every (article, enricher) in one executemany of one statement."""
    now = datetime.now(UTC)
    runs = {
        (stored.id, result.enricher): {
            "article_id": stored.id,
            "enricher": result.enricher,
            "version": result.version,
            "content_hash": stored.content_hash,
            "enriched_at": now,
            "error": result.error,
        }
        for stored, results in items
        for result in results
    }
    if runs:  # on the connection: a Core executemany, not the ORM's per-row bulk path
        session.connection().execute(_upsert_runs(session), list(runs.values()))


def _upsert_runs(session: Session) -> Any:
    stmt = insert_for(session, models.EnrichmentRun)
    changed = {c: stmt.excluded[c] for c in ("version", "content_hash", "enriched_at", "error")}
    return stmt.on_conflict_do_update(index_elements=["article_id", "enricher"], set_=changed)


def _record_failures(
    session: Session, stored: Stored, results: Sequence[Result], run_id: int | None
) -> int:
    failed = [r for r in results if r.error]
    if failed:
        reason = "; ".join(f"{r.enricher} v{r.version}: {r.error}" for r in failed)
        source = stored.article.source or ""
        # One row per article and stage: a budget failure's code wins, for status to count.
        over = any(r.code == FailureCode.BUDGET_EXCEEDED for r in failed)
        code = FailureCode.BUDGET_EXCEEDED if over else None
        record_failure(session, run_id, source, stored.article.url, "enrich", reason, code=code)
    return len(failed)


def current_runs(session: Session, ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Per article, the enrichers whose last run succeeded, at the version they ran."""
    runs = models.EnrichmentRun
    found: dict[int, dict[str, int]] = {}
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(runs.article_id, runs.enricher, runs.version).where(
                runs.article_id.in_(chunk), runs.error.is_(None)
            )
        )
        for article_id, enricher, version in rows:
            found.setdefault(article_id, {})[enricher] = version
    return found


def mark_enriched(session: Session, hashes: Mapping[int, str]) -> None:
    """Take these articles off the queue at the text they were enriched from."""
    if not hashes:
        return
    # One executemany instead of an UPDATE round trip per article.
    table = _Row.__table__
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(enriched_hash=bindparam("b_hash"))
    )
    session.execute(stmt, [{"b_id": i, "b_hash": h} for i, h in hashes.items()])


def drop_results(session: Session, ids: Collection[int]) -> None:
    """Forget an article's own results and runs (a duplicate reads its original's)."""
    for chunk in _chunks(sorted(ids)):
        session.execute(delete(models.Enrichment).where(models.Enrichment.article_id.in_(chunk)))
        session.execute(
            delete(models.EnrichmentRun).where(models.EnrichmentRun.article_id.in_(chunk))
        )


def annotations_of(session: Session, article_id: int) -> list[models.Enrichment]:
    """The results an article carries: its own, or its original's when it is a duplicate."""
    original = session.execute(
        select(func.coalesce(_Row.duplicate_of_id, _Row.id)).where(_Row.id == article_id)
    ).scalar_one_or_none()
    if original is None:
        return []
    return list(
        session.execute(
            select(models.Enrichment)
            .where(models.Enrichment.article_id == original)
            .order_by(models.Enrichment.enricher, models.Enrichment.id)
        ).scalars()
    )


def language_disagreements(
    session: Session, source_ids: Iterable[str], recent: int = 500
) -> dict[str, int]:
    """Per source, how many of its ``recent`` newest articles (first seen, as ``status``'s
    weak shares) the language enricher found in another language than the declared one.

    Bounded by design: ``status`` runs after every run, and counting over a source's whole
    history grew with the store (4.5× slower at 100,000 articles than at 10,000 on SQLite).
    """
    counts: dict[str, int] = {}
    for source_id in source_ids:
        newest = (
            select(_Row.id, _Row.language)
            .where(_Row.source_id == source_id)
            .order_by(_Row.first_seen_at.desc())
            .limit(recent)
        )
        declared = {article_id: language for article_id, language in session.execute(newest)}
        # Looked up by article id (an index probe each), not joined: with every enrichment a
        # language row, PostgreSQL's planner preferred hashing the whole enrichments table.
        # (The kind is checked here: a condition on it drew the planner to the kind index.)
        detected = session.execute(
            select(
                models.Enrichment.article_id, models.Enrichment.kind, models.Enrichment.label
            ).where(
                models.Enrichment.article_id.in_(list(declared)),
                models.Enrichment.enricher == "language",
            )
        )
        count = sum(
            1
            for article_id, kind, label in detected
            if kind == "language" and declared[article_id] not in (None, label)
        )
        if count:
            counts[source_id] = count
    return counts


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
