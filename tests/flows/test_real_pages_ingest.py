"""An ingest of a site of real pages, from many publishers and languages, never stalls.

The site serves every page of the shared extraction dev set (read from there, never copied)
and one pathological page: a 6 MB single paragraph whose places and entities take many
seconds each. It runs on SQLite only: what it proves is about text, not the store. The run
completes; every listed page is stored or recorded as failed; every stored article is enriched
by every enricher or its failure recorded; the pathological one is recorded over budget, and
``status`` and ``runs`` count it.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsflow.db import models
from newsflow.db.session import session_scope
from newsflow.flows.ingest import ingest
from sqlalchemy import select

from newsflow.cli import main
from newsflow.enrichment import default_enrichers
from newsflow.registry import REGISTRY_PATH_ENV
from newsflow.replay import ReplayServer, Route
from newsflow.settings import REPO_ROOT, get_settings

DEVSET = Path(os.environ.get("NEWSFLOW_DEVSET", REPO_ROOT.parent / "shared" / "extraction-devset"))
SITE = "https://realtext.example"
SOURCE = "realtext-mixed"
AGENCY = """
id = "realtext"
name = "Real pages"
homepage = "https://realtext.example/"
timezone = "UTC"
domains = ["realtext.example"]

[editions.mixed]
name = "Real pages, many publishers"
language = "en"
feeds = ["https://realtext.example/feed/"]
article_patterns = ['^https://realtext\\.example/a/\\d+$']
"""
# The budget this test sets: every real page's enrichment fits it ten times over; the
# pathological page's places alone take more than twice as long (about 4.7 s here).
SECONDS = 2
HTML = {"Content-Type": "text/html; charset=UTF-8"}


def _pathological() -> bytes:
    words = "Ursula von der Leyen said La Paz De Gaulle al-Assad met in Monroe, La. " * 25_000
    return (
        f"<html lang='en'><head><title>A very long paragraph</title></head><body><article>"
        f"<h1>A very long paragraph</h1><p>{words}</p></article></body></html>"
    ).encode()


def _site() -> dict[str, Route]:
    cases = [json.loads(line) for line in (DEVSET / "cases.jsonl").open(encoding="utf-8")]
    pages = [gzip.decompress((DEVSET / case["html"]).read_bytes()) for case in cases]
    pages.append(_pathological())
    routes = {f"{SITE}/a/{i}": Route(200, page, HTML) for i, page in enumerate(pages)}
    items = "".join(
        f"<item><title>Page {i}</title><link>{url}</link>"
        f"<pubDate>Sat, 05 Dec 2026 {i // 60:02d}:{i % 60:02d}:00 +0000</pubDate></item>"
        for i, url in enumerate(routes)
    )
    feed = f'<rss version="2.0"><channel><title>Real pages</title>{items}</channel></rss>'
    routes[f"{SITE}/feed/"] = Route(200, feed.encode(), {"Content-Type": "application/rss+xml"})
    routes[f"{SITE}/robots.txt"] = Route(200, b"User-agent: *\nAllow: /\n", {})
    return routes


@pytest.fixture
def real_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    if not (DEVSET / "cases.jsonl").exists():
        pytest.skip(f"extraction dev set not found at {DEVSET}: set NEWSFLOW_DEVSET to it")
    (tmp_path / "realtext.toml").write_text(AGENCY, encoding="utf-8")
    monkeypatch.setenv(REGISTRY_PATH_ENV, str(tmp_path))  # the crawl child reads it too
    monkeypatch.setenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", "0")
    monkeypatch.setenv("NEWSFLOW_ENRICH__ARTICLE_TIMEOUT_SECONDS", str(SECONDS))
    # Extracting the 1.8 MB page takes some 5 s: it is the enrichment budget this test is about.
    monkeypatch.setenv("NEWSFLOW_EXTRACT__PAGE_TIMEOUT_SECONDS", "180")
    get_settings.cache_clear()
    with ReplayServer(_site()) as server:
        yield server
    get_settings.cache_clear()


@pytest.mark.postgres_in_soak  # a minute and more: make test runs it on SQLite
def test_every_real_page_is_stored_and_enriched_or_recorded(
    database_url: str, real_site: ReplayServer
) -> None:
    summary = ingest(SOURCE, base_url=real_site.base_url)
    assert summary["status"] == "completed"
    listed = {url for url in real_site.routes if "/a/" in url}
    enrichers = {e.name for e in default_enrichers()}
    with session_scope() as session:
        stored = {a.url: a for a in session.execute(select(models.Article)).scalars()}
        failed = {f.url: f for f in session.execute(select(models.Failure)).scalars()}
        runs = session.execute(select(models.EnrichmentRun)).scalars().all()
    assert listed <= stored.keys() | failed.keys()  # every page: an article or a failure row
    assert len(stored) >= 100  # the dev set's pages are articles, nearly all of them
    ran: dict[int, dict[str, str | None]] = {}
    for run in runs:
        ran.setdefault(run.article_id, {})[run.enricher] = run.error
    for url, article in stored.items():
        if article.duplicate_of_id is None:
            assert ran[article.id].keys() == enrichers, url
            errors = [e for e in ran[article.id].values() if e]
            assert not errors or url in failed, url  # every enricher failure has its row
    bomb = failed[f"{SITE}/a/{len(listed) - 1}"]
    assert (bomb.stage, bomb.code) == ("enrich", "budget_exceeded")
    assert f"took over {SECONDS} s" in bomb.reason
    over = {url for url, f in failed.items() if f.code == "budget_exceeded"}
    assert over == {bomb.url}  # no real page comes near the budget

    status = CliRunner().invoke(main, ["status"])
    header, *lines = status.output.splitlines()
    column = header.index("over budget")
    row = next(line for line in lines if line.startswith(SOURCE))
    assert row[column:].split()[0] == "1"
    listed_runs = CliRunner().invoke(main, ["runs", "--source", SOURCE])
    header, row = listed_runs.output.splitlines()[:2]
    assert row[header.index("over budget") :].split()[0] == "1"
