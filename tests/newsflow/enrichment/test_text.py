"""Folding lets declined and prefixed forms of a name meet its dictionary form."""

from __future__ import annotations

import pytest

from newsflow.enrichment.text import arabic_variants, fold, fold_name, tokenize


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("Москвы", "Москва"),
        ("Москве", "Москва"),
        ("России", "Россия"),
        ("Петрозаводске", "Петрозаводск"),
        ("Карелии", "Карелия"),
        ("Ростове", "Ростов"),
        ("Тихомирова", "Тихомиров"),
    ],
)
def test_russian_case_endings_fold_together(inflected: str, base: str) -> None:
    assert fold(inflected) == fold(base)


def test_latin_folding_drops_case_and_accents() -> None:
    assert fold_name("TÜRKİYE") == fold_name("Turkiye") == "turkiye"
    assert fold_name("ST. PETERSBURG") == "st petersburg"


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("والولايات", "الولايات"),  # و + the
        ("بحلب", "حلب"),  # ب
        ("للرياض", "الرياض"),  # ل + ال, alif dropped
        ("وأوروبا", "اوروبا"),  # hamza unified
        ("البلجيكي", "بلجيكي"),  # the article itself
    ],
)
def test_arabic_clitics_are_stripped(word: str, stem: str) -> None:
    assert stem in arabic_variants(fold(word))


def test_arabic_letters_are_unified() -> None:
    assert fold("إرنا") == fold("ارنا")
    assert fold("مدينة") == "مدينه"


def test_tokens_keep_offsets() -> None:
    text = "Moscow, SANA – Kremlin spokesman Dmitry Peskov"
    tokens = tokenize(text)
    assert [text[t.start : t.end] for t in tokens][:3] == ["Moscow", "SANA", "Kremlin"]
    assert tokens[-1].norm == "peskov"
