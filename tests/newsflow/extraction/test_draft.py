"""The draft records each value with its evidence and freezes into an Article."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.extraction.draft import Draft
from newsflow.extraction.evidence import Found


def test_set_records_value_and_evidence_together() -> None:
    draft = Draft(url="https://example.org/a", source=None)
    draft.set("section", Found("City", "meta[article:section]"))
    draft.set("dateline", None)
    assert draft.section == "City"
    assert draft.dateline is None
    assert draft.provenance == {"section": "meta[article:section]"}


def test_article_joins_paragraphs_and_keeps_every_field() -> None:
    draft = Draft(url="https://example.org/a", source="tass-en", tags=("budget",))
    draft.set("title", Found("Budget passes", "h1"))
    draft.set("body", Found(["One.", "Two."], "trafilatura"))
    draft.set("published_at", Found(datetime(2024, 5, 7, tzinfo=UTC), "jsonld.datePublished"))
    article = draft.article()
    assert article.body == "One.\n\nTwo."
    assert (article.title, article.source, article.tags) == (
        "Budget passes",
        "tass-en",
        ("budget",),
    )
    assert article.published_at == datetime(2024, 5, 7, tzinfo=UTC)


def test_evidence_is_recorded_for_every_field_set() -> None:
    draft = Draft(url="", source=None)
    draft.set("title", Found("Title", "h1"))
    draft.set("authors", Found(("Jane Doe",), "jsonld.author"))
    draft.set("dateline", None)  # nothing found: nothing recorded
    assert draft.article().provenance == {"title": "h1", "authors": "jsonld.author"}


def test_a_draft_without_a_title_is_no_article() -> None:
    with pytest.raises(ValueError, match="title"):
        Draft(url="", source=None).article()


def test_article_holds_no_lone_surrogate_or_control_character() -> None:
    draft = Draft(url="https://example.org/a", source=None, tags=("a\x00b",))
    draft.set("title", Found("Budget \ud83d passes", "jsonld.headline"))
    draft.set("body", Found(["One\x00.", "Two\tthree\x1f."], "script data"))
    draft.set("authors", Found(("Jane \udc00Doe",), "jsonld.author"))
    article = draft.article()
    assert article.title == "Budget \ufffd passes"
    assert article.body == "One .\n\nTwo\tthree ."
    assert (article.authors, article.tags) == (("Jane \ufffdDoe",), ("a b",))
