"""MinHash band keys: stable, and candidates along the documented S-curve."""

from __future__ import annotations

import random
import tracemalloc

import numpy as np
from datasketch import MinHash

from newsflow.dedup.lsh import (
    BANDS,
    NUM_PERM,
    SEED,
    band_keys,
    candidate_probability,
    signature,
)
from newsflow.dedup.shingles import jaccard, shingles


def test_the_s_curve_meets_the_targets() -> None:
    assert candidate_probability(0.8) >= 0.95
    assert candidate_probability(0.5) <= 0.15
    assert candidate_probability(0.3) <= 0.01


def test_keys_are_stable_signed_64_bit_and_band_specific() -> None:
    words = [f"w{n}" for n in range(60)]
    keys = band_keys(signature(shingles(words)))
    assert [band for band, _ in keys] == list(range(BANDS))
    assert keys == band_keys(signature(shingles(list(words))))
    assert all(-(2**63) <= key < 2**63 for _, key in keys)
    assert len({key for _, key in keys}) == BANDS
    assert len(signature(shingles(words))) == NUM_PERM


def test_band_sharing_follows_the_s_curve() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(5000)]
    shared = {"high": 0, "low": 0}
    for _ in range(200):
        words = rng.choices(vocabulary, k=300)
        near = list(words)
        for i in rng.sample(range(300), 6):  # ~2 % of words: Jaccard ≈ 0.85
            near[i] = rng.choice(vocabulary)
        far = list(words)
        for i in rng.sample(range(300), 40):  # ~13 % of words: Jaccard ≈ 0.4
            far[i] = rng.choice(vocabulary)
        base = set(band_keys(signature(shingles(words))))
        assert jaccard(shingles(words), shingles(near)) >= 0.8
        assert jaccard(shingles(words), shingles(far)) < 0.5
        shared["high"] += bool(base & set(band_keys(signature(shingles(near)))))
        shared["low"] += bool(base & set(band_keys(signature(shingles(far)))))
    assert shared["high"] >= 0.95 * 200
    assert shared["low"] <= 0.15 * 200


def test_a_long_text_is_signed_in_bounded_memory_and_as_in_one_batch() -> None:
    # A shingle per CJK character: a 1 MB body has a million. In one batch datasketch permuted
    # them as one shingles × NUM_PERM matrix (100 MB here, a gigabyte for such a body).
    many = shingles([f"w{n}" for n in range(100_000)])
    signature(many[:1])  # datasketch (and scipy) load on first use, outside the measurement
    tracemalloc.start()
    try:
        found = signature(many)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20
    some = many[:20_000]
    whole = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=int)
    whole.update_batch((some & np.uint64(0xFFFFFFFF)).tolist())
    assert (signature(some) == whole.hashvalues).all()
    assert (found <= signature(some)).all()
