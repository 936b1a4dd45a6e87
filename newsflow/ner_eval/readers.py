"""Labelled sets as documents: a title (the first sentence), a body and the gold names by type."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["TYPES", "Document", "conll_documents", "read_conll", "read_factrueval"]

TYPES = ("person", "organisation", "place")
# Tag types of the sets → newsflow's kinds; MISC (events, nationalities, works) is not scored.
_CONLL_TYPES = {"PER": "person", "PERS": "person", "ORG": "organisation", "LOC": "place"}
_FACTRUEVAL_TYPES = {"Person": "person", "Org": "organisation", "Location": "place"}
_FACTRUEVAL_TYPES["LocOrg"] = "place"  # a country or city acting as a body counts as a place


@dataclass(frozen=True, slots=True)
class Document:
    """One labelled text: ``gold`` maps a kind to the names of that kind, as written."""

    id: str
    title: str
    body: str
    gold: dict[str, set[str]] = field(default_factory=dict)


def read_conll(path: Path) -> Iterator[Document]:
    """Documents of a CoNLL file (token first, tag last; ``-DOCSTART-`` between documents).

    Reads IOB1 (CoNLL-2003: ``I-`` opens a name unless it continues one of its type) and IOB2.
    Tokens are joined by spaces, sentences by newlines.
    """
    for number, sentences in enumerate(conll_documents(path), 1):
        gold: dict[str, set[str]] = {kind: set() for kind in TYPES}
        for sentence in sentences:
            for kind, words in _conll_names(sentence):
                gold[kind].add(" ".join(words))
        lines = [" ".join(token for token, _ in sentence) for sentence in sentences]
        yield Document(f"{path.stem}-{number}", lines[0], "\n".join(lines[1:]), gold)


def conll_documents(path: Path) -> Iterator[list[list[tuple[str, str]]]]:
    """Each document's sentences, each sentence its (token, tag) pairs."""
    document: list[list[tuple[str, str]]] = []
    sentence: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            columns = line.split()
            if columns and columns[0] == "-DOCSTART-":
                if sentence:
                    document.append(sentence)
                if document:
                    yield document
                document, sentence = [], []
            elif columns:
                sentence.append((columns[0], columns[-1]))
            elif sentence:
                document.append(sentence)
                sentence = []
    if sentence:
        document.append(sentence)
    if document:
        yield document


def _conll_names(sentence: Sequence[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    kind: str | None = None
    words: list[str] = []
    previous = "O"
    for token, tag in [*sentence, ("", "O")]:
        prefix, _, label = tag.partition("-")
        opens = prefix == "B" or (prefix == "I" and label != previous)
        if (prefix == "O" or opens) and words:
            if kind:
                yield kind, words
            kind, words = None, []
        if prefix in ("B", "I"):
            if not words:
                kind = _CONLL_TYPES.get(label)
            words.append(token)
        previous = label if prefix != "O" else "O"


def read_factrueval(folder: Path) -> Iterator[Document]:
    """Documents of a factRuEval-2016 folder (``*.txt``, ``*.tokens``, ``*.spans``, ``*.objects``).

    A name's text runs from its object's first span to its last; the title is the first sentence.
    """
    for text_path in sorted(folder.glob("*.txt")):
        text = text_path.read_text(encoding="utf-8")
        split = _first_sentence_end(text_path.with_suffix(".tokens"))
        gold: dict[str, set[str]] = {kind: set() for kind in TYPES}
        for kind, start, end in _factrueval_names(text_path):
            gold[kind].add(" ".join(text[start:end].split()))
        yield Document(text_path.stem, text[:split].strip(), text[split:].strip(), gold)


def _first_sentence_end(tokens: Path) -> int:
    end = 0
    for line in tokens.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if end:
                return end
            continue
        _, start, length, *_ = line.split()
        end = int(start) + int(length)
    return end


def _factrueval_names(text_path: Path) -> Iterator[tuple[str, int, int]]:
    spans: dict[str, tuple[int, int]] = {}
    for line in _records(text_path.with_suffix(".spans")):
        span_id, _, start, length = line[:4]
        spans[span_id] = (int(start), int(start) + int(length))
    for line in _records(text_path.with_suffix(".objects")):
        kind = _FACTRUEVAL_TYPES.get(line[1])
        parts = [spans[s] for s in line[2:] if s in spans]
        if kind and parts:
            yield kind, min(s for s, _ in parts), max(e for _, e in parts)


def _records(path: Path) -> Iterator[list[str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = re.split(r"\s+", line.partition("#")[0].strip())
        if fields and fields[0]:
            yield fields
