"""Shingles and the similarities on them."""

from __future__ import annotations

from newsflow.dedup.shingles import jaccard, shingles

SENTENCE = "the kremlin is waiting for the us and europe to respond to the airstrikes"
WORDS = SENTENCE.split()


def test_word_four_grams() -> None:
    assert shingles(WORDS).size == len(WORDS) - 3
    assert shingles(WORDS).tolist() == sorted(set(shingles(WORDS).tolist()))
    assert shingles(["a", "b"]).size == 1  # a short text is one shingle of itself
    assert shingles([]).size == 0


def test_order_matters_within_a_shingle() -> None:
    assert shingles(["a", "b", "c", "d"]).tolist() != shingles(["b", "a", "c", "d"]).tolist()


def test_jaccard() -> None:
    a = shingles(WORDS)
    changed = shingles([*WORDS[:7], "asia", *WORDS[8:]])  # one word replaced: 4 shingles
    assert jaccard(a, a) == 1.0
    assert jaccard(a, changed) == (11 - 4) / (11 + 4)
    assert jaccard(shingles([]), shingles([])) == 0.0
