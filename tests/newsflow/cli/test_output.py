"""Output files are replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.cli.output import atomic_write, open_output


def test_a_failure_midway_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(out) as stream:
        stream.write("half of the new")
        raise RuntimeError("database went away")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_readers_see_the_old_file_until_the_end(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    with atomic_write(out) as stream:
        stream.write("new\n")
        stream.flush()
        assert out.read_text(encoding="utf-8") == "old\n"
    assert out.read_text(encoding="utf-8") == "new\n"


def test_new_files_follow_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "new.csv"
    with atomic_write(out) as stream:
        stream.write("a\n")
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_errors_name_the_file_given_not_the_temporary_one(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "out.jsonl"
    with pytest.raises(FileNotFoundError) as raised, open_output(out):
        pass
    assert raised.value.filename == str(out)


def _umask() -> int:
    import os

    current = os.umask(0)
    os.umask(current)
    return current
