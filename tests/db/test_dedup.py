"""Deduplication in the real store (SQLite and PostgreSQL): links, queue, stories, migration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from newsflow.db import dedup as dedup_store
from newsflow.db import migrate, models, store
from newsflow.db.session import get_engine, session_scope
from newsflow.flows.dedup import deduplicate_batch, deduplicate_source
from sqlalchemy import func, select, update

from newsflow.article import Article
from newsflow.dedup.stories import STORY_BAND0
from newsflow.registry import load_registry

T = datetime(2024, 5, 14, 12, tzinfo=UTC)
BODY = "\n\n".join(
    [
        "MOSCOW, May 14. /TASS/. Russia and Kazakhstan have agreed to set up a joint "
        "intergovernmental commission on shipping routes in the Caspian Sea, Russian Deputy "
        "Foreign Minister Gennady Orlovtsev told reporters on Tuesday.",
        "The commission will hold its first session in Astrakhan before the end of the summer. "
        "It will deal with navigation safety, port fees and the dredging of the Volga-Caspian "
        "canal, the diplomat said after talks with his Kazakh counterpart.",
        "Freight traffic between Russian and Kazakh Caspian ports grew by 14% in the first "
        "quarter of the year, according to figures released by the Transport Ministry.",
    ]
)
TITLE = "Russia and Kazakhstan to set up joint commission on Caspian shipping routes"
TEMPLATE = "The two sides stressed the importance of continuing cooperation in the coming period."


def _save(url: str, source: str = "tass-en", **fields: object) -> int:
    values: dict[str, object] = {"title": TITLE, "body": BODY, "published_at": T, **fields}
    article = Article(url=url, source=source, language="en", **values)  # type: ignore[arg-type]
    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
        store.save_article(session, article, None)
        return session.execute(
            select(models.Article.id).where(models.Article.url == url)
        ).scalar_one()


def _links() -> dict[int, tuple[int | None, float | None, str | None]]:
    article = models.Article
    with session_scope() as session:
        rows = session.execute(
            select(
                article.id,
                article.duplicate_of_id,
                article.duplicate_similarity,
                article.duplicate_method,
            )
        ).all()
    return {row[0]: tuple(row[1:]) for row in rows}  # type: ignore[misc]


def _near_keys(article_id: int) -> set[int]:
    band = models.ArticleBand
    with session_scope() as session:
        return set(
            session.execute(
                select(band.key).where(band.article_id == article_id, band.band < STORY_BAND0)
            ).scalars()
        )


def _pending(source: str) -> list[int]:
    with session_scope() as session:
        return dedup_store.pending_ids(session, source, 100)


def test_copies_link_to_the_earliest_original_within_and_across_sources(database_url) -> None:
    first = _save("https://tass.com/politics/1")
    exact = _save("https://tass.com/politics/2", published_at=T + timedelta(hours=1))
    near_body = BODY.replace("on Tuesday", "on Tuesday evening").replace("grew by", "rose by")
    near = _save("https://sana.sy/en/?p=1", "sana-en", body=near_body, published_at=T)
    counts = deduplicate_source("tass-en") + deduplicate_source("sana-en")

    links = _links()
    assert counts["duplicates_exact"] == 1 and counts["near_duplicates"] == 1
    assert links[exact] == (first, 1.0, "exact")
    assert links[near][0] == first and links[near][2] == "near"
    assert 0.8 <= (links[near][1] or 0) < 1.0
    assert links[first] == (None, None, None)
    assert _pending("tass-en") == [] and _pending("sana-en") == []

    # An older copy found later becomes the original; every copy now points at it.
    older = _save("https://tass.com/politics/0", published_at=T - timedelta(days=1))
    assert deduplicate_source("tass-en")["duplicates_exact"] == 1
    links = _links()
    assert {links[i][0] for i in (first, exact, near)} == {older}
    assert links[older] == (None, None, None)


def test_an_exact_copy_reads_exact_whatever_the_batch_order(database_url) -> None:
    original = _save("https://tass.com/politics/1")
    deduplicate_source("tass-en")
    near = _save("https://tass.com/politics/2", body=BODY.replace("grew by", "rose by"))
    exact = _save("https://tass.com/politics/3")  # after the near copy, in one batch with it
    deduplicate_source("tass-en")
    links = _links()
    assert links[exact] == (original, 1.0, "exact")
    assert links[near][0] == original and links[near][2] == "near"


def test_short_articles_of_one_template_are_not_linked(database_url) -> None:
    a = _save(
        "https://sana.sy/en/?p=11",
        "sana-en",
        title="Foreign Minister receives delegation of Russian parliamentarians",
        body=f"Damascus, SANA – The Minister received on Wednesday a delegation.\n\n{TEMPLATE}",
    )
    b = _save(
        "https://sana.sy/en/?p=12",
        "sana-en",
        title="Syrian embassy in Minsk marks Tishreen Liberation War anniversary",
        body=f"Minsk, SANA – The embassy held a reception on Wednesday.\n\n{TEMPLATE}",
    )
    assert deduplicate_source("sana-en")["dedup_checked"] == 2
    assert _links()[a][0] is None and _links()[b][0] is None


def test_an_edited_article_is_queued_again_and_its_bands_replaced(database_url) -> None:
    article_id = _save("https://tass.com/politics/1")
    copy_id = _save("https://tass.com/politics/2", published_at=T + timedelta(hours=1))
    deduplicate_source("tass-en")
    assert _links()[copy_id][0] == article_id
    before = _near_keys(copy_id)
    rewritten = "\n\n".join(f"Entirely new paragraph {n} about another matter." for n in range(9))
    _save("https://tass.com/politics/2", body=rewritten, published_at=T + timedelta(hours=1))
    assert _pending("tass-en") == [copy_id]
    deduplicate_source("tass-en")
    after = _near_keys(copy_id)
    assert len(before) == len(after) == 18 and not before & after
    assert _links()[copy_id] == (None, None, None)  # no longer a copy of anything


def test_a_killed_batch_leaves_its_articles_queued(database_url, monkeypatch) -> None:
    article_id = _save("https://tass.com/politics/1")
    copy_id = _save("https://tass.com/politics/2", published_at=T + timedelta(hours=1))

    def killed(*args: object) -> None:
        raise KeyboardInterrupt("killed between the two transactions")

    monkeypatch.setattr("newsflow.flows.dedup.link_duplicates", killed)
    with pytest.raises(KeyboardInterrupt):
        deduplicate_batch([article_id, copy_id])
    monkeypatch.undo()
    assert _pending("tass-en") == [article_id, copy_id]  # band keys stored, nothing decided
    assert deduplicate_source("tass-en")["duplicates_exact"] == 1
    assert _links()[copy_id][0] == article_id


def test_two_agencies_on_one_event_join_one_story(database_url) -> None:
    sana = _save(
        "https://sana.sy/en/?p=21",
        "sana-en",
        title="Russia: Kremlin waiting for US and European response to Belgian airstrikes",
        body="Moscow, SANA – Kremlin spokesman Dmitry Peskov said that the Kremlin is awaiting "
        "for the US and Europe to respond to the airstrikes carried out by Belgian aircrafts on "
        "a village in Aleppo countryside.\n\nPeskov added that the facts were published.",
    )
    tass = _save(
        "https://tass.com/politics/21",
        title="Kremlin expects Washington, Brussels to react to Belgian air raid near Aleppo",
        body="MOSCOW, May 14. /TASS/. The Kremlin expects the United States and Europe to "
        "respond to the strike by Belgian warplanes on a village near Aleppo, Kremlin spokesman "
        "Dmitry Peskov told reporters on Tuesday.",
        published_at=T + timedelta(hours=30),
    )
    late = _save(
        "https://tass.com/politics/22",
        title="Kremlin still expects Washington, Brussels to react to Belgian raid near Aleppo",
        body="MOSCOW, May 18. /TASS/. Kremlin spokesman Dmitry Peskov said the United States and "
        "Europe had not responded to the strike by Belgian warplanes near Aleppo.",
        published_at=T + timedelta(days=4),
    )
    counts = deduplicate_source("sana-en") + deduplicate_source("tass-en")
    with session_scope() as session:
        members = session.execute(
            select(models.StoryMember.article_id, models.StoryMember.story_id)
        ).all()
        story = session.execute(select(models.Story)).scalar_one()
    assert counts["stories_joined"] == 2
    assert {article for article, _ in members} == {sana, tass}  # the late one is out of window
    assert late not in {article for article, _ in members}
    assert (story.size, story.language, story.first_published_at) == (2, "en", T)
    assert story.last_published_at == T + timedelta(hours=30)


def test_migration_0005_up_and_down_with_rows(database_url) -> None:
    first = _save("https://tass.com/politics/1")
    copy = _save("https://tass.com/politics/2")
    deduplicate_source("tass-en")
    migrate.downgrade(database_url, "0004")
    engine = get_engine(database_url)
    with engine.begin() as connection:  # as the old exact dedup left it
        connection.execute(
            update(models.Article.__table__)
            .where(models.Article.__table__.c.id == copy)
            .values(duplicate_of_id=first)
        )
    migrate.upgrade(database_url)
    links = _links()
    assert links[copy] == (first, 1.0, "exact")
    assert sorted(_pending("tass-en")) == [first, copy]  # band keys are built on the next run
    deduplicate_source("tass-en")
    with session_scope() as session:
        bands = session.execute(select(func.count()).select_from(models.ArticleBand)).scalar()
    assert bands and _links()[copy][0] == first
