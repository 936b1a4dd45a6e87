"""What deduplication keeps of an article: its shingles, band keys, title words and names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsflow.dedup.lsh import band_keys, signature
from newsflow.dedup.normalise import fold, normalise_body, tokens
from newsflow.dedup.shingles import Shingles, jaccard, shingles
from newsflow.dedup.stories import salient_terms

__all__ = [
    "MIN_SHINGLES",
    "NEAR_THRESHOLD",
    "SHORT_SHINGLES",
    "Fingerprint",
    "fingerprint",
    "near_similarity",
]

NEAR_THRESHOLD = 0.8  # shingle Jaccard at which a text is a near-duplicate of another
MIN_SHINGLES = 8  # shorter bodies (about ten words) are linked only as exact copies
# Below this many shingles a handful of words decides the Jaccard, so two short articles of
# one site that share a template sentence could pass: their titles must then agree as well.
SHORT_SHINGLES = 25
_TITLE_AGREEMENT = 0.5


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An article's text as deduplication compares it."""

    shingles: Shingles
    title_words: frozenset[str]
    terms: tuple[str, ...] = ()  # salient names of title and lead (stories)
    near_keys: tuple[tuple[int, int], ...] = ()  # (band, key) of the MinHash LSH bands

    @property
    def comparable(self) -> bool:
        """Long enough to be compared as a near-duplicate."""
        return self.shingles.size >= MIN_SHINGLES


def fingerprint(
    title: str,
    body: str,
    authors: Iterable[str] = (),
    dateline_rules: Sequence[str] = (),
    full: bool = True,
) -> Fingerprint:
    """Normalise and shingle an article's body; when ``full``, also its names and band keys.

    A text too short to compare gets no band keys. Candidates being verified need only their
    shingles and title words (``full=False``).
    """
    shingled = shingles(tokens(normalise_body(body, dateline_rules, authors)))
    title_words = frozenset(tokens(fold(title)))
    if not full:
        return Fingerprint(shingled, title_words)
    keys = band_keys(signature(shingled)) if shingled.size >= MIN_SHINGLES else []
    return Fingerprint(
        shingled, title_words, salient_terms(title, body, dateline_rules), tuple(keys)
    )


def near_similarity(a: Fingerprint, b: Fingerprint) -> float | None:
    """The Jaccard of two bodies when it makes them near-duplicates, else None."""
    if not (a.comparable and b.comparable):
        return None
    similarity = jaccard(a.shingles, b.shingles)
    if similarity < NEAR_THRESHOLD:
        return None
    if min(a.shingles.size, b.shingles.size) < SHORT_SHINGLES and not _titles_agree(a, b):
        return None
    return similarity


def _titles_agree(a: Fingerprint, b: Fingerprint) -> bool:
    union = a.title_words | b.title_words
    return bool(union) and len(a.title_words & b.title_words) / len(union) >= _TITLE_AGREEMENT
