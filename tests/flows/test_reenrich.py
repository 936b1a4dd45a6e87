"""Enrichment in the ingest flow, and the reenrich flow and command after a version bump."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from newsflow.flows.reenrich import reenrich
from sqlalchemy import select, update

from newsflow.cli import main
from newsflow.enrichment import default_enrichers

SEED = "https://sana.sy/en/?p=92385"


def _rows() -> dict[str, set[tuple[int, int]]]:
    found: dict[str, set[tuple[int, int]]] = {}
    with session_scope() as session:
        rows = session.execute(
            select(models.Enrichment.enricher, models.Enrichment.id, models.Enrichment.version)
        ).all()
    for enricher, row_id, version in rows:
        found.setdefault(enricher, set()).add((row_id, version))
    return found


def _seed_values(kind: str) -> set[str]:
    with session_scope() as session:
        return set(
            session.execute(
                select(models.Enrichment.value)
                .join(models.Article, models.Article.id == models.Enrichment.article_id)
                .where(models.Article.url == SEED, models.Enrichment.kind == kind)
            ).scalars()
        )


def test_ingest_enriches_and_reenrich_touches_only_the_bumped_enricher(
    database_url: str, replay, fast_crawl, bump_version: Callable[[str, int], None]
) -> None:
    summary = ingest("sana-en", base_url=replay.base_url)
    counts = summary["counts"]
    assert counts["enriched"] == counts["articles_new"] >= 4
    assert counts["enrich_failures"] == 0
    assert {"Aleppo", "Moscow"} <= _seed_values("place")
    assert "Belgian" in _seed_values("nationality")
    assert {"Dmitry Peskov", "John Kerry"} <= _seed_values("person")
    assert _seed_values("dateline") == {"Moscow"}
    assert reenrich(source="sana-en") == {}  # everything is current

    before = _rows()
    bump_version("places", 99)
    totals = reenrich(source="sana-en", enrichers=["places"], batch_size=2)
    assert totals["reenriched_places"] == counts["enriched"]
    after = _rows()
    for enricher in {e.name for e in default_enrichers()} - {"places"}:
        assert after[enricher] == before[enricher], enricher
    assert {version for _, version in after["places"]} == {99}
    assert {"Aleppo", "Moscow"} <= _seed_values("place")
    assert "Belgian" in _seed_values("nationality")


@pytest.mark.postgres_in_soak
def test_reenrich_command(database_url: str, replay, fast_crawl) -> None:
    ingest("sana-ar", base_url=replay.base_url)
    runner = CliRunner()
    done = runner.invoke(main, ["reenrich", "--source", "sana-ar"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "all current"
    wrong = runner.invoke(main, ["reenrich", "--enricher", "plces"])
    assert wrong.exit_code != 0
    assert "unknown enricher plces; known: language" in wrong.output


def test_status_flags_language_disagreements(database_url: str, replay, fast_crawl) -> None:
    ingest("sana-ar", base_url=replay.base_url)
    with session_scope() as session:
        session.execute(
            update(models.Article)
            .where(models.Article.source_id == "sana-ar")
            .values(language="fa")
        )
    done = CliRunner().invoke(main, ["status"])
    assert done.exit_code == 0, done.output
    header, *lines = done.output.splitlines()
    assert header.split()[-2:] == ["lang", "mismatch"]
    sana_ar = next(line for line in lines if line.startswith("sana-ar"))
    assert sana_ar.split()[-1] == "1"
