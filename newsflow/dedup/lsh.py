"""MinHash signatures (datasketch) and their LSH band keys, as stored in ``article_bands``.

The bands are an S-curve: two texts of shingle Jaccard ``s`` share at least one band key with
probability ``1 - (1 - s**ROWS) ** BANDS``. With 18 bands of 7 rows (126 permutations):

    s     0.3    0.5    0.6    0.7    0.8    0.9
    P   0.004  0.132  0.400  0.787  0.986  1.000

so a copy at Jaccard ≥ 0.8 is a candidate in ≥ 98.6 % of cases (recall target 0.95, with room
for MinHash noise), while pairs below 0.5 rarely are (13 % at 0.5, almost none under 0.3: the
verification reads few bodies). 16×8 gives only 0.947 at 0.8; 20×6 lets 27 % of 0.5-pairs in.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from newsflow.dedup.shingles import Shingles

if TYPE_CHECKING:
    from datasketch import MinHash

__all__ = ["BANDS", "NUM_PERM", "ROWS", "band_keys", "candidate_probability", "signature"]

BANDS, ROWS = 18, 7
NUM_PERM = BANDS * ROWS
SEED = 20261201  # part of what is stored: changing it (or the scheme) means re-keying all bands
_SCHEME = "affine32"
# datasketch permutes a whole batch at once, a shingles × NUM_PERM matrix: for a 1 MB body of
# CJK (a shingle per character) that is gigabytes. Fed in blocks it is a few MB, and the
# signature (the column minima) is the same.
_BLOCK = 8192


@cache
def _minhash() -> tuple[type[MinHash], Any]:
    """datasketch's MinHash and the stored permutations, on first use: importing datasketch
    imports scipy (≈ 1.8 s), which the crawl child and an idle poll never need."""
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=SEED, scheme=_SCHEME).permutations


def signature(shingled: Shingles) -> np.ndarray:
    """The MinHash signature (NUM_PERM uint32 values) of a shingle set."""
    minhash_class, permutations = _minhash()
    minhash = minhash_class(
        num_perm=NUM_PERM, hashfunc=_identity, permutations=permutations, scheme=_SCHEME
    )
    # The shingles are already well-mixed 64-bit hashes; their low 32 bits feed the scheme.
    low = shingled & np.uint64(0xFFFFFFFF)
    for start in range(0, low.size, _BLOCK):
        minhash.update_batch(low[start : start + _BLOCK].tolist())
    return minhash.hashvalues


def band_keys(values: np.ndarray) -> list[tuple[int, int]]:
    """(band, key) per band: a signed 64-bit hash of the band number and its rows."""
    rows = values.reshape(BANDS, ROWS)
    return [(b, stable_key(b"near", bytes([b]), rows[b].tobytes())) for b in range(BANDS)]


def stable_key(*parts: bytes) -> int:
    """A signed 64-bit key (fits a BIGINT) hashed from ``parts``, the same in every process."""
    digest = hashlib.blake2b(b"\x1f".join(parts), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def candidate_probability(similarity: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """Chance that two texts of this Jaccard share a band key (the S-curve above)."""
    return 1.0 - (1.0 - similarity**rows) ** bands


def _identity(value: int) -> int:
    return value
