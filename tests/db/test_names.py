"""Articles by name across scripts, on SQLite and PostgreSQL: stored keys, queries, migration."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from newsflow.db import enrichment as enrichment_store
from newsflow.db import migrate, models, store
from newsflow.db.export import article_select
from newsflow.db.session import get_engine, session_scope
from newsflow.flows.enrich import enrich_source
from sqlalchemy import insert, select, text, update

from newsflow import query
from newsflow.article import Article
from newsflow.cli import main
from newsflow.enrichment import Annotation, Result
from newsflow.registry import load_registry

PUBLISHED = datetime(2016, 10, 19, 12, 0, tzinfo=UTC)
# One story in three languages, each naming Dmitry Peskov as its script writes him.
PESKOV = {
    "https://sana.sy/en/?p=1": ("sana-en", "Dmitry Peskov", "Aleppo"),
    "https://ria.ru/20161019/1": ("ria-ru", "Дмитрий Песков", "Алеппо"),
    "https://sana.sy/?p=1": ("sana-ar", "ديمتري بيسكوف", "حلب"),
}
OTHER = "https://tass.com/politics/2"  # names Maria Zakharova only
COPY = "https://tass.com/world/copy-of-ria-1"  # a copy of the Russian article
QUERIES = ("Peskov", "Песков", "بيسكوف", "Dmitry Peskov", "Дмитрия Пескова", "ديمتري بيسكوف")


def _store(url: str) -> dict[str, int]:
    """The four articles and the copy, through the store; their entities saved as enrichment
    saves them (no key given: the store computes it). Article ids by URL."""
    people = {u: (source, name) for u, (source, name, _) in PESKOV.items()}
    people[OTHER] = ("tass-en", "Maria Zakharova")
    with session_scope(url) as session:
        store.sync_sources(session, load_registry().values())
        for address, (source, _) in people.items():
            article = Article(
                url=address, title="Kremlin", body="Text.", source=source, published_at=PUBLISHED
            )
            store.save_article(session, article, None)
        copied = Article(url=COPY, title="Kremlin", body="Text.", source="tass-en")
        store.save_article(session, copied, None)
        ids = dict(session.execute(select(models.Article.url, models.Article.id)).all())
        session.execute(
            update(models.Article)
            .where(models.Article.id == ids[COPY])
            .values(duplicate_of_id=ids["https://ria.ru/20161019/1"], duplicate_method="exact")
        )
        stored = {s.article.url: s for s in enrichment_store.load(session, ids.values())}
        batch = [(stored[u], [_entities(name)]) for u, (_, name) in people.items()]
        enrichment_store.save_batch(session, batch)
    return ids


def _entities(name: str) -> Result:
    annotations = (
        Annotation("person", name, None, 0, len(name), "test", 1.0),
        Annotation("organisation", "Kremlin", "KREMLIN", evidence="gazetteer:Kremlin"),
        Annotation("place", "Aleppo", "SY", evidence="test"),
    )
    return Result("entities", 1, annotations)


@pytest.mark.parametrize("name", QUERIES)
def test_a_name_in_any_script_finds_all_three(database_url: str, name: str) -> None:
    _store(database_url)
    found = [row.url for row in query.articles(name=name)]
    assert sorted(found) == sorted(PESKOV)
    with_copies = {row.url for row in query.articles(name=name, include_copies=True)}
    assert with_copies == {*PESKOV, COPY}  # a copy is named by its original's people


def test_keys_are_stored_beside_the_values(database_url: str) -> None:
    _store(database_url)
    with session_scope() as session:
        rows = session.execute(
            text("SELECT DISTINCT kind, value, key FROM article_enrichments ORDER BY value")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("place", "Aleppo", None),
        ("person", "Dmitry Peskov", "bskf dmtr"),
        ("organisation", "Kremlin", "krmln"),
        ("person", "Maria Zakharova", "shrf mr"),
        ("person", "Дмитрий Песков", "bskf dmtr"),
        ("person", "ديمتري بيسكوف", "bskf dmtr"),
    ]


def test_names_narrow_like_the_other_filters(database_url: str) -> None:
    _store(database_url)
    assert [r.url for r in query.articles(name="Захарова")] == [OTHER]
    assert [r.source for r in query.articles(name="Песков", source="sana-ar")] == ["sana-ar"]
    assert len(list(query.articles(name="Кремль"))) == 4  # an organisation, by its alias
    assert list(query.articles(name="Lavrov")) == []
    assert list(query.articles(name="Dmitry")) == []  # a first name is no surname
    with pytest.raises(ValueError, match="no letters"):
        list(query.articles(name="2016"))


def test_search_narrowed_by_name(database_url: str) -> None:
    _store(database_url)
    hits = query.search("Kremlin", name="بيسكوف", all_copies=True)
    assert {hit.url for hit in hits} == {*PESKOV, COPY}
    folded = query.search("Kremlin", name="Zakharova")
    assert [hit.url for hit in folded] == [OTHER]


def test_export_and_search_commands_take_a_name(database_url: str) -> None:
    _store(database_url)
    runner = CliRunner()
    exported = runner.invoke(main, ["export", "--name", "Песков"], prog_name="newsflow")
    assert exported.exit_code == 0, exported.output
    assert sorted(json.loads(line)["url"] for line in exported.stdout.splitlines()) == sorted(
        [*PESKOV, COPY]
    )
    searched = runner.invoke(
        main, ["search", "Kremlin", "--name", "Peskov", "--json", "--all-copies"]
    )
    assert searched.exit_code == 0, searched.output
    assert {hit["url"] for hit in json.loads(searched.stdout)} == {*PESKOV, COPY}
    nothing = runner.invoke(main, ["search", "Kremlin", "--name", "Lavrov"])
    assert nothing.exit_code == 1 and "naming 'Lavrov'" in nothing.stderr
    refused = runner.invoke(main, ["export", "--name", "1 2 3"])
    assert refused.exit_code == 1  # the CLI's one-line usage error
    assert refused.stderr.startswith("newsflow: error: ") and "no letters" in refused.stderr


def test_the_name_filter_reads_the_key_index(database_url: str) -> None:
    """The match reads a range of ix_enrichments_kind_key (article_id in it), not the table."""
    _store(database_url)
    engine = get_engine(database_url)
    statement = article_select(name="Peskov")
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
            connection.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(connection.execute(text("EXPLAIN " + sql)).scalars())
        else:
            rows = connection.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
            plan = "\n".join(row[-1] for row in rows)
    assert "ix_enrichments_kind_key" in plan, plan


def test_enriched_fixture_articles_meet_across_scripts(seeded: dict[str, int]) -> None:
    """SANA's English and Arabic articles of one story, through the enrichers and the store."""
    enrich_source("sana-ar")
    arabic = "https://sana.sy/?p=462137"
    seed = "https://sana.sy/en/?p=92385"
    for name in ("Peskov", "Песков", "بيسكوف", "Zakharova"):
        urls = {row.url for row in query.articles(name=name, include_copies=True)}
        assert {seed, arabic, "https://tass.com/world/copy-of-sana-92385"} <= urls, name


