"""Every agency in the registry: the recorded ones checked against their fixture sites.

Each ``tests/fixtures/sites/<agency>/expected/<name>.json`` is one case: the page its URL maps
to in the site's ``routes.json`` must extract to the expected fields. A new agency is covered
by adding its TOML, its site directory and its expected JSON; no test code changes. An agency
marked ``verified = "documented"`` has no recorded site yet: its file must load and cite its
sources.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from newsflow import extract_article
from newsflow.extraction import PageKind, classify_page
from newsflow.registry import AGENCIES_DIR, RegistryError, get_source, load_agency, load_registry
from newsflow.replay import Route, load_routes

SITES = Path(__file__).parents[2] / "fixtures" / "sites"
EXPECTED = sorted(SITES.glob("*/expected/*.json"))
NEW_AGENCIES = ("tass", "ria", "xinhua", "anadolu", "irna")


def _case_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.stem}"


def _expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def routes() -> dict[str, Route]:
    return load_routes(SITES)


def _page(routes: dict[str, Route], url: str) -> str:
    assert url in routes, f"{url} has no route in its site's routes.json"
    route = routes[url]
    charset = "utf-8"
    content_type = route.headers.get("Content-Type", "")
    if "charset=" in content_type:
        charset = content_type.split("charset=")[1].split(";")[0].strip()
    return route.body.decode(charset)


# --- extraction, one case per expected JSON ------------------------------------------------


@pytest.mark.parametrize("path", EXPECTED, ids=_case_id)
def test_fixture_page_extracts_as_expected(path: Path, routes: dict[str, Route]) -> None:
    expected = _expected(path)
    url, source = expected["url"], expected["source"]
    html = _page(routes, url)
    article = extract_article(html, url, source)

    if expected.get("blocked"):
        assert classify_page(html, url) is PageKind.BLOCKED
        assert article is None
        return

    assert article is not None, "the page was not recognised as an article"
    assert article.source == source
    assert article.title == expected["title"]
    assert article.body.startswith(expected["body_start"]), article.body[:200]
    assert article.body.endswith(expected["body_end"]), article.body[-200:]
    assert list(article.authors) == expected["authors"]
    published = datetime.fromisoformat(expected["published_at"])
    assert article.published_at == published
    assert article.published_at.utcoffset() == published.utcoffset()
    assert article.language == expected["language"]
    assert article.dateline == expected["dateline"]
    if "section" in expected:
        assert article.section == expected["section"]


# --- the registry --------------------------------------------------------------------------


def test_every_registry_file_loads() -> None:
    files = sorted(AGENCIES_DIR.glob("*.toml"))
    assert {f.stem for f in files} >= set(NEW_AGENCIES)
    for path in files:
        load_agency(path)
    sources = load_registry()
    for agency in NEW_AGENCIES:
        assert any(s.agency.id == agency for s in sources.values())


# --- the bundled agencies and how each was checked -----------------------------------------

BUNDLED = {path.stem: load_agency(path) for path in sorted(AGENCIES_DIR.glob("*.toml"))}
RECORDED = sorted(a for a, agency in BUNDLED.items() if agency.verified == "recorded")
DOCUMENTED = sorted(a for a, agency in BUNDLED.items() if agency.verified == "documented")


def test_the_registry_bundles_at_least_30_agencies() -> None:
    assert len(BUNDLED) >= 30
    assert len({s.agency.id for s in load_registry(AGENCIES_DIR).values()}) == len(BUNDLED)


@pytest.mark.parametrize("agency_id", sorted(BUNDLED))
def test_every_bundled_agency_is_marked(agency_id: str) -> None:
    assert BUNDLED[agency_id].verified in ("recorded", "documented")


@pytest.mark.parametrize("agency_id", RECORDED)
def test_every_recorded_agency_has_a_site_directory(agency_id: str) -> None:
    assert (SITES / agency_id).is_dir(), f"{agency_id} is marked recorded: record its site"


@pytest.mark.parametrize("agency_id", DOCUMENTED)
def test_every_documented_agency_names_its_sources(agency_id: str) -> None:
    lines = (AGENCIES_DIR / f"{agency_id}.toml").read_text(encoding="utf-8").splitlines()
    comments = [line.split("#", 1)[1] for line in lines if "#" in line]
    assert any("http" in comment for comment in comments), f"{agency_id}: cite the sources"


def test_a_users_own_agency_file_may_be_unmarked(tmp_path: Path) -> None:
    path = tmp_path / "tass.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_agency(path).verified is None
    marked = tmp_path / "marked" / "tass.toml"
    marked.parent.mkdir()
    marked.write_text(GOOD.replace("\n[editions.en]", '\nverified = "recorded"\n[editions.en]'))
    assert load_agency(marked).verified == "recorded"


def _discovery_urls(source_id: str) -> list[str]:
    edition = get_source(source_id).edition
    listings = [listing.url for listing in edition.listings]
    return [*edition.feeds, *edition.sitemaps, *edition.news_sitemaps, *listings]


@pytest.mark.parametrize("source_id", sorted(load_registry()))
def test_discovery_urls_stay_within_the_agency_domains(source_id: str) -> None:
    source = get_source(source_id)
    assert source.owns_host(urlsplit(str(source.agency.homepage)).hostname or "")
    for url in _discovery_urls(source_id):
        host = urlsplit(url).hostname or ""
        assert source.owns_host(host), f"{url}: host {host!r} not in {source.agency.domains}"
        assert not source.is_article_url(url), f"{url} looks like an article URL"


@pytest.mark.parametrize("path", EXPECTED, ids=_case_id)
def test_expected_url_is_an_article_url_of_its_source(path: Path) -> None:
    expected = _expected(path)
    source = get_source(expected["source"])
    assert source.is_article_url(expected["url"])
    assert source.owns_host(urlsplit(expected["url"]).hostname or "")


@pytest.mark.parametrize("agency_id", RECORDED)
def test_every_recorded_agency_has_a_fixture_site(agency_id: str) -> None:
    site = SITES / agency_id
    assert (site / "routes.json").is_file()
    cases = [_expected(p) for p in site.glob("expected/*.json")]
    articles = [c for c in cases if not c.get("blocked")]
    assert len(articles) >= 2, f"{agency_id}: record at least two article pages"
    assert all(c["source"].startswith(f"{agency_id}-") for c in cases)


@pytest.mark.parametrize("agency_id", NEW_AGENCIES)
def test_routes_files_exist(agency_id: str) -> None:
    site = SITES / agency_id
    spec = json.loads((site / "routes.json").read_text(encoding="utf-8"))
    for entry in spec["routes"]:
        if "file" in entry:
            assert (site / entry["file"]).is_file(), entry["file"]
        else:
            assert entry.get("status", 200) >= 300, f"{entry['url']}: a 200 route needs a file"


@pytest.mark.parametrize("agency_id", NEW_AGENCIES)
def test_listing_markup_reads_the_recorded_listing(
    agency_id: str, routes: dict[str, Route]
) -> None:
    source = next(s for s in load_registry().values() if s.agency.id == agency_id)
    markup = source.agency.listing
    assert markup is not None
    url = source.edition.listings[0].url.format(page=source.edition.listings[0].first_page)
    page = Selector(text=_page(routes, url))
    items = page.css(markup.item)
    assert items, f"{url}: no item matches {markup.item!r}"
    links = [urljoin(url, link) for item in items for link in item.css(markup.link).getall()[:1]]
    assert len(links) == len(items)
    assert all(source.owns_host(urlsplit(link).hostname or "") for link in links)
    if markup.date:
        assert all(item.css(markup.date).get() for item in items)
    assert markup.next_page is not None
    next_url = page.css(markup.next_page).get()
    assert next_url, f"{url}: no next page"
    assert urljoin(url, next_url) in routes


# --- broken registry files ----------------------------------------------------------------

GOOD = """\
id = "tass"
name = "TASS"
homepage = "https://tass.com/"
timezone = "Europe/Moscow"
domains = ["tass.com"]

