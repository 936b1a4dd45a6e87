"""Writing output so that readers see the old file or the whole new one, never half, and so
that once a write returns, what it wrote is on disk (a sync position may then move past it)."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
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
        fsync_path(path.parent, folder=True)  # the rename is on disk once its folder is
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


@contextmanager
def atomic_directory(path: Path) -> Iterator[Path]:
    """A temporary directory beside ``path``, renamed to ``path`` once written and synced.

    Readers see no directory or the whole one. ``path`` must not exist, or be empty.
    """
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise FileExistsError(errno.EEXIST, "exists and is not an empty directory", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.mkdir()
    try:
        yield temporary
        for folder, _folders, files in os.walk(temporary):
            for name in files:
                fsync_path(Path(folder, name))
            fsync_path(Path(folder), folder=True)  # the names it holds
        os.replace(temporary, path)
        fsync_path(path.parent, folder=True)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def flush_to_disk(stream: TextIO) -> None:
    """Flush a stream; fsync it too when it is a regular file (standard output sent to one).

    A pipe or a terminal has taken everything once flushed: nothing more can be asked of it.
    """
    stream.flush()
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):  # an in-memory stream: nothing on disk
        return
    if stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.fsync(descriptor)


def fsync_path(path: Path, folder: bool = False) -> None:
    """Sync a file's data, or a folder's entries, to disk; a failure raises.

    Only a folder's fsync may be refused as unsupported (EINVAL, ENOTSUP), as some file
    systems do: they keep their folders' entries by other means.
    """
    descriptor = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if folder else 0))
    try:
        os.fsync(descriptor)
    except OSError as exc:
        if not (folder and exc.errno in (errno.EINVAL, errno.ENOTSUP)):
            raise
    finally:
        os.close(descriptor)
