"""Edits and removals through the real flows and crawler, against a replay whose pages change.

A test-local replay serves SANA's recorded site with an ETag and Last-Modified on every page.
Between runs its routes are changed as an agency changes its site: a page edited (new ETag,
and its news-sitemap entry given a newer ``lastmod``), a page deleted (404), a page redirected
to the front page, a page whose share counter, teasers and spacing change but not its text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from newsflow.flows.revisit import revisit
from sqlalchemy import select

from newsflow.cli import main
from newsflow.registry import AGENCIES_DIR, REGISTRY_PATH_ENV
from newsflow.replay import ReplayServer, Route, load_routes

SEED = "https://sana.sy/en/?p=92385"
NEWS_SITEMAP = "https://sana.sy/en/news-sitemap.xml"
HOME = "https://sana.sy/en/"
VALIDATED = "Wed, 19 Oct 2016 13:00:00 GMT"
EDITED = "Tue, 01 Dec 2026 09:00:00 GMT"
FRONT_PAGE = (
    b"<html><head><title>SANA</title></head><body><h1>Syrian Arab News Agency</h1><ul>"
    + b"".join(
        b'<li><a href="/en/?p=%d">Headline %d of the day</a></li>' % (n, n) for n in range(30)
    )
    + b"</ul></body></html>"
)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


@pytest.fixture
def site() -> Iterator[ReplayServer]:
    """SANA's recorded site with validators on its pages and a front page; routes may change."""
    routes = {}
    for url, route in load_routes().items():
        if route.status == 200 and b"<html" in route.body[:2000].lower():
            extra = {"ETag": _etag(route.body), "Last-Modified": VALIDATED}
            route = Route(200, route.body, {**route.headers, **extra})
        routes[url] = route
    routes[HOME] = Route(200, FRONT_PAGE, {"Content-Type": "text/html; charset=UTF-8"})
    with ReplayServer(routes) as server:
        yield server


def _served(routes: dict[str, Route], url: str) -> bytes:
    """The body an article URL ends at, following the replay's redirects."""
    for _ in range(5):
        route = routes[url]
        if "Location" not in route.headers:
            return route.body
        url = route.headers["Location"]
    raise AssertionError(f"redirect chain too long at {url}")


def _replace(routes: dict[str, Route], url: str, new: Route) -> list[str]:
    """Serve ``new`` wherever the article at ``url`` was served (SANA serves two hosts)."""
    body = _served(routes, url)
    where = [u for u, r in routes.items() if r.status == 200 and r.body == body]
    for address in where:
        routes[address] = new
    return where


def _edit(routes: dict[str, Route], url: str, old: bytes, new: bytes) -> None:
    body = _served(routes, url)
    assert old in body
    edited = body.replace(old, new)
    headers = {"Content-Type": "text/html; charset=UTF-8", "ETag": _etag(edited)}
    _replace(routes, url, Route(200, edited, {**headers, "Last-Modified": EDITED}))


def _lastmod(routes: dict[str, Route], url: str, when: datetime) -> None:
    """Give ``url``'s news-sitemap entry a <lastmod> (the sitemap's own validators change)."""
    sitemap = routes[NEWS_SITEMAP]
    loc = f"<loc>{url}</loc>".encode()
    body = sitemap.body.replace(loc, loc + f"<lastmod>{when.isoformat()}</lastmod>".encode())
    routes[NEWS_SITEMAP] = Route(200, body, {**sitemap.headers, "ETag": _etag(body)})


def _articles() -> dict[str, models.Article]:
    with session_scope() as session:
        rows = session.execute(select(models.Article)).scalars()
        return {a.url: a for a in rows}


def _versions(url: str) -> list[models.ArticleVersion]:
    with session_scope() as session:
        return list(
            session.execute(
                select(models.ArticleVersion)
                .join(models.Article, models.Article.id == models.ArticleVersion.article_id)
                .where(models.Article.url == url)
                .order_by(models.ArticleVersion.version)
            ).scalars()
        )


def _history(url: str) -> str:
    result = CliRunner().invoke(main, ["history", url], prog_name="newsflow")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_an_edit_with_a_new_lastmod_is_one_new_version_on_the_next_scheduled_run(
    database_url: str, site: ReplayServer, fast_crawl: None
) -> None:
    ingest("sana-en", base_url=site.base_url)
    before = _articles()
    fetched = datetime.now(UTC)
    _edit(site.routes, SEED, b"Kremlin spokesman", b"Kremlin press secretary")
    _lastmod(site.routes, SEED, fetched)
    # Unchanged since it was fetched: a lastmod as old as its publication.
    _lastmod(site.routes, "https://sana.sy/en/?p=92340", datetime(2016, 10, 18, 18, tzinfo=UTC))
    hits = {url: len(site.hits_for(url)) for url in before}

    second = ingest("sana-en", base_url=site.base_url)
    third = ingest("sana-en", base_url=site.base_url)  # nothing moved since

    counts = second["counts"]
    assert (counts["lastmod_refetched"], counts["versions_new"], counts["articles_new"]) == (
        1,
        1,
        0,
    )
    assert third["counts"]["versions_new"] == third["counts"]["lastmod_refetched"] == 0
    refetched = {url for url in before if len(site.hits_for(url)) > hits[url]}
    assert refetched == {SEED}  # exactly that URL, once
    assert len(site.hits_for(SEED)) == hits[SEED] + 1
    (old,) = _versions(SEED)
    after = _articles()[SEED]
    assert (old.version, old.changed_fields, after.version) == (1, ["body"], 2)
    assert old.body == before[SEED].body and old.title == after.title
    assert after.body == before[SEED].body.replace("Kremlin spokesman", "Kremlin press secretary")
    assert old.authors == ["Hazem Sabbagh"] and old.published_at == before[SEED].published_at
    # Deduplication and enrichment picked the new text up in the same run.
    assert after.dedup_hash == after.enriched_hash == after.content_hash != old.content_hash
    assert all(_versions(url) == [] for url in before if url != SEED)
    printed = _history(SEED)
    assert "version 2  seen" in printed and "changed: body" in printed
    assert "Kremlin [-spokesman-] {+press secretary+} Dmitry Peskov" in printed


