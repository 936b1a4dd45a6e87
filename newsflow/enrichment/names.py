"""A name index: many multi-word names found in a text in one pass over its tokens.

Names are keyed by their folded tokens joined with spaces; the index also knows, for each
first token, the longest name starting with it, so a text position costs one dictionary
probe unless a name may start there (a token trie flattened into two dictionaries).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from newsflow.enrichment.text import Token, arabic_variants, fold_name, is_arabic

__all__ = ["NameIndex", "NameMatch"]

T = TypeVar("T")
# What may stand between two words of one name: spaces, a hyphen, an abbreviation's dot.
_JOINER = re.compile(r"[ \t\u00a0\-–.'’]*")


@dataclass(frozen=True, slots=True)
class NameMatch(Generic[T]):
    """Tokens ``first``..``last`` (inclusive) of a text spell a name with these entries."""

    first: int
    last: int
    key: str
    entries: tuple[T, ...]


class NameIndex(Generic[T]):
    """Folded multi-word names → entries, searched longest-match-first over a token list."""

    def __init__(self) -> None:
        self._names: dict[str, list[T]] = {}
        self._longest: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: str) -> bool:
        return fold_name(name) in self._names

    def add(self, name: str, entry: T) -> str:
        """Index ``entry`` under ``name``; returns the key (empty when the name has no word)."""
        key = fold_name(name)
        self.add_key(key, entry)
        return key

    def add_key(self, key: str, entry: T) -> None:
        """Index ``entry`` under an already folded key."""
        if not key:
            return
        entries = self._names.setdefault(key, [])
        if entry not in entries:
            entries.append(entry)
        first, _, _ = key.partition(" ")
        self._longest[first] = max(self._longest.get(first, 0), key.count(" ") + 1)

    def subset(self, keep: Callable[[str, T], bool]) -> NameIndex[T]:
        """A smaller index of the names and entries ``keep(key, entry)`` accepts."""
        index: NameIndex[T] = NameIndex()
        for key, entries in self._names.items():
            for entry in entries:
                if keep(key, entry):
                    index.add_key(key, entry)
        return index

    def get(self, name: str) -> tuple[T, ...]:
        """Entries indexed under a name (folded the same way)."""
        return tuple(self._names.get(fold_name(name), ()))

    def order(self, rank: Callable[[T], object]) -> None:
        """Sort every name's entries best first."""
        for entries in self._names.values():
            entries.sort(key=rank, reverse=True)  # type: ignore[arg-type]

    def rearrange(self, arrange: Callable[[list[T]], list[T]]) -> None:
        """Replace every name's entries by ``arrange(entries)`` (a final ordering rule)."""
        for key, entries in self._names.items():
            self._names[key] = arrange(entries)

    def find(
        self,
        text: str,
        tokens: Sequence[Token],
        accept: Callable[[NameMatch[T]], bool] = lambda _: True,
    ) -> Iterator[NameMatch[T]]:
        """Longest accepted names, left to right, not overlapping."""
        longest, position = self._longest, 0
        while position < len(tokens):
            norm = tokens[position].norm
            # Most words start no name and are not Arabic (whose clitics may hide one): one
            # probe, inline, for the 10^6 tokens an article's enrichers walk.
            if norm not in longest and not "\u0600" <= norm[:1] <= "\u06ff":
                position += 1
                continue
            firsts = self._firsts(norm)
            found = self._longest_at(text, tokens, position, firsts, accept) if firsts else None
            if found is None:
                position += 1
                continue
            yield found
            position = found.last + 1

    def _firsts(self, norm: str) -> list[str]:
        """The forms of a word some name starts with: the word, or an Arabic word's variants."""
        # Most words start no name: one dictionary probe. Arabic may hide a name behind a
        # clitic; only the variants that start a name are tried (most Arabic words have none).
        if not is_arabic(norm):
            return [norm] if norm in self._longest else []
        return [v for v in arabic_variants(norm) if v in self._longest]

    def _longest_at(
        self,
        text: str,
        tokens: Sequence[Token],
        position: int,
        firsts: Sequence[str],
        accept: Callable[[NameMatch[T]], bool],
    ) -> NameMatch[T] | None:
        best: NameMatch[T] | None = None
        for first in firsts:
            span = _joined_span(text, tokens, position, self._longest[first])
            # Keys of the 1..span words from here, built by appending a word at a time.
            keys = [first]
            for token in tokens[position + 1 : position + span]:
                keys.append(f"{keys[-1]} {token.norm}")
            for size in range(span, 0, -1):
                if best is not None and size <= best.last - best.first + 1:
                    break
                entries = self._names.get(keys[size - 1])
                if entries:
                    match = NameMatch(position, position + size - 1, keys[size - 1], tuple(entries))
                    if accept(match):
                        best = match
                        break
        return best


def _joined_span(text: str, tokens: Sequence[Token], position: int, longest: int) -> int:
    """How many tokens from ``position`` (at most ``longest``) are joined closely enough."""
    size = 1 if longest else 0
    while size < longest and position + size < len(tokens):
        previous, current = tokens[position + size - 1], tokens[position + size]
        if _JOINER.fullmatch(text, previous.end, current.start) is None:
            break
        size += 1
    return size
