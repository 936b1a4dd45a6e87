"""More agency directories through NEWSFLOW_REGISTRY_PATH, after the bundled ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsflow.registry import (
    AGENCIES_DIR,
    REGISTRY_PATH_ENV,
    RegistryError,
    get_source,
    registry_dirs,
)

EXTRA = """
id = "extra"
name = "Extra agency"
homepage = "https://extra.example/"
timezone = "UTC"
domains = ["extra.example"]

[editions.en]
language = "en"
feeds = ["https://extra.example/feed"]
article_patterns = ['^https://extra\\.example/news/']
"""


def test_sources_in_listed_directories_join_the_bundled_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "extra.toml").write_text(EXTRA, encoding="utf-8")
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(tmp_path))
    assert registry_dirs() == (AGENCIES_DIR, tmp_path)
    assert get_source("extra-en").agency.domains == ("extra.example",)
    assert get_source("sana-en").agency.id == "sana"


def test_without_the_variable_only_the_bundled_agencies_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(REGISTRY_PATH_ENV, raising=False)
    assert registry_dirs() == (AGENCIES_DIR,)


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_listed_directory_that_is_not_one_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    listed = tmp_path / "agencies"
    if kind == "file":
        listed.write_text(EXTRA, encoding="utf-8")
    monkeypatch.setenv(REGISTRY_PATH_ENV, os.pathsep.join([str(tmp_path), str(listed)]))
    state = "does not exist" if kind == "missing" else "is not a directory"
    with pytest.raises(RegistryError) as excinfo:
        registry_dirs()
    assert str(excinfo.value) == f"NEWSFLOW_REGISTRY_PATH lists {listed}, which {state}"
    with pytest.raises(RegistryError, match="NEWSFLOW_REGISTRY_PATH lists"):
        get_source("sana-en")


def test_empty_entries_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REGISTRY_PATH_ENV, f"{os.pathsep}{tmp_path}{os.pathsep}")
    assert registry_dirs() == (AGENCIES_DIR, tmp_path)
