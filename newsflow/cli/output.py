"""Writing an output file so that readers see the old file or the whole new one, never half."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


@contextmanager
def open_output(path: Path | None) -> Iterator[TextIO]:
    """Standard output for None; a regular file written atomically; anything else directly."""
    if path is None:
        yield sys.stdout
        return
    try:
        if path.exists() and not path.is_file():
            # A device or pipe (/dev/stdout, /dev/full, a FIFO) cannot be swapped by a rename.
            with path.open("w", encoding="utf-8", newline="") as stream:
                yield stream
            return
        with atomic_write(path) as stream:
            yield stream
    except OSError as exc:
        # Name the file the user gave: not the temporary one, and not nothing (a failed flush).
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


@contextmanager
def atomic_write(path: Path) -> Iterator[TextIO]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` on success."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # 0o666 lets the umask decide, as for any new file; an existing file keeps its mode.
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
