"""Seeded news-like text in English, Arabic and Russian for the generated bench site.

Sentences are drawn from small per-language vocabularies (function words carry the language,
so language identification works on them) with names and places mixed in, as wire copy has.
"""

from __future__ import annotations

import random


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


WORDS = {
    "en": _split(
        "the of and to in a that for on with as by at from said has have was were will would "
        "government minister talks meeting officials country capital security forces economic "
        "agreement ministry president prime foreign defence trade energy prices market week "
        "year month day today tuesday wednesday thursday friday statement report according "
        "spokesman visit cooperation region border negotiations council parliament vote law "
        "budget growth inflation exports imports oil gas grain port railway project support "
        "people residents city province village hospital school water electricity aid "
        "humanitarian delegation summit bilateral relations development investment billion "
        "million percent new first second last also after before during between against under "
        "about more than other their its this these those which while since however"
    ),
    "ru": _split(
        "и в на с по к из за от что как это был была были будет также после перед во время "
        "между против около более чем другой его её их этот эти который однако правительство "
        "министр переговоры встреча представители страна столица безопасность экономический "
        "соглашение министерство президент премьер иностранных дел обороны торговля энергетика "
        "цены рынок неделя год месяц день сегодня вторник среду четверг пятницу заявление "
        "доклад сообщил заявил пресс-секретарь визит сотрудничество регион граница совет "
        "парламент закон бюджет рост инфляция экспорт импорт нефть газ зерно порт железная "
        "дорога проект поддержка жители город область село больница школа вода помощь делегация "
        "саммит двусторонние отношения развитие инвестиции миллиард миллион процент новый "
        "первый второй последний"
    ),
    "ar": _split(
        "في من إلى على عن مع أن قال قالت وقد كان كانت سوف بعد قبل خلال بين ضد حول أكثر من هذا "
        "هذه التي الذي الذين وزير الحكومة رئيس الوزراء الخارجية الدفاع محادثات اجتماع مسؤولين "
        "البلاد العاصمة الأمن القوات الاقتصادية اتفاق وزارة التجارة الطاقة الأسعار السوق "
        "الأسبوع العام الشهر اليوم الثلاثاء الأربعاء الخميس الجمعة بيان تقرير وفقا المتحدث "
        "زيارة التعاون المنطقة الحدود المفاوضات المجلس البرلمان القانون الميزانية النمو التضخم "
        "الصادرات الواردات النفط الغاز القمح الميناء السكك الحديدية المشروع الدعم السكان "
        "المدينة المحافظة القرية المستشفى المدرسة المياه الكهرباء المساعدات الإنسانية الوفد "
        "القمة العلاقات الثنائية التنمية الاستثمار مليار مليون بالمئة جديد الأول الثاني الأخير "
        "أيضا"
    ),
}
NAMES = {
    "en": _split(
        "Damascus Moscow Ankara Tehran Beijing Cairo Baghdad Aleppo Latakia Homs Geneva Vienna "
        "Ahmed Hassan Sergei Lavrov Maria Petrova Mehmet Yilmaz Li Wei Sara Khalil"
    ),
    "ru": _split(
        "Москва Дамаск Анкара Тегеран Пекин Каир Багдад Женева Вена Сергей Лавров Мария Петрова "
        "Алексей Смирнов Ирина Волкова"
    ),
    "ar": _split(
        "دمشق موسكو أنقرة طهران بكين القاهرة بغداد حلب اللاذقية حمص جنيف فيينا أحمد حسن محمد "
        "خليل سارة يوسف"
    ),
}
SECTIONS = ("politics", "economy", "world", "society", "science", "sports")


class TextMaker:
    """Sentences, paragraphs and titles in one language from one seeded generator."""

    def __init__(self, language: str, rng: random.Random) -> None:
        self.language, self.rng = language, rng
        self.words, self.names = WORDS[language], NAMES[language]

    def sentence(self, low: int = 12, high: int = 26) -> str:
        """One sentence: common words with a name or place every few words."""
        words = self.rng.choices(self.words, k=self.rng.randint(low, high))
        for i in range(0, len(words), 7):
            words[self.rng.randrange(i, len(words))] = self.rng.choice(self.names)
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        """Two to five sentences."""
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def paragraphs(self, low: int = 5, high: int = 12) -> list[str]:
        """An article body."""
        return [self.paragraph() for _ in range(self.rng.randint(low, high))]

    def title(self) -> str:
        """A headline of eight to thirteen words."""
        return self.sentence(8, 13).rstrip(".")

    def short(self) -> str:
        """A teaser or a comment: one short sentence."""
        return self.sentence(6, 14)

    def edited(self, paragraphs: list[str], share: float = 0.03) -> list[str]:
        """A near copy: about ``share`` of the words replaced, as rewrites and typo fixes do."""
        out = []
        for paragraph in paragraphs:
            words = paragraph.split(" ")
            for i in self.rng.sample(range(len(words)), max(1, int(len(words) * share))):
                words[i] = self.rng.choice(self.words)
            out.append(" ".join(words))
        return out
