"""Labelled sets read as documents: titles, bodies and gold names by kind."""

from __future__ import annotations

from pathlib import Path

from newsflow.ner_eval import read_conll, read_factrueval

# IOB1 (CoNLL-2003): I- opens a name unless it continues one of its type; B- splits two.
CONLL = """-DOCSTART- -X- -X- O

EU NNP B-NP I-ORG
rejects VBZ B-VP O
German JJ B-NP I-MISC
call NN I-NP O
. . O O

Peter NNP B-NP I-PER
Blackburn NNP I-NP I-PER
met VBD B-VP O
Dmitry NNP B-NP I-PER
Peskov NNP I-NP I-PER
Sergey NNP I-NP B-PER
Lavrov NNP I-NP I-PER
in IN B-PP O
BRUSSELS NNP B-NP I-LOC
. . O O

-DOCSTART- -X- -X- O

Moscow NNP B-NP B-LOC
"""


def test_conll_documents_names_and_layout(tmp_path: Path) -> None:
    path = tmp_path / "valid.txt"
    path.write_text(CONLL, encoding="utf-8")
    first, second = read_conll(path)
    assert first.title == "EU rejects German call ."
    assert first.body == "Peter Blackburn met Dmitry Peskov Sergey Lavrov in BRUSSELS ."
    assert first.gold == {
        "person": {"Peter Blackburn", "Dmitry Peskov", "Sergey Lavrov"},
        "organisation": {"EU"},
        "place": {"BRUSSELS"},
    }
    assert (second.title, second.body, second.gold["place"]) == ("Moscow", "", {"Moscow"})


def test_conll_two_columns_and_arabic_tags(tmp_path: Path) -> None:
    path = tmp_path / "ar.txt"
    path.write_text("-DOCSTART-\n\nبشار\tB-PERS\nالأسد\tI-PERS\nفي\tO\nدمشق\tB-LOC\n", "utf-8")
    (document,) = read_conll(path)
    assert document.gold["person"] == {"بشار الأسد"}
    assert document.gold["place"] == {"دمشق"}


def test_factrueval_objects_span_their_first_to_last_span(tmp_path: Path) -> None:
    text = "Встреча в Москве\n\nПосол Виторио Сандали встретился в миде Грузии."
    (tmp_path / "book_1.txt").write_text(text, encoding="utf-8")
    tokens = [(0, "Встреча"), (8, "в"), (10, "Москве"), (None, ""), (18, "Посол")]
    (tmp_path / "book_1.tokens").write_text(
        "".join(
            f"{i} {s} {len(t)} {t}\n" if s is not None else "\n" for i, (s, t) in enumerate(tokens)
        ),
        encoding="utf-8",
    )
    spans = {
        "1": ("loc_name", "Москве"),
        "2": ("name", "Виторио"),
        "3": ("surname", "Сандали"),
        "4": ("org_name", "миде"),
        "5": ("loc_name", "Грузии"),
    }
    (tmp_path / "book_1.spans").write_text(
        "".join(
            f"{i} {kind} {text.index(w)} {len(w)} 0 1  # 0 {w}\n" for i, (kind, w) in spans.items()
        ),
        encoding="utf-8",
    )
    (tmp_path / "book_1.objects").write_text(
        "10 Location 1 # Москве\n11 Person 2 3 # Виторио Сандали\n"
        "12 Org 4 5 # миде Грузии\n13 LocOrg 5 # Грузии\n14 Event 4 # skipped\n",
        encoding="utf-8",
    )
    (document,) = read_factrueval(tmp_path)
    assert (document.title, document.body) == ("Встреча в Москве", text.split("\n\n")[1])
    assert document.gold == {
        "person": {"Виторио Сандали"},
        "organisation": {"миде Грузии"},
        "place": {"Москве", "Грузии"},
    }
