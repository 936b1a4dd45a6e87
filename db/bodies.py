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
# A (de)compressor object is not to be used by two threads at once: one of each per thread.
_local = threading.local()


def compress(body: bytes) -> bytes:
    """A body as it is stored: one Zstandard frame (with its size, so reading allocates once)."""
    compressor = getattr(_local, "compressor", None)
    if compressor is None:
        compressor = _local.compressor = zstandard.ZstdCompressor(level=_LEVEL)
    return compressor.compress(body)


def decompress(stored: bytes) -> bytes:
    """The body a stored page holds, whichever way it was compressed."""
    if stored[:4] == _MAGIC:
        return _decompressor().decompress(stored)
    return zlib.decompress(stored)


def head(stored: bytes, size: int) -> bytes:
    """The first ``size`` bytes of a stored body, without inflating the rest; b"" when it
    cannot be read."""
    try:
        if stored[:4] == _MAGIC:
            with _decompressor().stream_reader(stored) as reader:
                return reader.read(size)
        return zlib.decompressobj().decompress(stored, size)
    except (zlib.error, zstandard.ZstdError):
        return b""


def _decompressor() -> zstandard.ZstdDecompressor:
    found = getattr(_local, "decompressor", None)
    if found is None:
        found = _local.decompressor = zstandard.ZstdDecompressor()
    return found
