"""The Russian model: kinds, offsets into the text given, names in the nominative, long texts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsflow.enrichment.ner.russian import russian_mentions, warm_up


@pytest.fixture(scope="module", autouse=True)
def _models() -> Iterator[None]:
    warm_up()  # once for the module: loading takes about a second
    yield


def _found(text: str) -> list[tuple[str, str, str | None]]:
    """``(kind, text read, value)`` of each mention, checking its offsets on the way."""
    found = []
    for mention in russian_mentions(text):
        written = text[mention.start : mention.end]
        assert written and written == written.strip()
        found.append((mention.kind, written, mention.value))
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Вечер памяти Александра Вертинского прошёл в Санкт-Петербурге.",
            [
                ("person", "Александра Вертинского", "Александр Вертинский"),
                ("place", "Санкт-Петербурге", "Санкт-Петербург"),
            ],
        ),
        (
            "Официальный представитель Министерства иностранных дел России Мария Захарова "
            "ответила на вопросы журналистов в Москве.",
            [
                # The country an organisation is of is part of its name, and a place too.
                (
                    "organisation",
                    "Министерства иностранных дел России",
                    "Министерство иностранных дел России",
                ),
                ("place", "России", "Россия"),
                ("person", "Мария Захарова", "Мария Захарова"),
                ("place", "Москве", "Москва"),
            ],
        ),
        (
            "Губернатор Нижегородской области Глеб Никитин открыл новый мост через Волгу "
            "в Нижнем Новгороде.",
            [
                ("place", "Нижегородской области", "Нижегородская область"),
                ("person", "Глеб Никитин", "Глеб Никитин"),
                ("place", "Волгу", "Волга"),
                ("place", "Нижнем Новгороде", "Нижний Новгород"),
            ],
        ),
        (
            "Акции Сбербанка и «Газпрома» подорожали на Московской бирже во вторник.",
            [
                ("organisation", "Сбербанка", "Сбербанк"),
                ("organisation", "Газпрома", "Газпром"),
                ("organisation", "Московской бирже", "Московская биржа"),
            ],
        ),
        (
            # Names the dictionary does not know are read from their endings.
            "Канцлер Германии Олаф Шольц обсудил с Эммануэлем Макроном поставки газа, "
            "а в Тусоне прошла конференция Университета Аризоны.",
            [
                ("place", "Германии", "Германия"),
                ("person", "Олаф Шольц", "Олаф Шольц"),
                ("person", "Эммануэлем Макроном", "Эммануэль Макрон"),
                ("place", "Тусоне", "Тусон"),
                ("organisation", "Университета Аризоны", "Университет Аризоны"),
            ],
        ),
        (
            "Встреча Владимира Путина и Си Цзиньпина прошла в Пекине.",
            [
                ("person", "Владимира Путина", "Владимир Путин"),
                ("person", "Си Цзиньпина", "Си Цзиньпин"),
                ("place", "Пекине", "Пекин"),
            ],
        ),
    ],
    ids=["person-and-city", "ministry", "region-and-city", "companies", "unknown-words", "leaders"],
)
def test_names_with_their_kinds_and_nominative_forms(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _found(text) == expected


def test_offsets_index_the_title_and_body_given() -> None:
    title = "Лавров прилетел в Анкару"
    body = "Глава МИД России Сергей Лавров встретился в Анкаре с Хаканом Фиданом."
    text = f"{title}\n\n{body}"

    def at(part: str, where: int) -> tuple[int, int]:
        start = text.index(part, where)
        return start, start + len(part)

    body_at = len(title) + 2
    assert [(m.kind, m.start, m.end, m.value) for m in russian_mentions(text)] == [
        ("person", *at("Лавров", 0), "Лавров"),
        ("place", *at("Анкару", 0), "Анкара"),
        ("organisation", *at("МИД России", body_at), "МИД России"),
        ("place", *at("России", body_at), "Россия"),
        ("person", *at("Сергей Лавров", body_at), "Сергей Лавров"),
        ("place", *at("Анкаре", body_at), "Анкара"),
        ("person", *at("Хаканом Фиданом", body_at), "Хакан Фидан"),
    ]


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \n \t\n"])
def test_an_empty_text_has_no_names(text: str) -> None:
    assert russian_mentions(text) == []


def test_a_text_without_names_has_none() -> None:
    text = "Сегодня утром в городе шёл дождь, а к вечеру заметно потеплело.\n\nВетер стих."
    assert russian_mentions(text) == []


@pytest.mark.parametrize(
    ("separator", "size"),
    [("\n\n", 200_000), (" ", 60_000)],
    ids=["paragraphs", "one-paragraph"],
)
def test_a_long_text_is_read_whole_with_its_offsets(separator: str, size: int) -> None:
    # The text is read in pieces of some 20 KB, cut between paragraphs, else sentences.
    block = (
        "Пресс-секретарь Кремля Дмитрий Песков отказался комментировать слова Байдена. "
        "Мэр Москвы Сергей Собянин открыл станцию метро."
    )
    text = separator.join([block] * (size // (len(block) + len(separator)) + 1))
    once = _found(block)
    assert [kind for kind, _, _ in once] == ["place", "person", "person", "place", "person"]
    found = _found(text)
    assert len(found) == len(once) * text.count(block)
    assert set(found) == set(once)