[editions.en]
language = "en"
article_patterns = ['^https://tass\\.com/[a-z-]+/\\d+$']
"""


# Each case: the broken file's text and the field its error message must name.
BROKEN = {
    "zone": (GOOD.replace("Europe/Moscow", "Europe/Mordor"), "timezone"),
    "no-patterns": (
        GOOD.replace("article_patterns = ['^https://tass\\.com/[a-z-]+/\\d+$']", ""),
        "editions.en.article_patterns",
    ),
    "bad-regex": (
        GOOD.replace("article_patterns = [", "article_patterns = ['(unclosed', "),
        "editions.en.article_patterns",
    ),
    "cron": (GOOD + 'schedule = "every 15 minutes"\n', "schedule"),
    "dateline-group": (GOOD + "\n[rules]\ndateline = '^(?P<town>\\w+),'\n", "rules.dateline"),
    "dateline-regex": (GOOD + "\n[rules]\ndateline = '^(?P<place>\\w+'\n", "rules.dateline"),
    "extra-key": (GOOD + "\n[listing]\nitem = 'li'\nnext = 'a'\n", "listing.next"),
    "id-file": (GOOD.replace('id = "tass"', 'id = "itar_tass"'), "id"),
    "verified": (
        GOOD.replace('domains = ["tass.com"]', 'domains = ["tass.com"]\nverified = "yes"'),
        "verified",
    ),
}


@pytest.mark.parametrize(("text", "field"), list(BROKEN.values()), ids=list(BROKEN))
def test_broken_registry_file_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "tass.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as excinfo:
        load_agency(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert field in message


def test_good_registry_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "tass.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_agency(path).editions["en"].language == "en"


def test_unparsable_registry_file_names_file(tmp_path: Path) -> None:
    path = tmp_path / "tass.toml"
    path.write_text(GOOD.replace('name = "TASS"', 'name = "TASS'), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"tass\.toml"):
        load_agency(path)


def test_registry_file_not_utf8_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "tass.toml"
    path.write_bytes(GOOD.replace('"TASS"', '"TASS agence télégraphique"').encode("latin-1"))
    with pytest.raises(RegistryError) as excinfo:
        load_agency(path)
    assert str(excinfo.value) == (
        f"{path}: not UTF-8 (byte 0xe9 on line 2); agency files are UTF-8 TOML"
    )
