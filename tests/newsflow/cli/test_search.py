"""`newsflow search`: ranked results with snippets, copies folded, JSON for programs."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from newsflow.cli import main

SEED = "https://sana.sy/en/?p=92385"
COPY = "https://tass.com/world/copy-of-sana-92385"
TITLE = "Russia: Kremlin waiting for US and European response to Belgian airstrikes in Aleppo"
EXAMPLE = ("Kremlin Belgian airstrikes", "--source", "sana-en", "--since", "2016-10-01")


def _search(*args: str) -> Result:
    return CliRunner().invoke(main, ["search", *args], prog_name="newsflow")


def test_the_issue_example_prints_the_seed_with_a_snippet(seeded: dict[str, int]) -> None:
    result = _search(*EXAMPLE, "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f" 1. {TITLE}"
    assert lines[1] == f"    sana-en · 2016-10-19 12:42 UTC · en · {SEED}"
    assert "[Kremlin]" in lines[2] and "[Belgian]" in lines[2]
    assert result.stderr == "1 result (copies and stories folded; --all-copies lists them)\n"


def test_copies_fold_unless_all_copies(seeded: dict[str, int]) -> None:
    folded = _search("Hassadjek", "--json")
    assert folded.exit_code == 0, folded.output
    [hit] = json.loads(folded.stdout)
    assert (hit["url"], hit["folded"], hit["published_at"]) == (
        SEED,
        1,
        "2016-10-19T12:42:10+00:00",
    )
    assert "+1 folded" in _search("Hassadjek").stdout
    every = json.loads(_search("Hassadjek", "--all-copies", "--json").stdout)
    assert sorted(h["url"] for h in every) == sorted([SEED, COPY])
    assert [h["duplicate_of"] for h in every if h["url"] == COPY] == [seeded[SEED]]


def test_ranked_best_first(seeded: dict[str, int]) -> None:
    hits = json.loads(_search("Kremlin OR Russia", "--json").stdout)
    urls = [h["url"] for h in hits]
    assert urls[0] == SEED and "https://tass.com/politics/1867543" in urls[1:]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert len(json.loads(_search("Kremlin OR Russia", "--json", "--limit", "1").stdout)) == 1


def test_nothing_found_is_exit_1(seeded: dict[str, int]) -> None:
    result = _search(*EXAMPLE, "--until", "2016-10-18")
    assert result.exit_code == 1
    assert (
        result.stderr == "newsflow: error: no stored article matches 'Kremlin Belgian airstrikes'\n"
    )
    assert result.stdout == ""


def test_nothing_to_search_for_is_one_line(database_url: str) -> None:
    result = _search("--", "-Kremlin")  # after --, a leading "-" is search syntax
    assert result.exit_code == 1
    assert result.stderr == (
        "newsflow: error: search for at least one word (not only excluded ones): '-Kremlin'\n"
    )
