"""`newsflow eval enrichment`: a labelled set scored through the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from newsflow.cli import main

CONLL = """-DOCSTART- -X- -X- O

Lavrov NNP B-NP B-PER
meets VBZ B-VP O
Kerry NNP B-NP B-PER
. . O O

Foreign NNP B-NP O
Minister NNP I-NP O
Sergey NNP I-NP B-PER
Lavrov NNP I-NP I-PER
met VBD B-VP O
John NNP B-NP B-PER
Kerry NNP I-NP I-PER
in IN B-PP O
Geneva NNP B-NP B-LOC
on IN B-PP O
Friday NNP B-NP O
. . O O
"""


def test_the_command_prints_figures_per_type(tmp_path: Path) -> None:
    path = tmp_path / "set.txt"
    path.write_text(CONLL, encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "enrichment", "--format", "conll", str(path)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[2:6]}
    # Four gold strings (the title names Lavrov and Kerry): two rows, each full name once.
    assert rows["person"] == ["1.000", "1.000", "1.000", "4", "2"]
    assert rows["place"] == ["1.000", "1.000", "1.000", "1", "1"]
    assert "1 articles in" in result.output and "articles/s" in result.output


def test_a_wrong_format_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["eval", "enrichment", "--format", "factrueval", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "has no factRuEval-2016 *.objects files" in result.output
