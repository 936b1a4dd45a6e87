"""Pure decisions: which article is the original of a duplicate pair, and which story to join."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Known", "Link", "Match", "StoryCandidate", "StoryPlan", "links_for", "plan_story"]

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


def links_for(article: Known, matches: Sequence[Match]) -> list[Link]:
    """Merge the article and every original it matches; the earliest is the original of all.

    Each matched original (a root: no one's copy) is represented by its best match, exact
    before near, then by similarity; the others link to the earliest with that similarity. Links
    always point at a root, so following one link reaches the original.
    """
    best: dict[int, Match] = {}
    for match in matches:
        if match.root.id == article.id:
            continue  # one of the article's own copies: nothing new
        current = best.get(match.root.id)
        if current is None or _rank(match) > _rank(current):
            best[match.root.id] = match
    if not best:
        return []
    original = min([article, *(m.root for m in best.values())], key=_order)
    links = [
        Link(root_id, original.id, m.similarity, m.method)
        for root_id, m in sorted(best.items())
        if root_id != original.id
    ]
    if original.id != article.id:
        chosen = best[original.id]
        links.append(Link(article.id, original.id, chosen.similarity, chosen.method))
    return links


def _rank(match: Match) -> tuple[bool, float, int]:
    return (match.method == EXACT, match.similarity, -match.article.id)


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
