"""An entry written by `sources add` runs unchanged through the real flows, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from sqlalchemy import select

from newsflow.cli import main
from newsflow.replay import ReplayServer
from tests.fixtures.scout_sites import Site, build_site

TODAY = date.today()


@pytest.fixture(scope="module")
def site() -> Site:
    return build_site("wp-pretty", TODAY)


@pytest.fixture(scope="module")
def server(site: Site) -> Iterator[ReplayServer]:
    with ReplayServer(site.routes) as replay:
        yield replay


@pytest.fixture
def added(site: Site, server: ReplayServer, own_registry: Path) -> str:
    """The site added to a registry directory of the test's own; its source id."""
    args = ["sources", "add", site.homepage, "--base-url", server.base_url, "--id", "courrier"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return "courrier-fr"


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_ingest_and_a_month_backfill_store_the_site(
    site: Site, server: ReplayServer, added: str, database_url: str
) -> None:
    last = TODAY.replace(day=1) - timedelta(days=1)
    since, until = last.replace(day=1), last
    summary = ingest(added, kind="backfill", since=since, until=until, base_url=server.base_url)
    assert summary["status"] == "completed"
    zone = ZoneInfo(site.timezone)
    month = {a.url for a in site.articles if since <= a.published.astimezone(zone).date() <= until}
    assert _stored(database_url, added) == month

    summary = ingest(added, base_url=server.base_url)  # scheduled: feed, listing pages
    assert summary["status"] == "completed"
    newest = {a.url for a in site.articles[:10]}
    assert newest <= _stored(database_url, added)


def _stored(database_url: str, source: str) -> set[str]:
    with session_scope(database_url) as session:
        query = select(models.Article.url).where(models.Article.source_id == source)
        return set(session.execute(query).scalars())
