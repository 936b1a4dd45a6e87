"""Pure decisions: which article is the original of a duplicate pair, and which story to join."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Known", "Link", "Match", "StoryCandidate", "StoryPlan", "link_for", "plan_story"]

EXACT, NEAR = "exact", "near"


@dataclass(frozen=True, slots=True)
class Known:
    """A stored article as the decisions need it."""

    id: int
    published_at: datetime | None
    duplicate_of_id: int | None = None

    def precedes(self, other: Known) -> bool:
        """Whether this article is the earlier one (undated ones come last; then by id)."""
        return _order(self) < _order(other)


@dataclass(frozen=True, slots=True)
class Match:
    """A verified match of an article: the matched article, its root original, how alike."""

    article: Known
    root: Known
    similarity: float
    method: str  # exact | near


@dataclass(frozen=True, slots=True)
class Link:
    """``duplicate`` becomes a copy of ``original`` (its own copies follow it there)."""

    duplicate_id: int
    original_id: int
    similarity: float
    method: str


def link_for(article: Known, matches: Sequence[Match]) -> Link | None:
    """Link an article to its best match's original, or that original to the article if older.

    Exact copies win over near ones, then the highest similarity. Links always point at a root
    (an article that is no one's copy), so following one link reaches the original.
    """
    if not matches:
        return None
    best = max(matches, key=lambda m: (m.method == EXACT, m.similarity, -m.article.id))
    if best.root.id == article.id:
        return None
    if article.precedes(best.root):
        return Link(best.root.id, article.id, best.similarity, best.method)
    return Link(article.id, best.root.id, best.similarity, best.method)


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """An article of another source in the window, its score and its story (if any)."""

    article_id: int
    score: float
    story_id: int | None


@dataclass(frozen=True, slots=True)
class StoryPlan:
    """Join ``story_id`` (None: open a new story) with these (article id, score) members."""

    story_id: int | None
    members: tuple[tuple[int, float], ...]


def plan_story(article_id: int, candidates: Sequence[StoryCandidate]) -> StoryPlan | None:
    """Join the story of the best-scoring candidate that has one, else open one with them all.

    Candidates without a story come along (they scored as the same event); candidates already
    in other stories stay there (merging stories is left to a later clustering pass).
    """
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda c: (-c.score, c.article_id))
    story_id = next((c.story_id for c in ranked if c.story_id is not None), None)
    best = ranked[0].score
    members = [(article_id, best)]
    members += [(c.article_id, c.score) for c in ranked if c.story_id is None]
    return StoryPlan(story_id, tuple(members))


def _order(article: Known) -> tuple[bool, datetime | None, int]:
    published = article.published_at
    return (published is None, published, article.id)
