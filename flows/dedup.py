"""The dedup step: queued articles get band keys, duplicate links and story memberships.

A batch is handled in two transactions. The first stores the batch's band keys; the second
finds candidates among everything stored (the batch included), verifies them on shingles
recomputed from the stored bodies, links duplicates to their earliest original, joins stories
and marks the batch done. Two workers deduplicating copies of one text at the same moment
therefore see each other: whichever looks second finds the other's committed keys. A kill
loses nothing: an article stays queued until its second transaction commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from newsflow.db import dedup as store
from newsflow.db import stories
from newsflow.db.dialect import one_writer_at_a_time
from newsflow.db.session import session_scope
from sqlalchemy.orm import Session

from newsflow.dedup import Fingerprint, Known, Match, fingerprint, links_for, near_similarity
from newsflow.dedup.decisions import EXACT, NEAR, Link, StoryCandidate, plan_story
from newsflow.dedup.shingles import jaccard
from newsflow.dedup.stories import (
    COMMON_TERM,
    MIN_SHARED,
    STORY_BAND0,
    STORY_METHOD,
    STORY_WINDOW,
    day_keys,
    is_story,
    lookup_keys,
    story_score,
)
from newsflow.registry import load_registry

BATCH = 500  # articles per batch: ~9,000 near keys and ≤ 30,000 story keys to look up


def deduplicate_source(source_id: str, url: str | None = None, batch: int = BATCH) -> Counter[str]:
    """Work through a source's dedup queue; counts of what was linked and joined."""
    counts: Counter[str] = Counter()
    after = 0
    while True:
        with session_scope(url) as session:
            ids = store.pending_ids(session, source_id, batch, after)
        if not ids:
            return counts
        counts.update(deduplicate_batch(ids, url))
        after = ids[-1]


def deduplicate_batch(ids: Sequence[int], url: str | None = None) -> Counter[str]:
    """Store band keys for these articles, then link their duplicates and join stories."""
    with session_scope(url) as session:
        rows = store.load(session, ids)
        prints = {row.id: _fingerprint(row) for row in rows}
        store.replace_bands(session, [row.id for row in rows], _band_rows(rows, prints))
    with session_scope(url) as session:
        # Sources deduplicated at once would each join stories the other has not committed
        # yet: split stories, or a deadlock over two stories both update. They take turns
        # here (milliseconds a batch); the band keys above are written by all at once.
        one_writer_at_a_time(session, "newsflow.dedup.links_and_stories")
        counts = link_duplicates(session, rows, prints)
        counts.update(join_stories(session, rows, prints))
        store.mark_done(session, {row.id: row.content_hash for row in rows})
    counts["dedup_checked"] += len(rows)
    return counts


def link_duplicates(
    session: Session, rows: Sequence[store.Stored], prints: dict[int, Fingerprint]
) -> Counter[str]:
    """Link each article to the original of its best verified match (or adopt it)."""
    store.unlink(session, [row.id for row in rows if row.duplicate_of_id is not None])
    candidates = _duplicate_candidates(session, rows, prints)
    others = store.load(session, {c for cs in candidates.values() for c in cs} - prints.keys())
    prints.update({row.id: _fingerprint(row, full=False) for row in others})
    known, hashes = _known(session, rows, others)
    links: list[Link] = []
    for row in rows:
        matches = _verified(row, candidates[row.id], prints, known, hashes)
        # An article an earlier one of this batch already linked speaks for its original.
        subject = known[known[row.id].duplicate_of_id or row.id]
        for link in links_for(subject, matches):
            link = _measured(link, prints, hashes)
            _follow(known, link)
            links.append(link)
    store.apply_links(session, links)
    return Counter("duplicates_exact" if k.method == EXACT else "near_duplicates" for k in links)


def join_stories(
    session: Session, rows: Sequence[store.Stored], prints: Mapping[int, Fingerprint]
) -> Counter[str]:
    """Put each original of the batch into a story with same-event articles of other sources."""
    stories.leave_stories(session, [row.id for row in rows], STORY_METHOD)
    fresh = store.frames(session, [row.id for row in rows])  # with the links just made
    originals = [f for f in fresh.values() if f.duplicate_of_id is None and prints[f.id].terms]
    shared = _shared_terms(session, originals, prints)
    others = store.frames(session, {o for found in shared.values() for o in found})
    terms = stories.term_counts(session, others.keys(), STORY_BAND0)
    story_of = stories.stories_of(session, others.keys() | fresh.keys(), STORY_METHOD)
    joined = 0
    for frame in originals:
        if frame.id in story_of:
            continue  # pulled into a story by an earlier article of this batch
        found = []
        for other_id, count in shared.get(frame.id, {}).items():
            score = story_score(count, len(prints[frame.id].terms), terms.get(other_id, 0))
            if is_story(score) and _same_event_frame(frame, others.get(other_id)):
                found.append(StoryCandidate(other_id, score, story_of.get(other_id)))
        plan = plan_story(frame.id, found)
        if plan is not None:
            story_id = stories.save_story(session, plan, frame.language, STORY_METHOD)
            story_of.update({member: story_id for member, _ in plan.members})
            joined += len(plan.members)
    return Counter({"stories_joined": joined})


