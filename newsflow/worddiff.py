"""A readable word diff of two texts: ``[-removed-] {+added+}`` with a little context."""

from __future__ import annotations

from difflib import SequenceMatcher

ELLIPSIS = "…"


def word_diff(old: str, new: str, context: int | None = 8) -> str:
    """The words of ``new`` with removals as ``[-…-]`` and additions as ``{+…+}``.

    Unchanged runs longer than twice ``context`` words are cut to ``context`` words either
    side of a change (``None`` keeps the whole text). Identical texts give an empty string.
    """
    a, b = old.split(), new.split()
    if a == b:
        return ""
    parts: list[str] = []
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            parts.extend(_kept(a[i1:i2], context, index == 0, index == len(opcodes) - 1))
            continue
        if tag in ("delete", "replace"):
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if tag in ("insert", "replace"):
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(parts)


def _kept(words: list[str], context: int | None, first: bool, last: bool) -> list[str]:
    """An unchanged run, shortened to the words next to the changes around it."""
    if context is None:
        return words
    head = [] if first else words[:context]  # after the change before it
    tail = [] if last else words[-context:] if context else []  # before the change after it
    if len(head) + len(tail) >= len(words):
        return words
    return [*head, ELLIPSIS, *tail]
