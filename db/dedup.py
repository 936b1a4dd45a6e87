"""Deduplication's reads and writes: the queue, band keys, duplicate links and story rows.

Every query here is keyed: the queue by its partial index, candidates by ``article_bands.key``,
articles by id or content hash. Nothing reads all articles of a source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from db import models
from db.dialect import insert_for
from newsflow.dedup.decisions import Link, StoryPlan

_CHUNK = 5000  # bound parameters per IN list, well under SQLite's and PostgreSQL's limits
_T = TypeVar("_T")
Article = models.Article


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


def is_pending() -> Any:
    """The queue predicate, spelt as the partial index ``ix_articles_dedup_pending`` is."""
    return or_(Article.dedup_hash.is_(None), Article.dedup_hash != Article.content_hash)


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
        for chunk in _chunks(sorted(ids))
        for row in session.execute(select(*columns).where(Article.id.in_(chunk)))
    ]
    return sorted(rows, key=lambda row: row.id)


def replace_bands(session: Session, ids: Collection[int], bands: Iterable[dict[str, int]]) -> None:
    """Store these articles' band keys in place of the ones they had."""
    for chunk in _chunks(sorted(ids)):
        session.execute(delete(models.ArticleBand).where(models.ArticleBand.article_id.in_(chunk)))
    rows = list(bands)
    if rows:
        session.execute(insert(models.ArticleBand), rows)


def owners_of(session: Session, keys: Iterable[int]) -> dict[int, list[int]]:
    """Key → ids of the articles holding it; one indexed query per chunk of keys."""
    owners: dict[int, list[int]] = defaultdict(list)
    band = models.ArticleBand
    for chunk in _chunks(sorted(set(keys))):
        for article_id, key in session.execute(
            select(band.article_id, band.key).where(band.key.in_(chunk))
        ):
            owners[key].append(article_id)
    return owners


def same_hash(session: Session, hashes: Iterable[str]) -> dict[str, list[int]]:
    """Content hash → ids of every article (any source) with that hash."""
    found: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(set(hashes))):
        for article_id, content_hash in session.execute(
            select(Article.id, Article.content_hash).where(Article.content_hash.in_(chunk))
        ):
            found[content_hash].append(article_id)
    return found


def unlink(session: Session, ids: Collection[int]) -> None:
    """Forget these articles' own duplicate links (they are decided again)."""
    for chunk in _chunks(sorted(ids)):
        session.execute(
            update(Article)
            .where(Article.id.in_(chunk), Article.duplicate_of_id.is_not(None))
            .values(duplicate_of_id=None, duplicate_similarity=None, duplicate_method=None)
        )


def apply_link(session: Session, link: Link) -> None:
    """Point the duplicate, and the copies that pointed at it, at the original."""
    session.execute(
        update(Article)
        .where(Article.id == link.duplicate_id)
        .values(
            duplicate_of_id=link.original_id,
            duplicate_similarity=round(link.similarity, 4),
            duplicate_method=link.method,
        )
    )
    session.execute(
        update(Article)
        .where(Article.duplicate_of_id == link.duplicate_id)
        .values(duplicate_of_id=link.original_id)
    )


def mark_done(session: Session, checked: Mapping[int, str]) -> None:
    """Record the content hash each article was checked at (a later edit queues it again)."""
    if checked:
        session.execute(
            update(Article),
            [{"id": article_id, "dedup_hash": h} for article_id, h in checked.items()],
        )


def requeue(session: Session, ids: Collection[int]) -> None:
    """Queue these articles for deduplication again (e.g. after re-extraction)."""
    for chunk in _chunks(sorted(ids)):
        session.execute(update(Article).where(Article.id.in_(chunk)).values(dedup_hash=None))


def term_counts(session: Session, ids: Collection[int], first_slot: int) -> dict[int, int]:
    """How many story term keys each article holds (slots from ``first_slot`` on)."""
    band = models.ArticleBand
    counts: dict[int, int] = {}
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(band.article_id, func.count())
            .where(band.article_id.in_(chunk), band.band >= first_slot)
            .group_by(band.article_id)
        )
        counts.update({article_id: count for article_id, count in rows})
    return counts


def stories_of(session: Session, ids: Collection[int], method: str) -> dict[int, int]:
    """Article id → the story it joined by ``method``."""
    member = models.StoryMember
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(member.article_id, member.story_id).where(
                member.article_id.in_(chunk), member.method == method
            )
        )
        found.update({article_id: story_id for article_id, story_id in rows})
    return found


def leave_stories(session: Session, ids: Collection[int], method: str) -> None:
    """Take these articles out of the stories they joined by ``method`` (to decide again)."""
    left = set(stories_of(session, ids, method).values())
    for chunk in _chunks(sorted(ids)):
        session.execute(
            delete(models.StoryMember).where(
                models.StoryMember.article_id.in_(chunk), models.StoryMember.method == method
            )
        )
    for story_id in left:
        refresh_story(session, story_id)


def save_story(session: Session, plan: StoryPlan, language: str | None, method: str) -> int:
    """Open the planned story (or reuse its id), add its members, refresh its counts."""
    story_id = plan.story_id
    if story_id is None:
        story = models.Story(language=language, size=0)
        session.add(story)
        session.flush()
        story_id = story.id
    now = datetime.now(UTC)
    for article_id, score in plan.members:
        values = {
            "story_id": story_id,
            "article_id": article_id,
            "score": round(score, 4),
            "method": method,
            "added_at": now,
        }
        stmt = insert_for(session, models.StoryMember).values(**values)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["story_id", "article_id"]))
    refresh_story(session, story_id)
    return story_id


def refresh_story(session: Session, story_id: int) -> None:
    """Recount a story's size and publication span from its members."""
    member = models.StoryMember
    size, first, last = session.execute(
        select(func.count(), func.min(Article.published_at), func.max(Article.published_at))
        .select_from(member)
        .join(Article, Article.id == member.article_id)
        .where(member.story_id == story_id)
    ).one()
    session.execute(
        update(models.Story)
        .where(models.Story.id == story_id)
        .values(
            size=size,
            first_published_at=_aware(first),
            last_published_at=_aware(last),
            updated_at=datetime.now(UTC),
        )
    )


def _aware(moment: datetime | None) -> datetime | None:
    # An aggregate bypasses the column type: SQLite hands back naive UTC.
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def requeue_urls(session: Session, source_id: str, urls: Collection[str]) -> None:
    """Queue a source's articles at these canonical URLs for deduplication again."""
    for chunk in _chunks(sorted(set(urls))):
        session.execute(
            update(Article)
            .where(Article.source_id == source_id, Article.url.in_(chunk))
            .values(dedup_hash=None)
        )
