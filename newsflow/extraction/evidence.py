"""A value read from a page together with the evidence that gave it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Found"]


@dataclass(frozen=True)
class Found:
    """A value found on the page and the evidence (element or rule) that gave it."""

    value: Any
    evidence: str
