"""Versions, removals and revisit selection in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from newsflow.db import dedup, enrichment, models, revisits, store
from newsflow.db.session import session_scope
from sqlalchemy import insert, select, text, update

from newsflow.article import Article
from newsflow.registry import Revisit, load_registry

DAMASCUS = timezone(timedelta(hours=3))
URL = "https://sana.sy/en/?p=92385"
ARTICLE = Article(
    url=URL,
    title="Russia: Kremlin waiting for US and European response",
    body=(
        "Moscow, SANA – Kremlin spokesman Dmitry Peskov said that the Kremlin is awaiting a "
        "response to the airstrikes on Hassadjek village.\n\n"
        "Peskov added that Moscow expects the coalition to explain the raid.\n\n"
        "The statement came after talks between Sergey Lavrov and John Kerry."
    ),
    language="en",
    published_at=datetime(2016, 10, 19, 15, 42, 10, tzinfo=DAMASCUS),
    authors=("Hazem Sabbagh",),
    source="sana-en",
)
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _body(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


P1, P2, P3 = ARTICLE.body.split("\n\n")
NOISE = {
    "whitespace": ARTICLE.evolve(body=ARTICLE.body.replace(" ", "  ").replace("\n\n", "\n \n\n")),
    "share count": ARTICLE.evolve(body=_body(P1, P2, P3, "1,204 shares")),
    "view counter": ARTICLE.evolve(body=_body(P1, "Views: 5.2K", P2, P3)),
    "share bar": ARTICLE.evolve(body=_body(P1, P2, P3, "Share 12 | Tweet 3")),
    "teaser": ARTICLE.evolve(
        body=_body(P1, "Read also: Lavrov and Kerry discuss the ceasefire in Geneva", P2, P3)
    ),
    "follow line": ARTICLE.evolve(body=_body(P1, P2, P3, "Follow us on Telegram")),
    "case and Unicode form": ARTICLE.evolve(title=ARTICLE.title.upper().replace("US", "ＵＳ")),
    "date lost": ARTICLE.evolve(published_at=None),
    "date to the second": ARTICLE.evolve(
        published_at=datetime(2016, 10, 19, 15, 42, 0, tzinfo=DAMASCUS)
    ),
    "same instant, other offset": ARTICLE.evolve(
        published_at=datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    ),
}
EDITS = {
    "one word": (ARTICLE.evolve(body=ARTICLE.body.replace("spokesman", "aide")), ["body"]),
    "paragraph added": (
        ARTICLE.evolve(body=_body(P1, P2, P3, "Correction: the raid was on Tuesday.")),
        ["body"],
    ),
    "paragraph removed": (ARTICLE.evolve(body=_body(P1, P3)), ["body"]),
    "title": (ARTICLE.evolve(title="Kremlin still waiting for a US response"), ["title"]),
    "byline": (ARTICLE.evolve(authors=("Mazen Eyon",)), ["authors"]),
    "date": (
        ARTICLE.evolve(published_at=datetime(2016, 10, 20, 9, 0, tzinfo=DAMASCUS)),
        ["published_at"],
    ),
    "title and body": (
        ARTICLE.evolve(title="Kremlin awaits answer", body=_body(P1, P2)),
        ["title", "body"],
    ),
}


def _prepare(url: str) -> None:
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())


def _save(url: str, article: Article, seen_at: datetime, page_id: int | None = None) -> str:
    with session_scope(url) as session:
        return str(store.save_article(session, article, page_id, seen_at))


def _row(url: str) -> tuple[models.Article, list[models.ArticleVersion]]:
    with session_scope(url) as session:
        article = session.execute(select(models.Article)).scalar_one()
        versions = session.execute(
            select(models.ArticleVersion).order_by(models.ArticleVersion.version)
        ).scalars()
        return article, list(versions)


@pytest.mark.parametrize("noise", sorted(NOISE))
def test_a_recrawl_that_only_changes_noise_makes_no_version(database_url: str, noise: str) -> None:
    _prepare(database_url)
    assert _save(database_url, ARTICLE, T0) == "new"
    assert _save(database_url, NOISE[noise], T0 + timedelta(hours=6)) == "unchanged"
    article, versions = _row(database_url)
    assert (article.version, versions) == (1, [])
    assert article.published_at == ARTICLE.published_at  # a lost date keeps the stored one
    assert article.checked_at == article.last_seen_at == T0 + timedelta(hours=6)


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_makes_exactly_one_version_with_the_old_values(
    database_url: str, edit: str
) -> None:
    _prepare(database_url)
    edited, fields = EDITS[edit]
    seen = T0 + timedelta(hours=6)
    outcomes = [
        _save(database_url, ARTICLE, T0),
        _save(database_url, edited, seen),
        _save(database_url, edited, seen + timedelta(hours=6)),  # seen again: no new version
    ]
    assert outcomes == ["new", "updated", "unchanged"]
    article, versions = _row(database_url)
    assert len(versions) == 1 and article.version == 2
    old = versions[0]
    assert (old.version, old.changed_fields, old.replaced_at) == (1, fields, seen)
    assert (old.title, old.body, old.authors) == (ARTICLE.title, ARTICLE.body, ["Hazem Sabbagh"])
    assert old.published_at == ARTICLE.published_at
    assert old.content_hash == ARTICLE.content_hash
    assert (article.title, article.body, article.authors) == (
        edited.title,
        edited.body,
        list(edited.authors),
    )


def test_an_edited_article_is_queued_for_dedup_and_enrichment_again(database_url: str) -> None:
    _prepare(database_url)
    _save(database_url, ARTICLE, T0)
    with session_scope(database_url) as session:  # as after dedup and enrichment
        done = {"dedup_hash": ARTICLE.content_hash, "enriched_hash": ARTICLE.content_hash}
        session.execute(update(models.Article).values(**done))
        assert dedup.pending_ids(session, "sana-en", 10) == []
        assert enrichment.pending_ids(session, "sana-en", 10) == []
    _save(database_url, NOISE["share count"], T0 + timedelta(hours=1))
    _save(database_url, EDITS["one word"][0], T0 + timedelta(hours=2))
    with session_scope(database_url) as session:
        article_id = session.execute(select(models.Article.id)).scalar_one()
        assert dedup.pending_ids(session, "sana-en", 10) == [article_id]
        assert enrichment.pending_ids(session, "sana-en", 10) == [article_id]


def test_a_removal_and_a_return_are_kept_in_the_history(database_url: str) -> None:
    _prepare(database_url)
    _save(database_url, ARTICLE, T0)
    gone, back = T0 + timedelta(hours=6), T0 + timedelta(hours=12)
    with session_scope(database_url) as session:
        article_id = session.execute(select(models.Article.id)).scalar_one()
        assert revisits.mark_removed(session, article_id, "not_found", gone)
        assert not revisits.mark_removed(session, article_id, "gone", gone + timedelta(hours=1))
        assert not revisits.restore(session, article_id, gone - timedelta(hours=1))  # older
    article, _ = _row(database_url)
    assert (article.removed_at, article.removed_reason, article.body) == (
        gone,
        "not_found",
        ARTICLE.body,  # the text stays
    )
    with session_scope(database_url) as session:
        assert revisits.restore(session, article_id, back)
    _save(database_url, EDITS["title"][0], back)
    article, versions = _row(database_url)
    assert (article.removed_at, article.removed_reason, article.version) == (None, None, 4)
    assert [(v.version, v.changed_fields, v.replaced_at) for v in versions] == [
        (1, ["removed:not_found"], gone),
        (2, ["restored"], back),
        (3, ["title"], back),
    ]
    with session_scope(database_url) as session:
        found = revisits.history(session, URL, ["sana-en", "sana-ar"])
        assert found is not None and [v.version for v in found.versions] == [1, 2, 3]
        assert revisits.history(session, URL + "0", ["sana-en"]) is None


def _stored(url: str, n: int, published: datetime | None, first_seen: datetime) -> int:
    article = ARTICLE.evolve(url=f"https://sana.sy/en/?p={n}", published_at=published)
    with session_scope(url) as session:
        headers = {"Etag": f'"e{n}"', "Last-Modified": "Tue, 01 Dec 2026 09:00:00 GMT"}
        page = models.Page(
            source_id="sana-en",
            kind="article",
            url=f"https://archive.sana.sy/en/?p={n}",
            final_url=f"https://archive.sana.sy/en/?p={n}",
            status=200,
            headers=headers,
            fetched_at=first_seen,
            body=b"",
            body_sha256=f"{n:064d}",
        )
        session.add(page)
        session.flush()
        store.save_article(session, article, page.id, first_seen)
        return session.execute(
            select(models.Article.id).where(models.Article.url == article.url)
        ).scalar_one()


def test_due_revisits_are_recent_unchecked_articles_oldest_check_first(database_url: str) -> None:
    _prepare(database_url)
    now = T0
    ids = {
        "fresh, fetched 7 h ago": _stored(
            database_url, 1, now - timedelta(hours=8), now - timedelta(hours=7)
        ),
        "fresh, fetched 1 h ago": _stored(
            database_url, 2, now - timedelta(hours=2), now - timedelta(hours=1)
        ),
        "old": _stored(database_url, 3, now - timedelta(days=30), now - timedelta(hours=9)),
        "undated, seen 10 h ago": _stored(database_url, 4, None, now - timedelta(hours=10)),
        "undated, seen 3 days ago": _stored(database_url, 5, None, now - timedelta(days=3)),
        "fresh, checked 8 h ago": _stored(
            database_url, 6, now - timedelta(hours=20), now - timedelta(hours=19)
        ),
    }
    with session_scope(database_url) as session:
        revisits.mark_checked(session, ids["fresh, checked 8 h ago"], now - timedelta(hours=8))
        due = revisits.due_revisits(session, "sana-en", Revisit(), now)
        capped = revisits.due_ids(session, "sana-en", Revisit(max_per_run=2), now)
        other = revisits.due_ids(session, "sana-ar", Revisit(), now)
    names = {v: k for k, v in ids.items()}
    assert [names[d.article_id] for d in due] == [
        "undated, seen 10 h ago",
        "fresh, checked 8 h ago",
        "fresh, fetched 7 h ago",
    ]
    first = due[0]
    assert first.url == "https://archive.sana.sy/en/?p=4"  # where it was fetched
    assert first.headers() == {
        "If-None-Match": '"e4"',
        "If-Modified-Since": "Tue, 01 Dec 2026 09:00:00 GMT",
    }
    assert capped == [d.article_id for d in due[:2]] and other == []


def _history(url: str, count: int) -> None:
    """Years of stored articles (and a few undated ones), as a store that grew would hold."""
    rows = [
        {
            "source_id": "sana-en",
            "url": f"https://sana.sy/en/?p={n}",
            "title": "t",
            "body": "b",
            "content_hash": f"{n:064d}",
            "published_at": None if n % 100 == 0 else T0 - timedelta(hours=3 * n),
            "first_seen_at": T0 - timedelta(hours=3 * n),
            "last_seen_at": T0 - timedelta(hours=3 * n),
        }
        for n in range(1, count + 1)
    ]
    with session_scope(url) as session:
        session.execute(insert(models.Article), rows)
        session.execute(text("ANALYZE"))


def test_the_due_query_reads_a_range_of_the_source_published_index(database_url: str) -> None:
    _prepare(database_url)
    _history(database_url, 5000)
    with session_scope(database_url) as session:
        connection = session.connection()
        dialect = connection.dialect
        compiled = revisits.due_query("sana-en", Revisit(), T0).compile(dialect=dialect)
        if dialect.name == "postgresql":
            rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
            plan = [row[0] for row in rows]
        else:
            params = tuple(compiled.params[name] for name in compiled.positiontup or ())
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)
            plan = [row[-1] for row in rows]
        due = revisits.due_ids(session, "sana-en", Revisit(), T0)
    text_plan = "\n".join(plan)
    # Dated articles: a range of (source_id, published_at), never the source's whole history.
    assert "ix_articles_source_published" in text_plan, text_plan
    if dialect.name == "postgresql":
        assert re.search(r"Index Cond: .*published_at >=", text_plan), text_plan
    else:
        assert "(source_id=? AND published_at>?)" in text_plan, text_plan
    assert "Seq Scan on articles" not in text_plan and "SCAN articles" not in text_plan
    assert len(due) == 15  # published within 48 h (3 h apart), fetched 6 h ago or more


def test_a_lastmod_newer_than_the_last_fetch_triggers_a_refetch(database_url: str) -> None:
    _prepare(database_url)
    article_id = _stored(database_url, 7, T0 - timedelta(hours=3), T0 - timedelta(hours=2))
    url = "https://sana.sy/en/?p=7"
    with session_scope(database_url) as session:
        store.record_discoveries(session, None, "sana-en", [(url, date(2026, 12, 1), "sitemap")])
        store.settle_discoveries(session, "sana-en", [url])
        assert (
            revisits.changed_since_fetch(session, "sana-en", {url: T0 - timedelta(hours=3)}) == {}
        )
        assert revisits.changed_since_fetch(session, "sana-en", {url: date(2026, 11, 30)}) == {}
        stale = revisits.changed_since_fetch(session, "sana-en", {url: T0})
        assert list(stale) == [url] and stale[url].article_id == article_id
        assert stale[url].url == url  # the listed, canonical URL: its fetch settles the queue
        assert revisits.reopen_discoveries(session, "sana-en", stale) == 1
    with session_scope(database_url) as session:  # a crawl killed here finds it queued
        assert store.pending_discoveries(session, "sana-en", 10) == [url]
        assert list(revisits.pending_refetches(session, "sana-en", [url])) == [url]
        revisits.mark_checked(session, article_id, datetime.now(UTC))  # then it was fetched
    with session_scope(database_url) as session:
        assert revisits.pending_refetches(session, "sana-en", [url]) == {}
