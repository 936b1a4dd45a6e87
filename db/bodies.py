"""Stored page bodies: Zstandard frames, and the zlib streams of pages stored before them.

Every fetched page is stored, so its compression is paid on every fetch. On the extraction dev
set's real pages (365 KB on average), Zstandard's level 3 takes 0.9 ms a page where zlib's
level 3 took 2.7 ms, inflates in 0.4 ms against 1.0, and its frames are 18 % smaller. A
frame opens with Zstandard's magic number, which no zlib stream does (those open with 0x78),
so rows of either kind are read alike, and nothing has to be rewritten.
"""

from __future__ import annotations

import threading
import zlib

import zstandard

__all__ = ["compress", "decompress", "head"]

_LEVEL = 3
_MAGIC = b"\x28\xb5\x2f\xfd"
# Every fetch compresses: one compressor kept per thread (one must not serve two threads at
# once) spares a context's set-up, 0.1 of a real page's 0.9 ms. Reading is rarer and its
# set-up cheaper, so it takes a fresh one.
_local = threading.local()


def compress(body: bytes) -> bytes:
    """A body as it is stored: one Zstandard frame (with its size, so reading allocates once)."""
    compressor = getattr(_local, "compressor", None)
    if compressor is None:
        compressor = _local.compressor = zstandard.ZstdCompressor(level=_LEVEL)
    return compressor.compress(body)


def decompress(stored: bytes) -> bytes:
    """The body a stored page holds, whichever way it was compressed."""
    return zstandard.decompress(stored) if stored[:4] == _MAGIC else zlib.decompress(stored)


def head(stored: bytes, size: int) -> bytes:
    """The first ``size`` bytes of a stored body, without inflating the rest; b"" when it
    cannot be read."""
    try:
        if stored[:4] == _MAGIC:
            with zstandard.ZstdDecompressor().stream_reader(stored) as reader:
                return reader.read(size)
        return zlib.decompressobj().decompress(stored, size)
    except (zlib.error, zstandard.ZstdError):
        return b""
