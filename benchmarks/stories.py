"""The bench site's stories: originals on two agencies, and exact and near copies across them.

Shares of the generated ``articles`` (real pages come beside them: realpages.py): benchwire
English 50 %, Arabic 15 %, Russian 15 %; benchpost English 20 %, of which a quarter are exact
copies and a quarter near copies (about 3 % of the words changed) of benchwire English
stories, published a few hours after them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from benchmarks.text import SECTIONS, TextMaker

START = datetime(2024, 1, 1, 6, tzinfo=UTC)
PER_DAY = 50  # stories a day over all sources: the window grows with the site
# (agency, edition) and share of all stories.
SHARES = ((("benchwire", "en"), 0.50), (("benchwire", "ar"), 0.15), (("benchwire", "ru"), 0.15))
COPIER = ("benchpost", "en")
AUTHORS = ("Anna Keller", "Omar Saleh", "Ivan Orlov", "Leila Haddad", "Tom Becker")


@dataclass(frozen=True)
class Story:
    """One article page of the generated site."""

    n: int
    agency: str
    language: str
    section: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    author: str
    kind: str = "original"  # original | exact | near | real
    origin: str | None = None  # a real page's dev set id and replica number (realpages.py)

    @property
    def source(self) -> str:
        """The registry source id."""
        return f"{self.agency}-{self.language}"

    @property
    def url(self) -> str:
        """Its canonical address: /<lang>/<section>/<yyyy>/<mm>/<dd>/story-<n>/."""
        day = self.published.strftime("%Y/%m/%d")
        return f"https://{self.agency}.example/{self.language}/{self.section}/{day}/story-{self.n}/"


def window(articles: int) -> timedelta:
    """How long a site of ``articles`` stories spans: PER_DAY stories a day."""
    return timedelta(days=max(articles / PER_DAY, 1))


def make_stories(articles: int, seed: int = 12, span: timedelta | None = None) -> list[Story]:
    """``articles`` stories, oldest first, their times spread over ``span`` (default: at
    PER_DAY a day)."""
    rng = random.Random(seed)
    span = span or window(articles)
    stories: list[Story] = []
    counts = [(key, int(articles * share)) for key, share in SHARES]
    counts.append((COPIER, articles - sum(c for _, c in counts)))
    for (agency, language), count in counts:
        text = TextMaker(language, rng)
        for i in range(count):
            published = START + span * (i + rng.random()) / count
            stories.append(_original(len(stories), agency, language, published, text, rng))
    _plant_copies(stories, rng)
    return sorted(stories, key=lambda s: s.published)


def _original(
    n: int, agency: str, language: str, published: datetime, text: TextMaker, rng: random.Random
) -> Story:
    return Story(
        n=n,
        agency=agency,
        language=language,
        section=rng.choice(SECTIONS),
        title=text.title(),
        paragraphs=tuple(text.paragraphs()),
        published=published.replace(second=0, microsecond=0),
        author=rng.choice(AUTHORS),
    )


def _plant_copies(stories: list[Story], rng: random.Random) -> None:
    """Turn half of the copier's stories into exact or near copies of benchwire English ones."""
    originals = [s for s in stories if (s.agency, s.language) == ("benchwire", "en")]
    copier = [i for i, s in enumerate(stories) if (s.agency, s.language) == COPIER]
    text = TextMaker("en", rng)
    for turn, index in enumerate(copier[: len(copier) // 2]):
        mine, theirs = stories[index], rng.choice(originals)
        near = turn % 2 == 1
        stories[index] = Story(
            n=mine.n,
            agency=mine.agency,
            language=mine.language,
            section=theirs.section,
            title=theirs.title,
            paragraphs=tuple(text.edited(list(theirs.paragraphs))) if near else theirs.paragraphs,
            published=theirs.published + timedelta(hours=rng.uniform(1, 6)),
            author=mine.author,
            kind="near" if near else "exact",
        )
