"""The stems index (db/stems.py, migration 0014) on SQLite and PostgreSQL: what it holds, the
same words on both, its backfill and downgrade with rows, raw SQL writes, indexing cost."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Any

from newsflow.db import migrate, models, search, stems, store
from newsflow.db.session import get_engine, session_scope
from sqlalchemy import insert, inspect, text

from newsflow.article import Article
from newsflow.registry import load_registry
from newsflow.settings import REPO_ROOT
from tests.db.search_corpus import MADE

MIGRATION = REPO_ROOT / "migrations" / "versions" / "2026_12_07_1200-0014_search_stems.py"


def _ids(query: str, **options: object) -> list[int]:
    with session_scope() as session:
        hits = search.search(session, query, all_copies=True, **options)  # type: ignore[arg-type]
    return sorted(hit.id for hit in hits)


def _save(*articles: Article) -> None:
    with session_scope() as session:
        store.sync_sources(session, load_registry().values())
        for article in articles:
            store.save_article(session, article, None)


def _made(language: str) -> list[Article]:
    return [
        Article(
            url=f"https://example.org/{m.key}",
            title=m.title,
            body=m.body,
            authors=("Zeynep Aydemir", "Иван Петров"),
            source=m.source,
            language=m.language,
        )
        for m in MADE
        if m.language == language
    ]


def test_stems_fold_and_stem_each_language() -> None:
    assert stems.stems("Лесные пожары, пожаров; ёлка", "ru") == ["лесн", "пожар", "пожар", "елк"]
    assert stems.stems("الغارات وغارة بالغارات غارتين", "ar") == ["غار", "غار", "غار", "غارت"]
    assert stems.stems("غَارَة ٢٠٢٤", "ar-SY") == ["غار", "2024"]  # vowel marks, digits
    assert stems.stems("تحریم‌های زلزله‌ای متروی ۱۴۰۳ كرمان", "fa") == [
        "تحر",
        "زلزله",
        "مترو",
        "1403",
        "کرمان",  # the Arabic kaf as the Persian one
    ]
    assert stems.stems("Kremlin'e İstanbul'da IRAK yangınlar yangın", "tr") == [
        "kreml",
        "istanbul",
        "ırak",
        "yangı",
        "yangı",
    ]
    assert stems.stems("Élections L'armée Straße Dörfer", "de") == [
        "election",
        "l",
        "arme",  # armee: German takes -e off
        "strass",
        "dorf",
    ]
    assert stems.stems("中国发射 x" + "y" * 101, None) == ["中", "国", "发", "射"]
    assert stems.stem_word("Пескова", "ru") == stems.stem_word("Песков", "ru") == "песк"


def test_both_databases_hold_the_stems_python_made(database_url: str) -> None:
    articles = [*_made("fa"), *_made("tr"), *_made("ru")]
    _save(*articles)
    engine = get_engine(database_url)
    with engine.connect() as connection:
        ids = {url: id_ for url, id_ in connection.execute(text("SELECT url, id FROM articles"))}
        for article in articles:
            # PostgreSQL marks an author's words (one tsvector holds every field).
            mark = stems.AUTHOR if connection.dialect.name == "postgresql" else ""
            wanted = {
                *stems.stems(article.title, article.language),
                *stems.stems(article.body, article.language),
                *(mark + s for s in stems.stems("\n".join(article.authors), article.language)),
            }
            assert _indexed(connection, ids[article.url]) == wanted, article.url


def _indexed(connection: object, article_id: int) -> set[str]:
    """The words the database's own index holds for an article."""
    if connection.dialect.name == "postgresql":  # type: ignore[attr-defined]
        sql = "SELECT unnest(tsvector_to_array(vector)) FROM articles_stems WHERE article_id = :id"
    else:
        connection.execute(  # type: ignore[attr-defined]
            text(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_words "
                "USING fts5vocab(main, articles_stems, instance)"
            )
        )
        sql = "SELECT DISTINCT term FROM temp.stem_words WHERE doc = :id"
    return set(connection.execute(text(sql), {"id": article_id}).scalars())  # type: ignore[attr-defined]


def test_rows_written_by_sql_are_found_by_their_words_until_stored(database_url: str) -> None:
    _save()
    title, body = "Лесные пожары в Карелии", "Пожарные потушили четыре пожара."
    row = {
        "source_id": "ria-ru",
        "url": "https://ria.ru/bulk/1",
        "title": title,
        "body": body,
        "authors": [],
        "tags": [],
        "provenance": {},
        "language": "ru",
        "content_hash": "0" * 64,
        "version": 1,
    }
    with session_scope() as session:
        session.execute(insert(models.Article), [row])
    [bulk] = _ids("Карелии")
    assert _ids("пожары") == [bulk]  # the word itself
    assert _ids("пожаров") == []  # no stems yet
    # The store stems an article when it writes its text (here: a re-crawl's new spacing).
    stored = Article(url="https://ria.ru/bulk/1", title=title, body=f"{body} ", source="ria-ru")
    _save(stored.evolve(language="ru"))
    assert _ids("пожаров") == [bulk]
    with session_scope() as session:  # an edit by SQL puts the new words in, unstemmed
        session.execute(text("UPDATE articles SET body = 'Наводнение в Карелии'"))
    assert _ids("пожаров") == [] and _ids("Наводнение") == [bulk]
    with session_scope() as session:
        session.execute(text("DELETE FROM articles"))
    assert _ids("Карелии") == []


def test_the_migration_backfills_in_batches_and_downgrades_with_rows(database_url: str) -> None:
    articles = _made("ru") + _made("ar")
    _save(*articles)
    fires = _ids("пожары")
    raids = _ids("الغارات")
    assert fires and raids
    migrate.downgrade(database_url, "0013")
    tables = inspect(get_engine(database_url)).get_table_names()
    assert "articles" in tables and "articles_stems" not in tables
    migrate.upgrade(database_url)
    assert (_ids("пожары"), _ids("الغارات")) == (fires, raids)
    # Batched: the same stems whatever the batch.
    module = _migration()
    with get_engine(database_url).begin() as connection:
        assert module.backfill(connection, batch=2) == len(articles)
    assert (_ids("пожары"), _ids("الغارات")) == (fires, raids)


def _migration() -> Any:
    spec = importlib.util.spec_from_file_location("migration_0014", Path(MIGRATION))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stemming_an_article_takes_milliseconds() -> None:
    """The made articles (about 60 words each) and a French one of 2,000 words."""
    long_body = " ".join(m.body for m in MADE if m.language == "fr") * 9
    texts = [(m.title, m.body, m.language) for m in MADE] + [("Long", long_body, "fr")]
    start = time.perf_counter()
    for title, body, language in texts:
        stems.stem_row(1, language, title, body, ("Desk",))
    per_article = (time.perf_counter() - start) / len(texts)
    assert per_article < 0.05, per_article  # a loaded 2-core machine, first (uncached) words
