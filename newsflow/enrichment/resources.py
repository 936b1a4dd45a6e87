"""Data files the enrichers read: those kept here, and the stopword lists yake ships."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

__all__ = ["data_lines", "stopword_lines"]

DATA = Path(__file__).parent / "data"
# Found without importing yake, whose import pulls in networkx (a third of a second).
_YAKE = importlib.util.find_spec("yake")
_STOPWORDS = Path(_YAKE.origin if _YAKE and _YAKE.origin else ".").parent / "core" / "StopwordsList"


def data_lines(name: str) -> Iterator[list[str]]:
    """Tab-separated rows of a data file, comments and blank lines skipped."""
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def stopword_lines(language: str) -> list[str]:
    """yake's stopwords of a language (ISO 639-1), none when it has no list for it."""
    path = _STOPWORDS / f"stopwords_{language}.txt"
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    return [word.strip() for word in text.splitlines() if word.strip()]
