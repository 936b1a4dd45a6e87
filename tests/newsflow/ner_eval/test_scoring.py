"""The held-out scoring rules: case-folded names, a surname meets the full name, micro counts."""

from __future__ import annotations

from newsflow.ner_eval.scoring import Counts, meets, name, score_document


def test_names_are_case_folded_words() -> None:
    assert name("Dmitry  PESKOV's") == ("dmitry", "peskov", "s")
    assert name("Александра Вертинского", prefix=5) == name("Александр Вертинский", prefix=5)


def test_a_surname_meets_the_full_name_both_ways() -> None:
    assert meets(name("Peskov"), name("Dmitry Peskov"))
    assert meets(name("Dmitry Sergeyevich Peskov"), name("Dmitry Peskov"))
    assert not meets(name("Dmitry"), name("Dmitry Peskov"))  # the last words differ
    assert not meets(name("Anna Peskov"), name("Dmitry Peskov"))  # Anna is no word of the gold
    assert not meets((), name("Peskov"))


def test_a_document_counts_each_prediction_and_gold_name_once() -> None:
    gold = {name("Dmitry Peskov"), name("Sergey Lavrov"), name("Maria Zakharova")}
    predictions = [
        {name("Peskov"), name("Dmitry Peskov")},  # value and text: one prediction
        {name("Peskov"), name("Dmitry Peskov")},  # the same again: counted once
        {name("Lavrov")},
        {name("Kremlin")},
    ]
    counts = score_document(predictions, gold)
    assert (counts.predicted, counts.correct, counts.gold, counts.found) == (3, 2, 3, 2)
    assert (round(counts.precision, 3), round(counts.recall, 3)) == (0.667, 0.667)


def test_counts_add_up_to_micro_figures() -> None:
    total = Counts()
    total.add(Counts(predicted=4, correct=3, gold=5, found=3))
    total.add(Counts(predicted=1, correct=1, gold=1, found=1))
    assert (total.precision, total.recall) == (0.8, 4 / 6)
    assert round(total.f1, 4) == round(2 * 0.8 * (4 / 6) / (0.8 + 4 / 6), 4)
    assert Counts().f1 == 0.0
