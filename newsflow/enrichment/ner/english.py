"""English names: a linear-chain CRF (CRFsuite) over the features in ``features``.

The model file ships inside newsflow (``data/english.crfsuite``, built by ``training``);
it is opened once per process. Tagging runs sentence by sentence, so its time and memory
grow linearly with the article.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import pycrfsuite

from newsflow.enrichment.ner import Mention
from newsflow.enrichment.ner.features import Seen, sentences, sequence_features
from newsflow.enrichment.text import tokenize

__all__ = ["KINDS", "MODEL", "english_mentions", "spans"]

MODEL = Path(__file__).parent / "data" / "english.crfsuite"
KINDS = {"PER": "person", "ORG": "organisation", "LOC": "place", "MISC": "misc"}


@cache
def _tagger() -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL))
    return tagger


def english_mentions(text: str) -> list[Mention]:
    """People, organisations, places and other names (misc) in an English text."""
    tokens = tokenize(text)
    seen = Seen(text, tokens)
    tagger = _tagger()
    found = []
    for first, last in sentences(text, tokens):
        labels = tagger.tag(sequence_features(text, tokens, first, last, seen))
        for kind, start, end in spans(labels):
            found.append(Mention(KINDS[kind], tokens[first + start].start, tokens[first + end].end))
    return found


def spans(labels: Sequence[str]) -> Iterator[tuple[str, int, int]]:
    """(type, first, last) of the names in IOB2 labels, ``last`` inclusive."""
    kind, begin = None, 0
    for i, label in enumerate([*labels, "O"]):
        prefix, _, name = label.partition("-")
        if kind is not None and (prefix != "I" or name != kind):
            yield kind, begin, i - 1
            kind = None
        if prefix == "B" or (prefix == "I" and kind is None):
            kind, begin = name, i
