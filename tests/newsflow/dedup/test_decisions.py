"""Decisions: the earliest article is the original; stories are joined or opened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsflow.dedup.decisions import (
    Known,
    Link,
    Match,
    StoryCandidate,
    StoryPlan,
    link_for,
    plan_story,
)

T = datetime(2024, 5, 14, 12, tzinfo=UTC)


def test_a_later_copy_links_to_its_match_root() -> None:
    root = Known(1, T)
    copy = Known(2, T + timedelta(hours=1), duplicate_of_id=1)
    new = Known(3, T + timedelta(hours=2))
    link = link_for(new, [Match(copy, root, 0.9, "near")])
    assert link == Link(3, 1, 0.9, "near")


def test_an_older_newcomer_becomes_the_original() -> None:
    root = Known(1, T)
    new = Known(5, T - timedelta(hours=3))
    assert link_for(new, [Match(root, root, 0.85, "near")]) == Link(1, 5, 0.85, "near")


def test_exact_beats_near_and_undated_articles_come_last() -> None:
    a, b = Known(1, T), Known(2, None)
    new = Known(3, T + timedelta(hours=1))
    best = link_for(new, [Match(a, a, 0.99, "near"), Match(b, b, 1.0, "exact")])
    assert best == Link(2, 3, 1.0, "exact")  # the dated newcomer precedes an undated copy
    assert link_for(Known(4, None), [Match(b, b, 1.0, "exact")]) == Link(4, 2, 1.0, "exact")
    assert link_for(new, []) is None


def test_a_match_of_its_own_copy_changes_nothing() -> None:
    article = Known(1, T)
    copy = Known(2, T, duplicate_of_id=1)
    assert link_for(article, [Match(copy, article, 1.0, "exact")]) is None


def test_plan_story_joins_the_best_story_or_opens_one() -> None:
    joined = plan_story(9, [StoryCandidate(1, 0.4, 7), StoryCandidate(2, 0.6, None)])
    assert joined == StoryPlan(7, ((9, 0.6), (2, 0.6)))
    opened = plan_story(9, [StoryCandidate(2, 0.5, None)])
    assert opened == StoryPlan(None, ((9, 0.5), (2, 0.5)))
    assert plan_story(9, []) is None
