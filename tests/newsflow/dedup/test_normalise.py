"""Normalisation: trivially different copies of a text fold to the same words."""

from __future__ import annotations

from newsflow.dedup.normalise import (
    fold,
    normalise_body,
    strip_boilerplate,
    strip_credits,
    strip_dateline,
    tokens,
)
from newsflow.dedup.shingles import shingles
from newsflow.registry import get_source

TASS_RULE = get_source("tass-en").agency.rules.dateline
RIA_RULE = get_source("ria-ru").agency.rules.dateline

ARABIC = (
    "أعلنَ المتحدثُ باسمِ الكرملينِ ديمتري بيسكوف أنَّ موسكو تنتظرُ من واشنطن والعواصمِ "
    "الأوروبيةِ موقفاً واضحاً إزاءَ الغاراتِ على قرية حسّاجك في ريف حلب الشمالي، مؤكدةً ضرورة "
    "التحقيق."
)
# The same sentence without harakat or shadda, with a stretched word (tatweel), bare alefs
# for hamzated ones and ha for ta marbuta.
ARABIC_PLAIN = (
    "اعلن المتحـــدث باسم الكرملين ديمتري بيسكوف ان موسكو تنتظر من واشنطن والعواصم الاوروبيه "
    "موقفا واضحا ازاء الغارات على قريه حساجك في ريف حلب الشمالي، مؤكده ضروره التحقيق."
)
RUSSIAN = (
    "МОСКВА, 19 окт — РИА Новости. Министерство транспорта предложило продлить до 2019 года "
    "программу субсидирования региональных авиаперевозок, сообщил замминистра Игорь Самойлов. "
    "Ещё три авиакомпании получат поддержку."
)
# Another agency's copy: its own dateline, ё spelt е, a stress mark, NBSP and other spacing.
RUSSIAN_COPY = (
    "МОСКВА, 19 окт — РИА Новости.\n Министерство  транспорта предложило продлить до\u00a02019 "
    "года программу субсидирования региональных авиаперевозок, сообщил замминистра И́горь "
    "Самойлов. Еще три авиакомпании получат поддержку.\nФото: РИА Новости"
)


def test_arabic_variants_diacritics_and_tatweel_fold_alike() -> None:
    assert fold(ARABIC) == fold(ARABIC_PLAIN)
    assert fold("إلى آخر أمر مسؤولية الرئاسة ٢٠٢٤") == "الي اخر امر مسووليه الرياسه 2024"


def test_arabic_pair_hashes_alike() -> None:
    a = shingles(tokens(normalise_body(ARABIC)))
    b = shingles(tokens(normalise_body(ARABIC_PLAIN)))
    assert a.size > 20
    assert a.tolist() == b.tolist()


def test_russian_pair_hashes_alike() -> None:
    a = shingles(tokens(normalise_body(RUSSIAN, [RIA_RULE])))
    b = shingles(tokens(normalise_body(RUSSIAN_COPY, [RIA_RULE])))
    assert a.size > 15
    assert a.tolist() == b.tolist()
    assert normalise_body(RUSSIAN, [RIA_RULE]).startswith("министерство транспорта")


def test_fold_handles_case_width_and_whitespace() -> None:
    assert fold("  Ｋremlin\u00a0WAITS\n\tfor  Café ") == "kremlin waits for cafe"


def test_datelines_of_every_shape_are_cut() -> None:
    assert strip_dateline("MOSCOW, May 14. /TASS/. Russia and Kazakhstan", [TASS_RULE]) == (
        "Russia and Kazakhstan"
    )
    assert strip_dateline("Moscow, SANA – Kremlin spokesman said") == "Kremlin spokesman said"
    assert strip_dateline("JIUQUAN, May 14 (Xinhua) -- China on Tuesday") == "China on Tuesday"
    assert strip_dateline("TEHRAN, May 13 (IRNA) - The tunnel") == "The tunnel"
    assert strip_dateline("The minister said on Monday") == "The minister said on Monday"


def test_credit_lines_leave_the_ends_of_a_body() -> None:
    text = ["The minister said so.", "Talks resume today."]
    signed = ["By Jane Doe", *text, "(Reporting by A; Editing by B)", "Hazem Sabbagh"]
    assert strip_credits(signed) == text
    assert strip_credits([*text, "Source: SANA", "ENDS"]) == text
    assert strip_credits([*text, "Mahmoud"], authors=["Mahmoud"]) == text
    # Real closing sentences stay.
    closing = ["By the end of the year exports should double, he said.", "Talks Resume Today."]
    assert strip_credits([*text, *closing]) == [*text, *closing]


def test_boilerplate_paragraphs_leave_the_body() -> None:
    paragraphs = [
        "Text one.",
        "Follow us on Telegram",
        "Read also: Kremlin waits",
        "Читайте также: новости дня",
        "Text two.",
    ]
    assert strip_boilerplate(paragraphs) == ["Text one.", "Text two."]


def test_tokens_split_han_characters_and_drop_punctuation() -> None:
    assert tokens(fold("中国发射卫星, in 2024!")) == [
        "中",
        "国",
        "发",
        "射",
        "卫",
        "星",
        "in",
        "2024",
    ]
