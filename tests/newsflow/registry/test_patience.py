"""Per-source patience in the registry: what a request to each host waits for, and bad values
named by their field."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsflow.cli import main
from newsflow.registry import AGENCIES_DIR, Patience, RegistryError, load_agency, load_registry

AGENCY = """
id = "slowish"
name = "Slowish agency"
homepage = "https://slowish.example/"
timezone = "UTC"
domains = ["slowish.example"]
{agency}

[editions.en]
language = "en"
article_patterns = ['^https://slowish\\\\.example/en/']
{edition}

[editions.fr]
language = "fr"
article_patterns = ['^https://slowish\\\\.example/fr/']
"""

LAYERED = AGENCY.format(
    agency="""
[patience]
download_timeout = 90
retries = 4
backoff = 5

[patience.hosts."archive.slowish.example"]
download_timeout = 150
retry_http_codes = [503]
""",
    edition="""
[editions.en.patience]
download_timeout = 30
retries = 1

[editions.en.patience.hosts."archive.slowish.example"]
retries = 8
""",
)


def _write(directory: Path, text: str) -> Path:
    path = directory / "slowish.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_nothing_declared_leaves_every_value_to_the_crawl_settings(tmp_path: Path) -> None:
    agency = load_agency(_write(tmp_path, AGENCY.format(agency="", edition="")))
    sources = load_registry(tmp_path)
    assert agency.patience.hosts == {}
    assert sources["slowish-en"].patience("slowish.example") == Patience()
    assert sources["slowish-fr"].patience() == Patience()


def test_host_entries_win_over_the_editions_block_which_wins_over_the_agencys(
    tmp_path: Path,
) -> None:
    _write(tmp_path, LAYERED)
    english, french = (load_registry(tmp_path)[f"slowish-{e}"] for e in ("en", "fr"))
    assert english.patience("slowish.example") == Patience(
        download_timeout=30, retries=1, backoff=5
    )
    # The agency's host entry over the edition's block, the edition's host entry over both.
    assert english.patience("archive.slowish.example") == Patience(
        download_timeout=150, retries=8, backoff=5, retry_http_codes=(503,)
    )
    assert french.patience("slowish.example") == Patience(download_timeout=90, retries=4, backoff=5)
    assert french.patience("ARCHIVE.slowish.example.") == Patience(
        download_timeout=150, retries=4, backoff=5, retry_http_codes=(503,)
    )


def test_sanas_archive_host_waits_minutes_and_its_live_site_keeps_the_defaults() -> None:
    sources = load_registry(AGENCIES_DIR)
    for edition in ("en", "ar"):
        sana = sources[f"sana-{edition}"]
        archive = sana.patience("archive.sana.sy")
        assert archive.download_timeout is not None and archive.download_timeout >= 120
        assert archive.retries is not None and archive.retries > 3
        assert sana.patience("sana.sy") == Patience()
    assert sources["tass-en"].patience("tass.com") == Patience()


@pytest.mark.parametrize(
    ("declared", "named"),
    [
        ("[patience]\ndownload_timeout = -5", "patience.download_timeout: Input should be"),
        ("[patience]\nretries = -1", "patience.retries: Input should be greater than or equal"),
        ("[patience]\nbackoff = -2", "patience.backoff: Input should be greater than or equal"),
        ("[patience]\nretry_http_codes = [200]", "patience.retry_http_codes: Value error"),
        ("[patience]\nwait = 3", "patience.wait: Extra inputs are not permitted"),
        (
            '[patience.hosts."archive.slowish.example"]\ndownload_timeout = 0',
            "patience.hosts.archive.slowish.example.download_timeout: Input should be greater",
        ),
        ('[patience.hosts."Archive:8080"]\nretries = 2', "patience.hosts: Value error"),
        (
            '[patience.hosts."archive.other.example"]\nretries = 2',
            "patience.hosts names hosts outside the agency's domains: ['archive.other.example']",
        ),
    ],
)
def test_a_bad_value_is_named_by_its_field(tmp_path: Path, declared: str, named: str) -> None:
    path = _write(tmp_path, AGENCY.format(agency=declared, edition=""))
    with pytest.raises(RegistryError) as raised:
        load_agency(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert named in str(raised.value)


def test_an_editions_bad_value_is_named_by_its_path_and_sources_check_says_so(
    tmp_path: Path,
) -> None:
    _write(tmp_path, AGENCY.format(agency="", edition="[editions.en.patience]\nretries = -3"))
    checked = CliRunner().invoke(main, ["sources", "check", str(tmp_path)])
    assert checked.exit_code == 1
    assert checked.output.splitlines()[0].startswith(
        "invalid  slowish.toml: editions.en.patience.retries: Input should be greater than or "
        "equal to 0"
    )
