"""Decisions: the earliest article is the original; stories are joined or opened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsflow.dedup.decisions import (
    Known,
    Link,
    Match,
    StoryCandidate,
    StoryPlan,
    links_for,
    plan_story,
)

T = datetime(2024, 5, 14, 12, tzinfo=UTC)
H = timedelta(hours=1)


def test_a_later_copy_links_to_its_match_root() -> None:
    root = Known(1, T)
    copy = Known(2, T + H, duplicate_of_id=1)
    new = Known(3, T + 2 * H)
    assert links_for(new, [Match(copy, root, 0.9, "near")]) == [Link(3, 1, 0.9, "near")]


def test_an_older_newcomer_becomes_the_original() -> None:
    root = Known(1, T)
    new = Known(5, T - 3 * H)
    assert links_for(new, [Match(root, root, 0.85, "near")]) == [Link(1, 5, 0.85, "near")]


def test_every_original_matched_merges_under_the_earliest() -> None:
    a, b = Known(1, T + H), Known(2, T - H)
    new = Known(3, T)
    links = links_for(new, [Match(a, a, 0.9, "near"), Match(b, b, 1.0, "exact")])
    assert links == [Link(1, 2, 0.9, "near"), Link(3, 2, 1.0, "exact")]


def test_undated_articles_come_last() -> None:
    undated = Known(2, None)
    assert links_for(Known(3, T), [Match(undated, undated, 1.0, "exact")]) == [
        Link(2, 3, 1.0, "exact")
    ]
    assert links_for(Known(4, None), [Match(undated, undated, 1.0, "exact")]) == [
        Link(4, 2, 1.0, "exact")
    ]
    assert links_for(Known(5, T), []) == []


def test_own_copies_change_nothing_but_hide_no_other_original() -> None:
    article = Known(1, T)
    copy = Known(2, T, duplicate_of_id=1)
    assert links_for(article, [Match(copy, article, 1.0, "exact")]) == []
    later = Known(3, T + H)
    both = [Match(copy, article, 1.0, "exact"), Match(later, later, 0.9, "near")]
    assert links_for(article, both) == [Link(3, 1, 0.9, "near")]


def test_plan_story_joins_the_best_story_or_opens_one() -> None:
    joined = plan_story(9, [StoryCandidate(1, 0.4, 7), StoryCandidate(2, 0.6, None)])
    assert joined == StoryPlan(7, ((9, 0.6), (2, 0.6)))
    opened = plan_story(9, [StoryCandidate(2, 0.5, None)])
    assert opened == StoryPlan(None, ((9, 0.5), (2, 0.5)))
    assert plan_story(9, []) is None
