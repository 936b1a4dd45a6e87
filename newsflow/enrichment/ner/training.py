"""Train the English CRF from a CoNLL file: ``python -m newsflow.enrichment.ner.training FILE``.

Each document is laid out as the enrichers read an article (its first sentence the title, a
blank line, the body), tokenised by the enrichers' tokenizer, and each token takes the tag of
the CoNLL token it starts in, so training sees what tagging will see.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pycrfsuite

from newsflow.enrichment.ner.english import MODEL
from newsflow.enrichment.ner.features import Seen, sentences, sequence_features
from newsflow.enrichment.text import tokenize
from newsflow.ner_eval.readers import conll_documents

__all__ = ["examples", "train"]

# L1 keeps the model small (most of the millions of candidate features get weight 0).
_ATTACHED = frozenset({"'s", "'", "’s", "n't"})
PARAMETERS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}


def examples(path: Path) -> Iterator[tuple[list[list[str]], list[str]]]:
    """(features, IOB2 labels) per sentence of every document in a CoNLL file."""
    for document in conll_documents(path):
        text, tags = _layout(document)
        tokens = tokenize(text)
        labels = _labels(tokens, tags)
        seen = Seen(text, tokens)
        for first, last in sentences(text, tokens):
            yield sequence_features(text, tokens, first, last, seen), labels[first:last]


def _layout(document: Sequence[Sequence[tuple[str, str]]]) -> tuple[str, list[tuple[int, str]]]:
    """The article text of a document, and each CoNLL token's start with its IOB2 tag."""
    parts: list[str] = []
    tags: list[tuple[int, str]] = []
    length = 0
    for number, sentence in enumerate(document):
        if number:
            separator = "\n\n" if number == 1 else "\n"
            parts.append(separator)
            length += len(separator)
        previous = "O"
        for position, (token, tag) in enumerate(sentence):
            # Possessives are written on to the name ("Putin's"), as articles write them.
            if position and token not in _ATTACHED:
                parts.append(" ")
                length += 1
            prefix, _, kind = tag.partition("-")
            if prefix == "I" and kind != previous:  # IOB1 → IOB2
                tag = f"B-{kind}"
            previous = kind if prefix != "O" else "O"
            tags.append((length, tag))
            parts.append(token)
            length += len(token)
    return "".join(parts), tags


def _labels(tokens: Sequence, tags: Sequence[tuple[int, str]]) -> list[str]:
    """Each enricher token's tag: that of the CoNLL token it starts in (IOB2 kept)."""
    labels, at, owner = [], 0, -1
    for token in tokens:
        while at + 1 < len(tags) and tags[at + 1][0] <= token.start:
            at += 1
        tag = tags[at][1]
        if tag != "O" and at == owner:  # a second piece of one CoNLL token (U.S. → U, S)
            tag = "I-" + tag[2:]
        labels.append(tag)
        owner = at
    return labels


def train(path: Path, model: Path = MODEL) -> None:
    """Fit the CRF on a CoNLL file and write the model."""
    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for features, labels in examples(path):
        trainer.append(features, labels)
        count += 1
    trainer.set_params(PARAMETERS)
    model.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    trainer.train(str(model))
    print(f"{count} sentences, {time.perf_counter() - started:.0f} s → {model}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("conll", type=Path, help="CoNLL-2003 train.txt (never a test split)")
    parser.add_argument("--model", type=Path, default=MODEL)
    arguments = parser.parse_args()
    train(arguments.conll, arguments.model)


if __name__ == "__main__":
    main()
