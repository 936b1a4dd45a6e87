"""The SQL contract's grouping and attention views: source_view, attention_daily,
article_enrichments (its `source` column), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from newsflow.db import views
from newsflow.db.session import session_scope
from sqlalchemy import select

from tests.conftest import COPY_URL, SEED_URL


def _rows(view: str, *where: Any) -> list[dict[str, Any]]:
    table = views.table(view)
    with session_scope() as session:
        return [dict(r._mapping) for r in session.execute(select(table).where(*where)).all()]


def test_source_view_shows_country_owner_and_collections(seeded: dict[str, int]) -> None:
    table = views.table("source_view")
    (sana,) = _rows("source_view", table.c.source == "sana-en")
    assert (sana["agency"], sana["country"], sana["owner"]) == ("sana", "SY", "state")
    assert sana["collections"] == [] and sana["language"] == "en"
    assert sana["articles_stored"] >= 1
    interfax, *_ = _rows("source_view", table.c.agency == "interfax")
    assert (interfax["country"], interfax["owner"]) == ("RU", "private")


def test_attention_daily_counts_articles_naming_a_place_per_day(seeded: dict[str, int]) -> None:
    table = views.table("attention_daily")
    rows = _rows("attention_daily", table.c.kind == "place")
    assert rows, "the seed names places"
    by_source = {(r["source"], r["key"]): r for r in rows}
    # The copy on tass-en reads its original's enrichments: the same places, its own source.
    seed_places = {key for source, key in by_source if source == "sana-en"}
    assert seed_places <= {key for source, key in by_source if source == "tass-en"}
    assert all(r["articles"] >= 1 and r["day"] is not None for r in rows)


def test_article_enrichments_names_its_source_column_as_every_view(
    seeded: dict[str, int],
) -> None:
    table = views.table("article_enrichments")
    rows = _rows("article_enrichments", table.c.article_id == seeded[COPY_URL])
    assert rows and {r["source"] for r in rows} == {"tass-en"}
    assert {r["enriched_article_id"] for r in rows} == {seeded[SEED_URL]}