# --- migration 0013 ----------------------------------------------------------------------------

ROWS = 2500  # more than one batch of the backfill (2,000)


def test_the_migration_fills_keys_of_stored_names(database_url: str) -> None:
    """A database at 0012 with names stored: upgraded, every name has its key at once.

    The rows are written at head (the store writes today's schema) without keys, then the
    database goes down to 0012 with them in place, as an old store would hold them.
    """
    with session_scope(database_url) as session:
        store.sync_sources(session, load_registry().values())
        for address, (source, _, _) in PESKOV.items():
            article = Article(url=address, title="T", body="B.", source=source)
            store.save_article(session, article, None)
        ids = dict(session.execute(select(models.Article.url, models.Article.id)).all())
    table = models.Enrichment.__table__
    rows = [_old_row(ids[url], "person", name) for url, (_, name, _) in PESKOV.items()]
    rows += [_old_row(ids[url], "place", place) for url, (_, _, place) in PESKOV.items()]
    first = next(iter(ids.values()))
    rows += [_old_row(first, "organisation", f"Syrian Ministry {n}") for n in range(ROWS)]
    with get_engine(database_url).begin() as connection:
        connection.execute(insert(table), rows)  # the columns of 0012: no key yet
    migrate.downgrade(database_url, "0012")
    migrate.upgrade(database_url)
    with session_scope(database_url) as session:
        stored = session.execute(
            text("SELECT kind, value, key FROM article_enrichments ORDER BY enriched_article_id")
        ).all()
    keys = {(kind, value): key for kind, value, key in stored}
    assert {keys[("person", name)] for _, name, _ in PESKOV.values()} == {"bskf dmtr"}
    assert {keys[("place", place)] for _, _, place in PESKOV.values()} == {None}
    assert keys[("organisation", "Syrian Ministry 2499")] == "2499 mnstr srn"
    assert None not in {key for (kind, _), key in keys.items() if kind == "organisation"}
    assert sorted(row.url for row in query.articles(name="بيسكوف")) == sorted(PESKOV)
    migrate.downgrade(database_url, "0012")  # and back, with the rows in place
    migrate.upgrade(database_url)


def _old_row(article_id: int, kind: str, value: str) -> dict[str, object]:
    return {
        "article_id": article_id,
        "enricher": "entities" if kind != "place" else "places",
        "version": 1,
        "kind": kind,
        "value": value,
        "label": None,
        "start_offset": None,
        "end_offset": None,
        "evidence": "",
        "score": 1.0,
    }
