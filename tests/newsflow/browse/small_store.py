"""A small store for the browse tests: one event told by three agencies in three languages,
a copy of one of them, and two more articles that a search with an exclusion ranks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsflow.db import migrate, models, store
from newsflow.db.session import session_scope
from newsflow.db.stories import save_story
from sqlalchemy import select, update

from newsflow.article import Article
from newsflow.dedup.decisions import StoryPlan
from newsflow.dedup.stories import STORY_METHOD
from newsflow.registry import load_registry


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2016, 10, day, hour, minute, tzinfo=UTC)


_LEAD = (
    "Moscow, SANA – Kremlin spokesman Dmitry Peskov said Moscow is waiting for the United "
    "States and the European Union to respond to the Belgian airstrikes on Hassadjek village "
    "in the countryside of Aleppo, which killed six civilians."
)
_FILLER = (
    "Officials in several capitals were asked about the raid during the day, and each said "
    "the facts should be established before anything else is decided."
)
ARTICLES = {
    "kremlin": Article(
        url="https://sana.sy/en/?p=92385",
        source="sana-en",
        language="en",
        title="Kremlin waits for US and European response to Belgian airstrikes in Aleppo",
        body="\n\n".join([_LEAD, *[_FILLER] * 14]),  # some 2,500 characters
        published_at=_at(19, 12, 42),
    ),
    "arabic": Article(
        url="https://sana.sy/?p=462137",
        source="sana-ar",
        language="ar",
        title="الكرملين ينتظر رد الولايات المتحدة وأوروبا على الغارات البلجيكية في حلب",
        body="قال المتحدث باسم الكرملين دميتري بيسكوف إن موسكو تنتظر رد واشنطن والاتحاد الأوروبي.",
        published_at=_at(19, 13, 5),
    ),
    "russian": Article(
        url="https://ria.ru/20161019/1479512345.html",
        source="ria-ru",
        language="ru",
        title="Кремль ждет реакции США и ЕС на удар бельгийских ВВС под Алеппо",
        body="Пресс-секретарь президента Дмитрий Песков заявил, что Москва ждет реакции.",
        published_at=_at(19, 11, 30),
    ),
    # Matches "Belgian airstrikes" in its title, not Aleppo: the best match of the exclusion.
    "brussels": Article(
        url="https://www.aa.com.tr/en/europe/belgian-airstrikes-brussels/123",
        source="anadolu-en",
        language="en",
        title="Belgian airstrikes: Brussels says its F-16 jets were elsewhere that night",
        body="The defence ministry in Brussels denied that its jets had taken part in the raid.",
        published_at=_at(18, 9),
    ),
    # Newer, and names the airstrikes once deep in a long body: ranks below the title match.
    "ministers": Article(
        url="https://www.aa.com.tr/en/europe/eu-ministers-luxembourg/124",
        source="anadolu-en",
        language="en",
        title="EU foreign ministers meet in Luxembourg",
        body="\n\n".join([*[_FILLER] * 10, "The Belgian airstrikes were raised briefly.", _FILLER]),
        published_at=_at(21, 16),
    ),
}
COPY_URL = "https://tass.com/world/copy-of-sana-92385"
ORDER_OF_THE_EXCLUSION = ["brussels", "ministers"]  # `Belgian airstrikes -Aleppo`, best first


def build(path: Path) -> tuple[dict[str, int], int]:
    """Migrate a SQLite store at ``path`` and save ARTICLES, the copy and the story.

    Returns article ids by ARTICLES key (and "copy") and the story's id.
    """
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        for article in ARTICLES.values():
            store.save_article(session, article, None)
        kremlin = ARTICLES["kremlin"]
        store.save_article(session, kremlin.evolve(url=COPY_URL, source="tass-en"), None)
        by_url = dict(session.execute(select(models.Article.url, models.Article.id)).all())
        ids = {key: by_url[article.url] for key, article in ARTICLES.items()}
        ids["copy"] = by_url[COPY_URL]
        session.execute(
            update(models.Article)
            .where(models.Article.id == ids["copy"])
            .values(duplicate_of_id=ids["kremlin"], duplicate_method="exact")
        )
        members = ((ids["kremlin"], 1.0), (ids["arabic"], 0.71), (ids["russian"], 0.64))
        story = save_story(session, StoryPlan(None, members), None, STORY_METHOD)
    return ids, story
