"""Failures reach the user as one readable line and exit code 1, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from newsflow.cli import main
from newsflow.settings import get_settings


@pytest.fixture(autouse=True)
def _restore_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # --database-url exports NEWSFLOW_DATABASE_URL for child processes; undo it afterwards.
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", "sqlite://")
    yield
    get_settings.cache_clear()


def test_database_down_is_a_clear_message() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/nowhere?connect_timeout=2"
    result = CliRunner().invoke(main, ["--database-url", url, "status"])
    assert result.exit_code == 1
    assert (
        "database unavailable at postgresql+psycopg://nobody@127.0.0.1:9/nowhere" in result.output
    )
    assert "Traceback" not in result.output


def test_unknown_source_names_the_known_ones() -> None:
    result = CliRunner().invoke(main, ["ingest", "reuters-en"])
    assert result.exit_code == 1
    assert "unknown source 'reuters-en'" in result.output and "sana-en" in result.output


def test_backfill_rejects_a_bad_date() -> None:
    result = CliRunner().invoke(
        main, ["backfill", "sana-en", "--since", "Oct 1", "--until", "2016-10-31"]
    )
    assert result.exit_code == 2
    assert "is not a date like 2016-10-01" in result.output
