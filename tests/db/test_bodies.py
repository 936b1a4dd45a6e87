"""Stored page bodies: Zstandard frames written, and zlib streams of older rows still read."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from newsflow.db import bodies

SITE = Path(__file__).parents[1] / "fixtures" / "sites" / "sana"


@pytest.fixture(scope="module")
def page() -> bytes:
    # A real page: bodies compress markup, and real markup is what they are sized on.
    return next(p for p in sorted(SITE.rglob("*.html")) if p.stat().st_size > 20_000).read_bytes()


def test_a_body_is_stored_as_a_zstandard_frame_and_read_back(page: bytes) -> None:
    stored = bodies.compress(page)
    assert stored[:4] == b"\x28\xb5\x2f\xfd"
    assert len(stored) < len(page) / 3
    assert bodies.decompress(stored) == page


def test_a_body_stored_before_as_zlib_is_read_as_it_was(page: bytes) -> None:
    assert bodies.decompress(zlib.compress(page, 3)) == page


def test_the_head_of_either_kind_inflates_only_what_is_asked(page: bytes) -> None:
    assert bodies.head(bodies.compress(page), 100) == page[:100]
    assert bodies.head(zlib.compress(page, 6), 100) == page[:100]
    assert bodies.head(bodies.compress(b"short"), 100) == b"short"


def test_a_head_that_cannot_be_read_is_empty() -> None:
    assert bodies.head(b"\x28\xb5\x2f\xfd not a frame", 100) == b""
    assert bodies.head(b"\x78 not a stream", 100) == b""
