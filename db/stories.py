"""Story rows: clusters of same-event articles and their members, each with score and method."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from newsflow.db import models
from newsflow.db.dedup import chunked
from newsflow.db.dialect import insert_for
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from newsflow.dedup.decisions import StoryPlan

Article = models.Article


def term_counts(session: Session, ids: Collection[int], first_slot: int) -> dict[int, int]:
    """How many story term keys each article holds (slots from ``first_slot`` on)."""
    band = models.ArticleBand
    counts: dict[int, int] = {}
    for chunk in chunked(sorted(ids)):
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
    for chunk in chunked(sorted(ids)):
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
    for chunk in chunked(sorted(ids)):
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
            first_published_at=first,
            last_published_at=last,
            updated_at=datetime.now(UTC),
        )
    )
