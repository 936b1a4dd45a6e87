"""Keywords: a few key phrases per article, scored the YAKE way, dateline and credits removed.

YAKE (Campos et al., 2020) rates each word by five statistics of the text alone — casing,
position, frequency, how varied its neighbours are, how many sentences hold it — and a phrase
by its words. The ``yake`` package computes the same scores but builds graphs per article and
costs ~15 ms an article; this implementation of the method keeps to plain dictionaries, so all
enrichers together stay above 200 articles/s. Its stopword lists are yake's own.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

from newsflow.article import Article
from newsflow.enrichment.base import Annotation, Context, article_text, body_offset
from newsflow.enrichment.resources import data_lines, stopword_lines
from newsflow.enrichment.text import Token, fold, fold_name, tokenize
from newsflow.extraction.dateline import find_dateline
from newsflow.registry import RegistryError, get_source

__all__ = ["KeywordsEnricher", "key_phrases"]

_TOP = 8
_MAX_WORDS = 3
_SENTENCE_BREAK = re.compile(r"[.!?؟…\n]")
_PHRASE_BREAK = re.compile(r"[^ \t\u00a0\-–—'’]")  # anything but spaces and hyphens ends a phrase
_CALENDAR = (
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow "
    "year years percent per cent mln bln"
)


@dataclass
class _Word:
    """Statistics of one folded word over the text: counts, sentences, distinct neighbours."""

    count: int = 0
    capitalised: int = 0
    sentences: list[int] = field(default_factory=list)
    left: set[str] = field(default_factory=set)
    right: set[str] = field(default_factory=set)
    left_total: int = 0
    right_total: int = 0


class KeywordsEnricher:
    """Up to eight key phrases (one to three words); value as first written, label folded.

    Score is relevance in (0, 1], higher first: 1 / (1 + YAKE score).
    """

    name = "keywords"
    version = 1

    def enrich(self, article: Article, context: Context) -> list[Annotation]:
        """Keyword annotations of one article."""
        text = article_text(article)
        dateline = _dateline_span(article)
        tokens = [t for t in tokenize(text) if not _in_dateline(t, dateline)]
        return [
            Annotation("keyword", value, fold_name(value), start, end, "yake-method", score)
            for value, start, end, score in key_phrases(text, tokens, article.language)
        ]


def key_phrases(
    text: str, tokens: Sequence[Token], language: str | None, top: int = _TOP
) -> list[tuple[str, int, int, float]]:
    """The best phrases: (surface, start, end, relevance), best first."""
    stop = _stopwords(language or "en")
    sentences = _sentence_numbers(text, tokens)
    words = _word_statistics(tokens, sentences, stop)
    weights = _word_weights(words, max(sentences, default=0) + 1)
    phrases = _candidates(text, tokens, stop)
    scored = []
    for key, spans in phrases.items():
        parts = [weights[w] for w in key.split(" ") if w in weights]
        if not parts:
            continue
        score = math.prod(parts) / (len(spans) * (1 + sum(parts)))
        scored.append((score, key, spans[0]))
    return _distinct(text, sorted(scored), top)


def _sentence_numbers(text: str, tokens: Sequence[Token]) -> list[int]:
    numbers, current = [], 0
    for index, token in enumerate(tokens):
        if index and _SENTENCE_BREAK.search(text, tokens[index - 1].end, token.start):
            current += 1
        numbers.append(current)
    return numbers


def _word_statistics(
    tokens: Sequence[Token], sentences: Sequence[int], stop: frozenset[str]
) -> dict[str, _Word]:
    words: dict[str, _Word] = defaultdict(_Word)
    for index, token in enumerate(tokens):
        if token.norm in stop or token.text.isdigit():
            continue
        word = words[token.norm]
        word.count += 1
        opening = index == 0 or sentences[index - 1] != sentences[index]
        word.capitalised += token.text[:1].isupper() and not opening
        word.sentences.append(sentences[index])
        if index and sentences[index - 1] == sentences[index]:
            word.left.add(tokens[index - 1].norm)
            word.left_total += 1
        if index + 1 < len(tokens) and sentences[index + 1] == sentences[index]:
            word.right.add(tokens[index + 1].norm)
            word.right_total += 1
    return words


def _word_weights(words: dict[str, _Word], sentence_count: int) -> dict[str, float]:
    """YAKE's word score H: lower means more important."""
    if not words:
        return {}
    # Plain arithmetic: the statistics module computes exactly, with fractions, and slowly.
    counts = [w.count for w in words.values()]
    mean = sum(counts) / len(counts)
    norm = mean + math.sqrt(sum((c - mean) ** 2 for c in counts) / len(counts))
    most = max(counts)
    weights = {}
    for key, word in words.items():
        case = word.capitalised / (1 + math.log(word.count))
        position = math.log(math.log(3 + _median(word.sentences)))
        frequency = word.count / norm
        spread = len(set(word.sentences)) / sentence_count
        left = len(word.left) / max(1, word.left_total)
        right = len(word.right) / max(1, word.right_total)
        relatedness = 1 + (left + right) * word.count / most
        weights[key] = (relatedness * position) / (
            case + frequency / relatedness + spread / relatedness
        )
    return weights


