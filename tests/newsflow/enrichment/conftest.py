"""The recorded registry fixture articles, extracted once for every enrichment test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsflow import extract_article
from newsflow.article import Article
from newsflow.replay import load_routes

SITES = Path(__file__).parents[2] / "fixtures" / "sites"
SEED = "sana/en_p92385"
ARABIC = "sana/ar_p462137"


def _case_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.stem}"


def load_fixture_articles() -> dict[str, Article]:
    """Every article page of the registry fixtures, by ``<agency>/<expected name>``."""
    routes = load_routes(SITES)
    found = {}
    for path in sorted(SITES.glob("*/expected/*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        if expected.get("blocked"):
            continue
        route = routes[expected["url"]]
        article = extract_article(route.body.decode("utf-8"), expected["url"], expected["source"])
        assert article is not None, path
        found[_case_id(path)] = article
    return found


@pytest.fixture(scope="session")
def fixture_articles() -> dict[str, Article]:
    """The extracted fixture articles."""
    return load_fixture_articles()


@pytest.fixture(scope="session")
def seed(fixture_articles: dict[str, Article]) -> Article:
    """The SANA English 2016 article "Russia: Kremlin waiting for US and European response…"."""
    return fixture_articles[SEED]


@pytest.fixture(scope="session")
def arabic(fixture_articles: dict[str, Article]) -> Article:
    """The SANA Arabic article of the same story."""
    return fixture_articles[ARABIC]
