"""`newsflow backfill --from-archive` through the flows: month partitions, each from the index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import select

from newsflow.cli import main
from newsflow.replay import ReplayServer
from tests.webarchive_site import archive_registry, archive_replay


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    """SANA's site and the test archive, declared as SANA English's web archive."""
    with archive_registry(tmp_path, monkeypatch), archive_replay() as server:
        yield server


def test_a_backfill_from_the_archive_runs_by_month_and_keeps_to_its_window(
    database_url: str, site: ReplayServer, fast_crawl: None
) -> None:
    arguments = ["backfill", "sana-en", "--since", "2016-09-25", "--until", "2016-10-16"]
    result = CliRunner().invoke(
        main, [*arguments, "--from-archive", "--base-url", site.base_url], prog_name="newsflow"
    )

    assert result.exit_code == 0, result.output
    with session_scope() as session:
        stored = dict(session.execute(select(models.Article.url, models.Article.via)).all())
        months = session.execute(
            select(models.CrawlRun.window_start).where(models.CrawlRun.parent_run_id.is_not(None))
        ).scalars()
        assert sorted(str(day) for day in months) == ["2016-09-25", "2016-10-01"]
    # September's captures come before the window's slack; October's stored, 20 October's not.
    ids = {"92150", "92188", "92207", "92251"}
    assert stored == {f"https://sana.sy/en/?p={n}": "web-archive" for n in ids}
    assert not [hit for hit in site.hits if hit.url.startswith("https://sana.sy/")]


def test_a_source_without_an_archive_is_refused_in_one_line(database_url: str) -> None:
    arguments = ["backfill", "tass-en", "--since", "2016-10-01", "--until", "2016-10-31"]
    result = CliRunner().invoke(main, [*arguments, "--from-archive"], prog_name="newsflow")

    assert result.exit_code == 1
    assert "tass-en declares no web archive" in result.output
