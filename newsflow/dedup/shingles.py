"""Word shingles as sorted arrays of 64-bit hashes, and the similarities computed on them."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["SHINGLE_WORDS", "Shingles", "jaccard", "mix64", "shingles"]

SHINGLE_WORDS = 4  # word 4-grams: one changed word touches at most four shingles
Shingles = npt.NDArray[np.uint64]  # sorted, unique

# Odd multipliers place each word of a shingle apart, so "a b c d" and "b a c d" differ.
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)


def shingles(words: Sequence[str], size: int = SHINGLE_WORDS) -> Shingles:
    """Hashes of the word ``size``-grams of a text (its whole text if shorter)."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    # crc32 is stable across processes and runs (Python's hash() is salted per process).
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    width = min(size, len(words))
    count = len(words) - width + 1
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        combined += hashes[offset : offset + count] * _MULTIPLIERS[offset]
    return np.unique(mix64(combined))


def jaccard(a: Shingles, b: Shingles) -> float:
    """|A ∩ B| / |A ∪ B| of two shingle sets (0.0 when both are empty)."""
    shared = _shared(a, b)
    union = a.size + b.size - shared
    return shared / union if union else 0.0


def _shared(a: Shingles, b: Shingles) -> int:
    return int(np.intersect1d(a, b, assume_unique=True).size)


def mix64(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The MurmurHash3 64-bit finaliser: every input bit reaches every output bit."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))
