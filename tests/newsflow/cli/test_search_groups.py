"""Search and query narrowed by the registry's groups: agency, country, owner, collection."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from newsflow import query
from newsflow.cli import main
from newsflow.query import Groups
from newsflow.registry import AGENCIES_DIR


def _search(*args: str) -> Result:
    return CliRunner().invoke(main, ["search", *args])


def test_an_agency_stands_for_its_editions(seeded: dict[str, int]) -> None:
    everywhere = json.loads(_search("Aleppo", "--json", "--all-copies").stdout)
    sana = json.loads(_search("Aleppo", "--json", "--all-copies", "--agency", "sana").stdout)
    assert sana and {hit["source"] for hit in sana} <= {"sana-en", "sana-ar"}
    assert len(sana) < len(everywhere)
    counted = _search("Aleppo", "--count", "--country", "SY", "--owner", "state")
    assert counted.exit_code == 0 and int(counted.stdout) == len(sana)


def test_a_group_no_agency_is_in_is_one_clear_line(seeded: dict[str, int]) -> None:
    result = _search("Aleppo", "--country", "ZZ")
    assert result.exit_code == 1
    assert "no agency has country ZZ; known: AE" in result.output


def test_query_takes_a_group_as_its_source(seeded: dict[str, int]) -> None:
    russian = list(query.articles(source=Groups(countries=("RU",))))
    assert russian and {a.source.split("-")[0] for a in russian} <= {"tass", "ria", "rt"}
    assert query.count("Aleppo", source=Groups(agencies=("sana",))) >= 1


def test_export_takes_the_same_groups(seeded: dict[str, int]) -> None:
    result = CliRunner().invoke(main, ["export", "--agency", "tass", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and {row["source"] for row in rows} == {"tass-en"}


def test_a_users_collection_narrows_search_and_export(
    seeded: dict[str, int], own_registry: Path
) -> None:
    # The user's copy of SANA's file, in a collection of their own.
    bundled = (AGENCIES_DIR / "sana.toml").read_text(encoding="utf-8")
    mine = bundled.replace('owner = "state"\n', 'owner = "state"\ncollections = ["levant"]\n', 1)
    (own_registry / "sana.toml").write_text(mine, encoding="utf-8")

    levant = json.loads(
        _search("Aleppo", "--json", "--all-copies", "--collection", "levant").stdout
    )
    assert levant and {hit["source"] for hit in levant} <= {"sana-en", "sana-ar"}
    counted = _search("Aleppo", "--count", "--collection", "levant")
    assert counted.exit_code == 0 and int(counted.stdout) == len(levant)
    exported = CliRunner().invoke(main, ["export", "--collection", "levant", "--format", "jsonl"])
    assert exported.exit_code == 0, exported.output
    assert {json.loads(line)["source"] for line in exported.stdout.splitlines()} <= {
        "sana-en",
        "sana-ar",
    }
    assert query.count("Aleppo", source=Groups(collections=("levant",))) == len(levant)
    unknown = _search("Aleppo", "--collection", "gulf")
    assert (
        unknown.exit_code == 1 and "no agency has collection gulf; known: levant" in unknown.output
    )