@pytest.fixture
def revisit_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SANA's registry entry with every stored article due (the fixture site is from 2016)."""
    policy = "\n[revisit]\nwithin_hours = 1000000\nevery_hours = 0\nmax_per_run = 500\n"
    declared = (AGENCIES_DIR / "sana.toml").read_text(encoding="utf-8")
    (tmp_path / "sana.toml").write_text(declared + policy, encoding="utf-8")
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(tmp_path))  # the crawl child reads it too


FURNITURE = "https://sana.sy/en/?p=92318"
DELETED = "https://sana.sy/en/?p=92371"
SENT_HOME = "https://sana.sy/en/?p=92340"


def _furnished(body: bytes, views: int, teaser: str) -> bytes:
    """The page with its view counter at ``views``, a teaser in its text, a most-read box."""
    entry = body.index(b'<div class="entry">')
    first = body.index(b"</p>", entry) + len(b"</p>")
    body = body[:first] + f"<p>Read also: {teaser}</p>".encode() + body[first:]
    sidebar = f'<aside class="widget"><h4>Most read</h4><ul><li>{teaser}</li></ul></aside>'
    body = body.replace(b"</body>", sidebar.encode() + b"</body>")
    return re.sub(rb"[\d,]+ Views", f"{views:,} Views".encode(), body)


def _page(body: bytes) -> Route:
    return Route(200, body, {"Content-Type": "text/html; charset=UTF-8", "ETag": _etag(body)})


@pytest.mark.postgres_in_soak  # make test: SQLite; make soak: both
def test_a_revisit_finds_an_edit_a_deletion_a_redirect_home_and_nothing_in_furniture(
    database_url: str, site: ReplayServer, fast_crawl: None, revisit_everything: None
) -> None:
    routes = site.routes
    plain = _served(routes, FURNITURE)
    _replace(routes, FURNITURE, _page(_furnished(plain, 1204, "Syria and Russia sign deal")))
    ingest("sana-en", base_url=site.base_url)
    stored = _articles()
    _edit(routes, SEED, b"Kremlin spokesman", b"Kremlin press secretary")
    deleted = _replace(routes, DELETED, Route(404, b"<html><body>Not found</body></html>"))
    _replace(routes, SENT_HOME, Route(301, b"", {"Location": HOME}))
    refurnished = _furnished(plain, 1377, "Damascus International Fair opens")
    _replace(routes, FURNITURE, _page(refurnished.replace(b"<p>", b"<p>\n  ")))

    summary = revisit("sana-en", base_url=site.base_url)

    counts = summary["counts"]
    assert summary["status"] == "completed" and summary["kind"] == "revisit"
    assert counts["revisited"] == len(stored)
    assert (counts["versions_new"], counts["removed"], counts["restored"]) == (1, 2, 0)
    assert counts["not_modified"] == len(stored) - 4  # the untouched pages answered 304
    after = _articles()
    assert (after[DELETED].removed_reason, after[SENT_HOME].removed_reason) == (
        "not_found",
        "redirect_home",
    )
    assert after[DELETED].body == stored[DELETED].body  # the text stays
    assert [v.changed_fields for v in _versions(SEED)] == [["body"]]
    assert _versions(FURNITURE) == [] and after[FURNITURE].removed_at is None
    untouched = set(stored) - {SEED, DELETED, SENT_HOME, FURNITURE}
    assert all(_versions(u) == [] and after[u].removed_at is None for u in untouched)
    with session_scope() as session:
        fetch_failures = session.execute(
            select(models.Failure.code).where(models.Failure.run_id == summary["run_id"])
        ).scalars()
        assert list(fetch_failures) == ["not_found"]  # the 404 is recorded as well

    # The deleted page comes back: the removal is cleared, and history tells both.
    for url in deleted:
        routes[url] = _page(_served(load_routes(), DELETED))
    again = revisit("sana-en", base_url=site.base_url)
    assert (again["counts"]["restored"], again["counts"]["removed"]) == (1, 0)
    assert _articles()[DELETED].removed_at is None
    printed = _history(DELETED)
    assert "removed  " in printed and "not_found: the page answered 404" in printed
    assert "found again  " in printed and printed.index("removed  ") < printed.index("found again")
