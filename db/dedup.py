"""Deduplication's reads and writes: the queue, band keys, duplicate links and story rows.

Every query here is keyed: the queue by its partial index, candidates by ``article_bands.key``,
articles by id or content hash. Nothing reads all articles of a source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from newsflow.db import models
from newsflow.db.dialect import copy_rows, one_of
from sqlalchemy import String, Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from newsflow.dedup.decisions import Link

_CHUNK = 10_000  # bound parameters per IN list, under SQLite's (32,766) and PostgreSQL's limits
_T = TypeVar("_T")
Article = models.Article
# Core tables for bulk writes: executemany without the ORM's per-row bookkeeping.
_ARTICLES = cast(Table, Article.__table__)
_BANDS = cast(Table, models.ArticleBand.__table__)


@dataclass(frozen=True, slots=True)
class Stored:
    """An article's row as deduplication reads it."""

    id: int
    source_id: str
    title: str
    body: str
    authors: Sequence[str]
    language: str | None
    published_at: datetime | None
    content_hash: str
    duplicate_of_id: int | None


@dataclass(frozen=True, slots=True)
class Frame:
    """What links and stories need of an article besides its text."""

    id: int
    source_id: str
    language: str | None
    published_at: datetime | None
    content_hash: str
    duplicate_of_id: int | None


def is_pending() -> Any:
    """The queue predicate: the generated flag its partial index is built on (migration 0012)."""
    return Article.dedup_pending


def pending_ids(session: Session, source_id: str, limit: int, after: int = 0) -> list[int]:
    """The next ``limit`` queued article ids of a source, in id order, after ``after``."""
    return list(
        session.execute(
            select(Article.id)
            .where(Article.source_id == source_id, is_pending(), Article.id > after)
            .order_by(Article.id)
            .limit(limit)
        ).scalars()
    )


def load(session: Session, ids: Collection[int]) -> list[Stored]:
    """The rows of these articles (any that vanished are left out), in id order."""
    columns = [getattr(Article, name) for name in Stored.__slots__]
    rows = [
        Stored(*row)
        for chunk in chunked(sorted(ids))
        for row in session.execute(select(*columns).where(Article.id.in_(chunk)))
    ]
    return sorted(rows, key=lambda row: row.id)


def frames(session: Session, ids: Collection[int]) -> dict[int, Frame]:
    """Id → frame of these articles (no text read)."""
    columns = [getattr(Article, name) for name in Frame.__slots__]
    return {
        row[0]: Frame(*row)
        for chunk in chunked(sorted(ids))
        for row in session.execute(select(*columns).where(Article.id.in_(chunk)))
    }


def replace_bands(session: Session, ids: Collection[int], bands: Sequence[dict[str, int]]) -> None:
    """Store these articles' band keys in place of the ones they had."""
    for chunk in chunked(sorted(ids)):
        session.execute(delete(models.ArticleBand).where(models.ArticleBand.article_id.in_(chunk)))
    copy_rows(session, _BANDS, bands)


def owners_of(
    session: Session, keys: Iterable[int], limit: int | None = None
) -> dict[int, list[int]]:
    """Key → ids of the articles holding it: one indexed query for a whole batch's keys.

    With ``limit``, keys held by more articles are left out (counted in the same pass).
    """
    owners: dict[int, list[int]] = defaultdict(list)
    band = models.ArticleBand
    wanted = sorted(set(keys))
    if not wanted:
        return owners
    found = select(band.article_id, band.key).where(one_of(session, band.key, wanted))
    if limit is not None:
        counted = found.add_columns(func.count().over(partition_by=band.key).label("n"))
        inner = counted.subquery()
        found = select(inner.c.article_id, inner.c.key).where(inner.c.n <= limit)
    for article_id, key in session.execute(found):
        owners[key].append(article_id)
    return owners


def same_hash(session: Session, hashes: Iterable[str]) -> dict[str, list[int]]:
    """Content hash → ids of every article (any source) with that hash."""
    found: dict[str, list[int]] = defaultdict(list)
    for chunk in chunked(sorted(set(hashes))):
        for article_id, content_hash in session.execute(
            select(Article.id, Article.content_hash).where(Article.content_hash.in_(chunk))
        ):
            found[content_hash].append(article_id)
    return found


def unlink(session: Session, ids: Collection[int]) -> None:
    """Forget these articles' own duplicate links (they are decided again)."""
    for chunk in chunked(sorted(ids)):
        session.execute(
            update(Article)
            .where(Article.id.in_(chunk), Article.duplicate_of_id.is_not(None))
            .values(duplicate_of_id=None, duplicate_similarity=None, duplicate_method=None)
        )


def apply_links(session: Session, links: Sequence[Link]) -> None:
    """Point each duplicate, then the copies that pointed at it, at its original.

    Two executemany statements for a whole batch. The copies follow in link order, so a copy
    re-pointed by an earlier link follows a later one too and every link ends at a root.
    """
    if not links:
        return
    table = _ARTICLES
    session.execute(
        update(table)
        .where(table.c.id == bindparam("duplicate"))
        .values(
            duplicate_of_id=bindparam("original"),
            duplicate_similarity=bindparam("similarity"),
            duplicate_method=bindparam("method"),
        ),
        [
            {
                "duplicate": link.duplicate_id,
                "original": link.original_id,
                "similarity": round(link.similarity, 4),
                "method": link.method,
            }
            for link in links
        ],
    )
    session.execute(
        update(table)
        .where(table.c.duplicate_of_id == bindparam("duplicate"))
        .values(duplicate_of_id=bindparam("original")),
        [{"duplicate": link.duplicate_id, "original": link.original_id} for link in links],
    )


def mark_done(session: Session, checked: Mapping[int, str]) -> None:
    """Record that these articles were checked at these content hashes.

    An article edited meanwhile has another hash and stays queued (a new hash equal to another
    checked article's would be the same text, which was checked).
    """
    if checked:
        session.execute(
            update(_ARTICLES)
            .where(
                one_of(session, _ARTICLES.c.id, list(checked)),
                one_of(session, _ARTICLES.c.content_hash, list(checked.values()), String),
            )
            .values(dedup_hash=_ARTICLES.c.content_hash)
        )


def chunked(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    """Slices of at most _CHUNK items (bounded IN lists)."""
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def requeue_urls(session: Session, source_id: str, urls: Collection[str]) -> None:
    """Queue a source's articles at these canonical URLs for deduplication again."""
    for chunk in chunked(sorted(set(urls))):
        session.execute(
            update(Article)
            .where(Article.source_id == source_id, Article.url.in_(chunk))
            .values(dedup_hash=None)
        )
