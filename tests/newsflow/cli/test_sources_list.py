"""`newsflow sources list`: every source of the registry, with how its agency was checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsflow.cli import main
from newsflow.registry import REGISTRY_PATH_ENV

OWN_AGENCY = """\
id = "extra"
name = "Agence Extra"
homepage = "https://extra.example/"
timezone = "UTC"
domains = ["extra.example"]

[editions.fr]
language = "fr"
article_patterns = ['^https://extra\\\\.example/fr/\\\\d+$']
"""


def _rows(output: str) -> list[dict[str, str]]:
    """The table as dicts; columns are at least two spaces apart, values have single spaces."""
    header, *lines = output.splitlines()
    names = re.split(r"\s{2,}", header.strip())
    return [dict(zip(names, re.split(r"\s{2,}", line.strip()), strict=True)) for line in lines]


def test_the_bundled_agencies_are_listed_with_their_marking() -> None:
    result = CliRunner().invoke(main, ["sources", "list"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    assert list(rows[0]) == ["source", "lang", "time zone", "schedule", "verified", "name"]
    marking = {row["source"].split("-")[0]: row["verified"] for row in rows}
    assert len(marking) >= 30
    assert set(marking.values()) == {"recorded", "documented"}
    assert marking["sana"] == marking["tass"] == "recorded"


def test_an_unmarked_agency_of_ones_own_shows_a_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "extra.toml").write_text(OWN_AGENCY, encoding="utf-8")
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(tmp_path))
    result = CliRunner().invoke(main, ["sources", "list"])
    assert result.exit_code == 0, result.output
    rows = {row["source"]: row for row in _rows(result.output)}
    assert rows["extra-fr"]["verified"] == "-"
    assert rows["sana-en"]["verified"] == "recorded"
