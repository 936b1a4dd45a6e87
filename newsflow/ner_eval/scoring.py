"""The held-out score: names compared as case-folded word sequences, micro P/R/F1 per type.

A predicted name counts when it equals a gold name of its type, or when the two share their
last word and one's words are all among the other's ("Peskov" meets "Dmitry Peskov"). With
``prefix`` set (Russian: 5), words are compared by their first letters, so inflected forms
meet. A prediction offers every form it has (the stored value and the text it was read from).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

__all__ = ["Counts", "Name", "name", "score_document"]

Name = tuple[str, ...]
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class Counts:
    """Micro counts of one type: predictions, matched predictions, gold names, found gold."""

    predicted: int = 0
    correct: int = 0
    gold: int = 0
    found: int = 0

    def add(self, other: Counts) -> None:
        """Sum another document's counts into these."""
        self.predicted += other.predicted
        self.correct += other.correct
        self.gold += other.gold
        self.found += other.found

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def name(text: str, prefix: int | None = None) -> Name:
    """A name as the scorer compares it: case-folded words, cut to ``prefix`` letters."""
    words = _WORD.findall(text.casefold())
    return tuple(w[:prefix] for w in words) if prefix else tuple(words)


def meets(predicted: Name, gold: Name) -> bool:
    """Equal, or the same last word with one's words all among the other's."""
    if not predicted or not gold:
        return False
    if predicted == gold:
        return True
    if predicted[-1] != gold[-1]:
        return False
    shorter, longer = sorted((predicted, gold), key=len)
    return set(shorter) <= set(longer)


def score_document(predictions: Iterable[Collection[Name]], gold: Collection[Name]) -> Counts:
    """Counts of one document and type; each prediction is the set of forms it offers."""
    offered = {frozenset(p) for p in predictions if any(p)}
    correct = sum(1 for forms in offered if any(meets(f, g) for f in forms for g in gold))
    found = sum(1 for g in gold if any(meets(f, g) for forms in offered for f in forms))
    return Counts(len(offered), correct, len(gold), found)