def _median(values: list[int]) -> float:
    """Median of values already in ascending order (sentence numbers are appended in order)."""
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _candidates(
    text: str, tokens: Sequence[Token], stop: frozenset[str]
) -> dict[str, list[tuple[int, int]]]:
    """Phrases of one to three words within a sentence, not opening or closing on a stopword."""
    # Each token's weakness and each gap's break are found once, not once per phrase holding
    # them, and a phrase's key grows by one word instead of being joined again.
    weak = [_weak(token, stop) for token in tokens]
    joined = [False] + [
        _PHRASE_BREAK.search(text, before.end, after.start) is None
        for before, after in pairwise(tokens)
    ]
    phrases: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for first, token in enumerate(tokens):
        if weak[first]:
            continue
        key = token.norm
        phrases[key].append((token.start, token.end))
        for last in range(first + 1, min(first + _MAX_WORDS, len(tokens))):
            if not joined[last]:
                break
            key = f"{key} {tokens[last].norm}"
            if not weak[last]:
                phrases[key].append((token.start, tokens[last].end))
    return phrases


def _weak(token: Token, stop: frozenset[str]) -> bool:
    return token.norm in stop or token.text.isdigit() or len(token.text) < 2


def _distinct(
    text: str, scored: list[tuple[float, str, tuple[int, int]]], top: int
) -> list[tuple[str, int, int, float]]:
    """Best phrases, skipping one whose words overlap a phrase already chosen."""
    chosen: list[tuple[str, int, int, float]] = []
    seen: list[set[str]] = []
    for score, key, (start, end) in scored:
        words = set(key.split(" "))
        if any(words <= other or other <= words for other in seen):
            continue
        seen.append(words)
        chosen.append((" ".join(text[start:end].split()), start, end, round(1 / (1 + score), 4)))
        if len(chosen) == top:
            break
    return chosen


@cache
def _stopwords(language: str) -> frozenset[str]:
    """Function words, calendar words and agency names: never a keyword's edge."""
    words = stopword_lines(language) or stopword_lines("noLang")
    agencies = [
        alias
        for row in data_lines("organisations.tsv")
        if row[2] == "agency"
        for alias in row[4].split("|")
    ]
    folded = {fold(w) for w in words} | {fold(w) for w in _CALENDAR.split()}
    return frozenset(folded | {n for a in agencies for n in fold_name(a).split(" ")})


def _dateline_span(article: Article) -> tuple[int, int] | None:
    """Offsets of the dateline that opens the body, if the body still holds it."""
    paragraphs = article.paragraphs
    if not paragraphs:
        return None
    try:
        rule = get_source(article.source).agency.rules.dateline if article.source else None
    except RegistryError:
        rule = None
    found = find_dateline(paragraphs[0], rule)
    at = article.body.find(found.raw) if found else -1
    if found is None or at < 0:
        return None
    return body_offset(article) + at, body_offset(article) + at + len(found.raw)


def _in_dateline(token: Token, span: tuple[int, int] | None) -> bool:
    return span is not None and span[0] <= token.start < span[1]
