"""When newsflow's own body loses to the library: the checks that decide which text to keep.

newsflow removes page furniture and applies agency rules before trafilatura reads the page;
that beats the library on most pages but can destroy the article on a few (a body container
whose class names a share bar, a rule matching the wrong block). Those pages are recognised by
comparing with what trafilatura alone finds on the untouched page.
"""

from __future__ import annotations

from newsflow.extraction.prose import BLOCK_CHARS, weighted_length

__all__ = [
    "LIBRARY",
    "OWN",
    "has_prose",
    "prefer_library",
    "worth_checking",
]

# Provenance of the body: the library on the untouched page, or newsflow's cleaned page.
LIBRARY = "trafilatura:untouched"
OWN = "newsflow:cleaned"

# Below this the body is a stub (a caption, a sign-up line): always compare with the library.
STUB_CHARS = 500
# newsflow's body is suspect when it has less than this share of the library's text...
SHORTFALL = 0.5
# ...and then loses when it has less than this share (too little to be the article)...
TOO_LITTLE = 0.2
# ...or when less than this share of it is found in the library's text (another block).
SAME_TEXT = 0.5
# The library's text is prose worth keeping with this much text in sentence-long paragraphs.
PROSE_CHARS = 5 * BLOCK_CHARS


def worth_checking(own: list[str], removed: list[str]) -> bool:
    """Whether the library could beat newsflow's body on the untouched page.

    Only if the body is a stub, or the cleaning removed more text than the body kept, or
    removed a single block half the body's size (it may have been the article). Other pages
    skip the second run.
    """
    chars, sizes = _length(own), [weighted_length(text) for text in removed]
    return chars < STUB_CHARS or sum(sizes) > chars or max(sizes, default=0) >= chars / 2


def prefer_library(own: list[str], library: list[str], removed: list[str]) -> bool:
    """Whether the library's paragraphs should replace newsflow's (see the thresholds above).

    ``removed`` holds the text of each block the cleaning took out of the page.
    """
    if not has_prose(library):
        return False
    own_chars, library_chars = _length(own), _length(library)
    if own_chars < SHORTFALL * library_chars and (
        own_chars < TOO_LITTLE * library_chars or _share_within(own, [_text(library)]) < SAME_TEXT
    ):
        return True
    # The cleaning took out, in one block, most of what the library kept, and the body lacks it.
    return (
        _share_within(library, removed) >= SAME_TEXT
        and _share_within(library, [_text(own)]) < SAME_TEXT
    )


def has_prose(paragraphs: list[str]) -> bool:
    """Whether paragraphs hold substantial prose: sentence-long paragraphs adding up."""
    lengths = [weighted_length(p) for p in paragraphs]
    return sum(n for n in lengths if n >= BLOCK_CHARS) >= PROSE_CHARS


def _share_within(paragraphs: list[str], texts: list[str]) -> float:
    # The largest share of the paragraphs' text found verbatim in one of the texts, each
    # paragraph counted once (a placeholder repeated under every embed is one paragraph), and
    # compared without white space (inline markup spaces words differently in each reader).
    distinct = {_squeezed(p): weighted_length(p) for p in paragraphs}
    best = 0
    for text in texts:
        haystack = _squeezed(text)
        best = max(best, sum(n for p, n in distinct.items() if p in haystack))
    return best / max(1, sum(distinct.values()))


def _text(paragraphs: list[str]) -> str:
    return " ".join(paragraphs)


def _length(paragraphs: list[str]) -> int:
    return sum(weighted_length(p) for p in paragraphs)


def _squeezed(text: str) -> str:
    return "".join(text.split()).casefold()
