"""Every text stage on every page of the extraction dev set (real pages, 78 publishers).

The pages are read from ``../shared/extraction-devset`` (or ``NEWSFLOW_DEVSET``) at test
time, never copied here; without the set these tests skip, saying how to enable them.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest

from newsflow.article import Article
from newsflow.extraction import extract_article
from newsflow.settings import REPO_ROOT

DEVSET = Path(os.environ.get("NEWSFLOW_DEVSET", REPO_ROOT.parent / "shared" / "extraction-devset"))
MISSING = (
    f"extraction dev set not found at {DEVSET}: put it there (as for `make eval`) or set "
    "NEWSFLOW_DEVSET to the folder holding cases.jsonl"
)


def _cases() -> list[Any]:
    path = DEVSET / "cases.jsonl"
    if not path.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="devset-missing")]
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [pytest.param(case, id=case["id"]) for case in cases]


CASES = _cases()
_extracted: dict[str, Any] = {}  # case id → the Outcome of its extraction


def _html(case: dict[str, Any]) -> str:
    # As `newsflow eval` reads the set: gzip-compressed UTF-8.
    return gzip.decompress((DEVSET / case["html"]).read_bytes()).decode("utf-8", "replace")


def _extraction(case: dict[str, Any], bounded: Any) -> Any:
    """The Outcome of extracting the page, once per page (in a bounded child)."""
    if case["id"] not in _extracted:
        html = _html(case)
        _extracted[case["id"]] = bounded.extraction(lambda: extract_article(html, case["url"]))
    return _extracted[case["id"]]


def _article(case: dict[str, Any], bounded: Any) -> Article:
    """What the later stages read: the extracted article, else the set's expected text (so a
    page extraction fails on, which its own test reports, still feeds every stage)."""
    outcome = _extraction(case, bounded)
    if outcome.passed and outcome.value is not None:
        return outcome.value
    authors = tuple(case["authors"])
    return Article(url=case["url"], title=case["title"], body=case["body"], authors=authors)


@pytest.mark.parametrize("case", CASES)
def test_extraction_stays_within_its_bound(case: dict[str, Any], bounded: Any) -> None:
    _extraction(case, bounded).check()


@pytest.mark.parametrize("case", CASES)
def test_every_stage_stays_within_its_bound(
    case: dict[str, Any], stage_name: str, bounded: Any
) -> None:
    bounded.stage(stage_name, _article(case, bounded)).check()


@pytest.mark.postgres
@pytest.mark.soak_only  # make test: PostgreSQL's search over the agency pages and worst cases
@pytest.mark.parametrize("case", CASES)
def test_search_on_postgresql_stays_within_its_bound(
    case: dict[str, Any], search_stage: str, bounded: Any, postgres_bounded: Any
) -> None:
    postgres_bounded.stage(search_stage, _article(case, bounded)).check()
