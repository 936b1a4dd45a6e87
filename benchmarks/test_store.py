"""Store throughput: upserting articles into SQLite (one transaction per batch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsflow.db import migrate, store
from newsflow.db.session import get_engine, session_scope

from newsflow.article import Article
from newsflow.registry import load_registry

BODY = "\n\n".join(
    f"Paragraph {n} of a wire story about something that happened." for n in range(12)
)


def test_upsert_1000_articles(benchmark, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    migrate.upgrade(url)
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
    start = datetime(2016, 10, 1, tzinfo=UTC)
    articles = [
        Article(
            url=f"https://sana.sy/en/?p={n}",
            title=f"Story {n}",
            body=BODY,
            published_at=start + timedelta(minutes=n),
            source="sana-en",
        )
        for n in range(1000)
    ]

    def write() -> None:
        with session_scope(url) as session:
            for article in articles:
                store.save_article(session, article, None)

    benchmark.pedantic(write, rounds=3, iterations=1)
    benchmark.extra_info["articles_per_second"] = len(articles) / benchmark.stats["mean"]
    get_engine(url).dispose()
