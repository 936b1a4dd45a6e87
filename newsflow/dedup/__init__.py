"""Near-duplicates and stories, as pure functions: normalise → shingle → MinHash bands → decide.

The database side (band keys, candidates, links, story rows) is ``db/dedup.py``; the run step
that joins them is ``flows/dedup.py``.
"""

from newsflow.dedup.decisions import Known, Link, Match, StoryCandidate, StoryPlan, links_for
from newsflow.dedup.fingerprint import Fingerprint, fingerprint, near_similarity

__all__ = [
    "Fingerprint",
    "Known",
    "Link",
    "Match",
    "StoryCandidate",
    "StoryPlan",
    "fingerprint",
    "links_for",
    "near_similarity",
]
