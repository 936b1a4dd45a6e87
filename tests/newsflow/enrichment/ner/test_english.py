"""The English CRF: spans and offsets, sentences, and training that sees what tagging sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.enrichment.ner import english, mentions
from newsflow.enrichment.ner.english import english_mentions, spans
from newsflow.enrichment.ner.features import sentences
from newsflow.enrichment.ner.training import examples, train
from newsflow.enrichment.text import tokenize


def _names(text: str) -> list[tuple[str, str]]:
    return [(m.kind, text[m.start : m.end]) for m in english_mentions(text)]


def test_names_of_a_wire_story_without_cues() -> None:
    text = (
        "Wasim Akram took five wickets as Pakistan beat England at Lord's.\n\n"
        "Feyenoord signed Reggie Blinker from Sheffield Wednesday, the Dutch club said "
        "in Rotterdam."
    )
    found = _names(text)
    assert {("person", "Wasim Akram"), ("person", "Reggie Blinker")} <= set(found)
    assert ("place", "Rotterdam") in found
    assert ("organisation", "Feyenoord") in found


def test_offsets_index_the_text_given() -> None:
    text = "Title\n\nUN envoy Staffan de Mistura met Bashar al-Assad in Damascus on Monday."
    for mention in english_mentions(text):
        assert text[mention.start : mention.end].strip() == text[mention.start : mention.end]
    assert ("person", "Bashar al-Assad") in _names(text)
    assert ("place", "Damascus") in _names(text)


def test_iob2_labels_become_spans() -> None:
    labels = ["B-PER", "I-PER", "O", "I-LOC", "B-ORG", "B-ORG", "I-ORG", "I-PER"]
    assert list(spans(labels)) == [
        ("PER", 0, 1),
        ("LOC", 3, 3),
        ("ORG", 4, 4),
        ("ORG", 5, 6),
        ("PER", 7, 7),
    ]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Mr. Smith met St. John in the U.S. capital. He left.", 2),
        ("M. Gatting scored. J. Adams did not.", 2),
        ("It rained.\nThen it stopped", 2),
        ("no end in sight. and on it goes", 1),  # a lower-case word continues the sentence
    ],
)
def test_sentences_end_at_full_stops_not_abbreviations(text: str, count: int) -> None:
    assert len(sentences(text, tokenize(text))) == count


def test_a_long_sentence_is_cut_so_tagging_stays_linear() -> None:
    text = " ".join(["word"] * 1000)
    assert max(last - first for first, last in sentences(text, tokenize(text))) <= 120


CONLL = """-DOCSTART- -X- -X- O

Peskov NNP B-NP I-PER
's POS B-NP O
U.S. NNP I-NP I-LOC
visit NN I-NP O
. . O O

Dmitry NNP B-NP I-PER
Peskov NNP I-NP I-PER
spoke VBD B-VP O
in IN B-PP O
Moscow NNP B-NP I-LOC
. . O O
"""


def test_training_lays_documents_out_as_articles(tmp_path: Path) -> None:
    path = tmp_path / "train.txt"
    path.write_text(CONLL, encoding="utf-8")
    (title_features, title_labels), (_, body_labels) = examples(path)
    # "Peskov 's" is written "Peskov's"; "U.S." splits into two words of one place.
    assert title_labels == ["B-PER", "B-LOC", "I-LOC", "O"]
    assert "possessive" in title_features[0] and "w:peskov" in title_features[0]
    assert body_labels == ["B-PER", "I-PER", "O", "O", "B-LOC"]


def test_a_trained_model_tags_what_it_learnt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, model = tmp_path / "train.txt", tmp_path / "tiny.crfsuite"
    path.write_text(CONLL * 5, encoding="utf-8")
    train(path, model)
    monkeypatch.setattr(english, "MODEL", model)
    english._tagger.cache_clear()
    try:
        assert ("place", "Moscow") in _names("Dmitry Peskov spoke in Moscow.")
    finally:
        english._tagger.cache_clear()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_lone_surrogate_is_read_past_with_every_offset_kept(language: str) -> None:
    # Hypothesis found it: CRFsuite raised SystemError on a lone surrogate in a feature.
    text = (
        "Mr \udcff Smith met Barack Obama in Paris."
        if language == "en"
        else "Путин \ud800 встретился с Лавровым в Москве."
    )
    found = mentions(text, language)
    assert found and all(text[m.start : m.end].strip() == text[m.start : m.end] for m in found)
    assert [m.kind for m in found][-1] == "place"