@lru_cache(maxsize=1)
def dateline_rules() -> tuple[str, ...]:
    """Every agency's dateline rule: a copy carries the dateline of the agency it came from."""
    rules = {s.agency.rules.dateline for s in load_registry().values()}
    return tuple(sorted(r for r in rules if r))


def _fingerprint(row: store.Stored, full: bool = True) -> Fingerprint:
    return fingerprint(row.title, row.body, row.authors, dateline_rules(), full)


def _band_rows(
    rows: Sequence[store.Stored], prints: Mapping[int, Fingerprint]
) -> list[dict[str, int]]:
    found = []
    for row in rows:
        keys = list(prints[row.id].near_keys)
        if row.published_at is not None:
            keys += day_keys(prints[row.id].terms, row.language, row.published_at.date())
        found += [{"article_id": row.id, "band": band, "key": key} for band, key in keys]
    return found


def _duplicate_candidates(
    session: Session, rows: Sequence[store.Stored], prints: Mapping[int, Fingerprint]
) -> dict[int, set[int]]:
    near_keys = {row.id: [key for _, key in prints[row.id].near_keys] for row in rows}
    owners = store.owners_of(session, (k for keys in near_keys.values() for k in keys))
    same = store.same_hash(session, (row.content_hash for row in rows))
    candidates: dict[int, set[int]] = {}
    for row in rows:
        found = {owner for key in near_keys[row.id] for owner in owners.get(key, ())}
        found.update(same.get(row.content_hash, ()))
        found.discard(row.id)
        candidates[row.id] = found
    return candidates


def _verified(
    row: store.Stored,
    candidates: set[int],
    prints: Mapping[int, Fingerprint],
    known: Mapping[int, Known],
    hashes: Mapping[int, str],
) -> list[Match]:
    matches = []
    for other in sorted(candidates & known.keys()):
        similarity: float | None
        if hashes[other] == row.content_hash and prints[row.id].shingles.size:
            similarity, method = 1.0, EXACT
        else:
            similarity, method = near_similarity(prints[row.id], prints[other]), NEAR
        if similarity is not None:
            root = known[known[other].duplicate_of_id or other]
            matches.append(Match(known[other], root, similarity, method))
    return matches


def _known(
    session: Session, rows: Sequence[store.Stored], others: Sequence[store.Stored]
) -> tuple[dict[int, Known], dict[int, str]]:
    """Decision views of the batch (just unlinked), its candidates and their originals."""
    loaded: dict[int, store.Stored | store.Frame] = {row.id: row for row in others}
    missing = {r.duplicate_of_id for r in others if r.duplicate_of_id} - loaded.keys()
    loaded.update(store.frames(session, missing))
    known = {i: Known(i, r.published_at, r.duplicate_of_id) for i, r in loaded.items()}
    known.update({r.id: Known(r.id, r.published_at, None) for r in rows})
    hashes = {r.id: r.content_hash for r in [*loaded.values(), *rows]}
    return known, hashes


def _measured(link: Link, prints: Mapping[int, Fingerprint], hashes: Mapping[int, str]) -> Link:
    """The link with the similarity of its own two texts where both are at hand.

    An original merged under an earlier one through a third article carries that article's
    similarity; an exact copy of the earlier one must still read as exact.
    """
    a, b = prints.get(link.duplicate_id), prints.get(link.original_id)
    if hashes.get(link.duplicate_id) == hashes.get(link.original_id) is not None:
        return replace(link, similarity=1.0, method=EXACT)
    if a is None or b is None:
        return link
    return replace(link, similarity=jaccard(a.shingles, b.shingles), method=NEAR)


def _follow(known: dict[int, Known], link: Link) -> None:
    """Mirror a link in the batch's view: the duplicate and its copies point at the original."""
    for article_id, view in list(known.items()):
        if article_id == link.duplicate_id or view.duplicate_of_id == link.duplicate_id:
            known[article_id] = Known(article_id, view.published_at, link.original_id)


def _shared_terms(
    session: Session, originals: Sequence[store.Frame], prints: Mapping[int, Fingerprint]
) -> dict[int, dict[int, int]]:
    """Per article: the other articles sharing at least MIN_SHARED of its terms in the window."""
    lookups = {
        f.id: lookup_keys(prints[f.id].terms, f.language, f.published_at)
        for f in originals
        if f.published_at is not None
    }
    wanted = (k for keys in lookups.values() for k in keys)
    owners = store.owners_of(session, wanted, limit=COMMON_TERM)
    shared: dict[int, dict[int, int]] = {}
    for article_id, keys in lookups.items():
        matched: dict[int, set[int]] = defaultdict(set)
        for key, index in keys.items():
            for owner in owners.get(key, ()):
                matched[owner].add(index)
        matched.pop(article_id, None)
        shared[article_id] = {o: len(i) for o, i in matched.items() if len(i) >= MIN_SHARED}
    return shared


def _same_event_frame(row: store.Frame, other: store.Frame | None) -> bool:
    """Another source, same language, an original, published within the story window."""
    if other is None or other.source_id == row.source_id or other.language != row.language:
        return False
    if other.duplicate_of_id is not None or other.published_at is None or row.published_at is None:
        return False
    return abs(other.published_at - row.published_at) <= STORY_WINDOW
