"""`newsflow sources add` and `sources check --live`: reports, the written TOML, bad input."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsflow.cli import main
from newsflow.registry import forget_loaded, load_agency
from newsflow.replay import ReplayServer, Route
from tests.fixtures.scout_sites import build_site

TODAY = date.today()
# An entry naming a feed the site does not have (and a sitemap it has).
BROKEN = """
id = "broken"
name = "Broken"
homepage = "https://www.wp-plain.example/"
timezone = "UTC"
domains = ["wp-plain.example"]
[editions.en]
language = "en"
feeds = ["https://www.wp-plain.example/feed.rss"]
sitemaps = ["https://www.wp-plain.example/wp-sitemap.xml"]
article_patterns = ['^https?://www\\.wp-plain\\.example/\\?p=\\d+$']
"""


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    routes = {}
    for name in ("wp-plain", "listings-yearless", "challenge-articles"):
        routes.update(build_site(name, TODAY).routes)
    with ReplayServer(routes) as replay:
        yield replay


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _add(server: ReplayServer, url: str, *extra: str) -> Result:
    return _run("sources", "add", url, "--base-url", server.base_url, *extra)


def test_a_dry_run_prints_the_report_and_the_entry_and_writes_nothing(
    server: ReplayServer, own_registry: Path
) -> None:
    result = _add(server, "https://www.wp-plain.example/", "--dry-run")
    assert result.exit_code == 0, result.output
    assert list(own_registry.iterdir()) == []
    report, toml = result.stdout.split("# the entry (dry run: nothing written)\n")
    lines = report.splitlines()
    assert lines[0].startswith("wp_plain: Harbor City Ledger (")
    routes = {line.split()[0]: line for line in lines if "sampled articles" in line}
    assert set(routes) == {"feed", "sitemap", "listing"}
    assert "https://www.wp-plain.example/?feed=rss2 (<link rel=alternate>" in routes["feed"]
    assert "https://www.wp-plain.example/wp-sitemap.xml (robots.txt" in routes["sitemap"]
    assert "3 pages read, back to" in routes["listing"]
    assert all("10/10 sampled articles dated" in line for line in routes.values())
    entry = tomllib.loads(toml)
    assert entry["timezone"] == "America/New_York"
    assert entry["domains"] == ["wp-plain.example"]
    edition = entry["editions"]["en"]
    assert edition["feeds"] == ["https://www.wp-plain.example/?feed=rss2"]
    assert edition["sitemaps"] == ["https://www.wp-plain.example/wp-sitemap.xml"]
    assert edition["article_patterns"] == [r"^https?://www\.wp-plain\.example/?\?p=\d+$"]
    assert entry["listing"]["next_page"] == "link[rel=next]::attr(href)"


def test_the_entry_is_written_where_the_registry_reads_it(
    server: ReplayServer, own_registry: Path
) -> None:
    result = _add(server, "https://www.listings-yearless.example/", "--id", "straits")
    assert result.exit_code == 0, result.output
    path = own_registry / "straits.toml"
    assert f"wrote {path}\nsources: straits-en" in result.output
    agency = load_agency(path)
    assert agency.listing is not None and agency.listing.date == "span.story-date::text"
    assert "note: no sitemap found (robots.txt, usual paths): backfills walk the listings" in (
        result.output
    )
    listed = _run("sources", "list")
    assert "straits-en" in listed.output

    again = _add(server, "https://www.listings-yearless.example/", "--id", "straits")
    assert again.exit_code == 1
    assert "agency 'straits' is already in the registry" in again.output
    replaced = _add(
        server, "https://www.listings-yearless.example/", "--id", "straits", "--replace"
    )
    assert replaced.exit_code == 0, replaced.output


def test_without_the_path_setting_the_entry_goes_to_the_users_config_directory(
    server: ReplayServer, own_registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSFLOW_REGISTRY_PATH")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = _add(server, "https://www.wp-plain.example/", "--id", "ledger")
    assert result.exit_code == 0, result.output
    path = tmp_path / "config" / "newsflow" / "agencies" / "ledger.toml"
    assert path.is_file()
    forget_loaded()
    assert "ledger-en" in _run("sources", "list").output


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://www.wp-plain.example/", "'ftp://www.wp-plain.example/' is not an http(s) URL"),
        (
            "https://www.nothing-here.example/",
            "https://www.nothing-here.example/ answered HTTP 404",
        ),
        (
            "https://www.challenge-articles.example/",
            "no article of https://www.challenge-articles.example/ could be read: 30 of 30 "
            "sampled article pages answered with a bot-defence challenge",
        ),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_1(
    server: ReplayServer, own_registry: Path, url: str, expected: str
) -> None:
    result = _add(server, url)
    assert result.exit_code == 1
    assert expected in result.output
    said = [line for line in result.output.splitlines() if not line.startswith("… ")]
    assert len(said) == 1, "progress lines aside, one line"
    assert list(own_registry.iterdir()) == []


def test_an_unreachable_site_says_so(own_registry: Path) -> None:
    result = _run("sources", "add", "http://127.0.0.1:9/")  # the discard port: refused
    assert result.exit_code == 1
    assert "error: cannot reach http://127.0.0.1:9/: ConnectError" in result.output


def test_a_site_behind_a_challenge_is_refused(own_registry: Path) -> None:
    site = build_site("challenge", TODAY)
    with ReplayServer(site.routes) as replay:
        result = _add(replay, site.homepage)
    assert result.exit_code == 1
    assert "answers HTTP 403 with a bot-defence challenge (Cloudflare)" in result.output


def test_an_invalid_id_is_refused_before_any_request(own_registry: Path) -> None:
    result = _run("sources", "add", "https://www.wp-plain.example/", "--id", "Bad-Id")
    assert result.exit_code == 1
    assert "--id 'Bad-Id': use lower-case letters, digits and _" in result.output


def test_check_live_reads_what_an_entry_names(server: ReplayServer, own_registry: Path) -> None:
    assert _add(server, "https://www.wp-plain.example/").exit_code == 0
    result = _run("sources", "check", "--live", "wp_plain", "--base-url", server.base_url)
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()[1:]]
    assert [(w[0], w[1]) for w in lines] == [
        ("ok", "robots.txt"),
        ("ok", "feed"),
        ("ok", "sitemap"),
        ("ok", "listing"),
    ]
    assert "10 items, 10 with an article URL" in result.output
    assert "10 items, 10 with an article URL, a link to the older page" in result.output


def test_check_live_fails_on_what_does_not_answer(server: ReplayServer, own_registry: Path) -> None:
    (own_registry / "broken.toml").write_text(BROKEN, encoding="utf-8")
    forget_loaded()
    result = _run("sources", "check", "--live", "broken-en", "--base-url", server.base_url)
    assert result.exit_code == 1
    assert "FAIL feed         https://www.wp-plain.example/feed.rss: HTTP 404" in result.output
    assert "error: 1 URLs did not answer as the entry expects" in result.output


def test_a_robots_crawl_delay_above_the_default_is_kept(own_registry: Path) -> None:
    site = build_site("wp-plain", TODAY)
    robots = "https://www.wp-plain.example/robots.txt"
    body = site.routes[robots].body + b"\nUser-agent: *\nCrawl-delay: 7\n"
    routes = {**site.routes, robots: Route(200, body, {"Content-Type": "text/plain"})}
    with ReplayServer(routes) as replay:
        result = _add(replay, site.homepage, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "crawl_delay = 7.0  # robots.txt Crawl-delay: 7" in result.stdout
