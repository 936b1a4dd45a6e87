"""`newsflow sources check DIR`, per-edition schedules, and overrides replacing an agency whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from newsflow.flows.deployments import cron_of, scheduled

from newsflow.cli import main
from newsflow.registry import AGENCIES_DIR, REGISTRY_PATH_ENV, get_source, load_registry

EXTRA = """
id = "extra"
name = "Extra agency"
homepage = "https://extra.example/"
timezone = "Europe/Paris"
domains = ["extra.example"]
schedule = "{agency_cron}"

[editions.en]
language = "en"
feeds = ["https://extra.example/feed"]
article_patterns = ['^https://extra\\\\.example/news/']
schedule = "5-59/20 * * * *"
crawl_timeout_minutes = 30

[editions.fr]
language = "fr"
article_patterns = ['^https://extra\\\\.example/fr/']
"""


def _check(directory: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["sources", "check", str(directory)])
    return result.exit_code, result.output.splitlines()


def test_a_valid_directory_is_listed_with_its_sources(tmp_path: Path) -> None:
    (tmp_path / "extra.toml").write_text(EXTRA.format(agency_cron="0 * * * *"), encoding="utf-8")
    (tmp_path / "sana.toml").write_text((AGENCIES_DIR / "sana.toml").read_text(), encoding="utf-8")
    code, lines = _check(tmp_path)
    assert code == 0, lines
    assert lines == [
        "ok       extra.toml: extra-en, extra-fr",
        "ok       sana.toml: sana-en, sana-ar, sana-fr, sana-es, sana-tr, sana-fa, sana-ru"
        f" (replaces the agency in {AGENCIES_DIR})",
    ]


def test_invalid_files_are_named_with_their_problem_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "extra.toml").write_text(EXTRA.format(agency_cron="0 25 * * *"), encoding="utf-8")
    (tmp_path / "broken.toml").write_text('id = "broken"\nname = ', encoding="utf-8")
    code, lines = _check(tmp_path)
    assert code == 1
    assert lines[0].startswith("invalid  broken.toml: ")
    assert (
        lines[1] == 'invalid  extra.toml: schedule: Value error, Invalid cron string: "0 25 * * *"'
    )
    assert lines[2] == "newsflow: error: 2 of 2 agency files in " + str(tmp_path) + " are invalid"


def test_an_edition_keeps_its_own_schedule_and_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "extra.toml").write_text(EXTRA.format(agency_cron="0 * * * *"), encoding="utf-8")
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(tmp_path))
    english, french = get_source("extra-en"), get_source("extra-fr")
    assert (english.schedule, french.schedule) == ("5-59/20 * * * *", "0 * * * *")
    assert (english.crawl_timeout_minutes, french.crawl_timeout_minutes) == (30, None)
    assert cron_of(scheduled(english)) == ("5-59/20 * * * *", "Europe/Paris")


def test_an_agency_file_in_the_path_replaces_the_bundled_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (AGENCIES_DIR / "sana.toml").read_text(encoding="utf-8")
    (tmp_path / "sana.toml").write_text(
        text[: text.index("[editions.ar]")] + text[text.index("[rules]") :]
    )
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(tmp_path))
    sources = load_registry()
    assert "sana-en" in sources and "sana-ar" not in sources
