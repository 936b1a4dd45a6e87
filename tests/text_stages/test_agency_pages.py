"""Every text stage on every recorded agency page (``tests/fixtures/sites/*/``).

Each HTML file is read as the crawler reads it: by ``article_from_page`` at the first URL its
site's ``routes.json`` serves it under, with that route's headers. The stages after extraction
run on the pages whose URL is an article URL of their source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newsflow.ingestion import article_from_page
from newsflow.page import FetchedPage, PageKind
from newsflow.registry import Source, load_registry
from newsflow.replay import SITES_DIR

REGISTRY = load_registry()


@dataclass(frozen=True)
class Recorded:
    """One recorded page as the crawler fetched it, and the source it belongs to."""

    page: FetchedPage
    source: Source

    @property
    def is_article(self) -> bool:
        return self.source.is_article_url(self.page.url)


def _recorded() -> list[Recorded]:
    found: dict[Path, Recorded] = {}
    for routes_file in sorted(SITES_DIR.glob("*/routes.json")):
        site = routes_file.parent
        spec = json.loads(routes_file.read_text(encoding="utf-8"))
        routes = list(spec.get("routes", []))
        for include in spec.get("include", []):
            routes += json.loads((site / include).read_text(encoding="utf-8"))["routes"]
        for route in routes:
            path = site / route.get("file", "")
            if path.suffix in (".html", ".htm") and path not in found:
                found[path] = Recorded(_page(route, path.read_bytes()), _source(route["url"]))
    return list(found.values())


def _page(route: dict[str, Any], body: bytes) -> FetchedPage:
    url = route["url"]
    fetched = datetime(2026, 12, 1, tzinfo=UTC)
    headers = route.get("headers", {})
    return FetchedPage(url, url, 200, PageKind.ARTICLE, fetched, body, headers)


def _source(url: str) -> Source:
    host = urlsplit(url).hostname or ""
    owners = [s for s in REGISTRY.values() if s.owns_host(host)]
    return next((s for s in owners if s.is_article_url(url)), owners[0])


PAGES = _recorded()
ARTICLE_PAGES = [r for r in PAGES if r.is_article]
_extracted: dict[str, Any] = {}  # URL → the Outcome of its extraction


def _extraction(recorded: Recorded, bounded: Any) -> Any:
    """The Outcome of extracting the page as the crawler does, once per page."""
    url = recorded.page.url
    if url not in _extracted:
        call = partial(article_from_page, recorded.page, recorded.source)
        _extracted[url] = bounded.extraction(call)
    return _extracted[url]


def test_every_recorded_page_is_found() -> None:
    assert len(PAGES) >= 45 and len(ARTICLE_PAGES) >= 25


@pytest.mark.parametrize("recorded", PAGES, ids=lambda r: r.page.url)
def test_extraction_stays_within_its_bound(recorded: Recorded, bounded: Any) -> None:
    _extraction(recorded, bounded).check()


@pytest.mark.parametrize("recorded", ARTICLE_PAGES, ids=lambda r: r.page.url)
def test_every_stage_stays_within_its_bound(
    recorded: Recorded, stage_name: str, bounded: Any
) -> None:
    extracted = _extraction(recorded, bounded)
    if not extracted.passed or extracted.value is None:
        pytest.skip("no article extracted from this page (a challenge page): nothing to run")
    bounded.stage(stage_name, extracted.value).check()


@pytest.mark.postgres
@pytest.mark.parametrize("recorded", ARTICLE_PAGES, ids=lambda r: r.page.url)
def test_search_on_postgresql_stays_within_its_bound(
    recorded: Recorded, search_stage: str, bounded: Any, postgres_bounded: Any
) -> None:
    extracted = _extraction(recorded, bounded)
    if not extracted.passed or extracted.value is None:
        pytest.skip("no article extracted from this page (a challenge page): nothing to run")
    postgres_bounded.stage(search_stage, extracted.value).check()
