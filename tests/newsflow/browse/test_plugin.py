"""The browse plugin and canned queries without a server: the SQL on a small store, the cells,
the redirect of the view's search box, the metadata."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "datasette", reason="datasette is not installed: pip install 'newsflow[browse]'"
)

from newsflow.db.search import SearchQueryError, search
from newsflow.db.session import session_scope

from newsflow.browse import plugin
from newsflow.browse.metadata import metadata
from newsflow.browse.queries import SEARCH, STORIES, STORY
from newsflow.cli.browse import tables
from tests.newsflow.browse.small_store import ARTICLES, ORDER_OF_THE_EXCLUSION


@pytest.fixture
def sql(browse_db: tuple[Path, dict[str, Any]]) -> Iterator[tuple[sqlite3.Connection, list[str]]]:
    """A read-only connection with newsflow_search, and the queries it ran, as Datasette's."""
    path, _ = browse_db
    searched: list[str] = []
    newsflow_search = plugin.searcher(f"sqlite:///{path}")

    def counted(query: str | None, source: str | None, language: str | None) -> str:
        searched.append(query or "")
        return newsflow_search(query, source, language)

    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        conn.create_function("newsflow_search", 3, counted)
        yield conn, searched


def _search(conn: sqlite3.Connection, q: str, source: str = "", language: str = "") -> list[Any]:
    return conn.execute(SEARCH, {"q": q, "source": source, "language": language}).fetchall()


def test_search_is_newsflow_search_run_once(
    sql: tuple[sqlite3.Connection, list[str]], browse_db: tuple[Path, dict[str, Any]]
) -> None:
    conn, searched = sql
    ids = browse_db[1]["ids"]
    rows = _search(conn, "Belgian airstrikes -Aleppo")
    assert [row["id"] for row in rows] == [ids[key] for key in ORDER_OF_THE_EXCLUSION]
    assert rows[0]["relevance"] > rows[1]["relevance"]
    assert "[Belgian] [airstrikes]" in rows[1]["snippet"]
    assert searched == ["Belgian airstrikes -Aleppo"]  # once, not once per article
    [kremlin] = _search(conn, "Kremlin")
    assert (kremlin["id"], kremlin["folded"], kremlin["story"]) == (
        ids["kremlin"],
        1,  # its copy
        browse_db[1]["story"],
    )
    assert [row["id"] for row in _search(conn, "Belgian", source="anadolu-en")] == [
        ids[key] for key in ORDER_OF_THE_EXCLUSION
    ]
    assert _search(conn, "Kremlin", language="ar") == []


@pytest.mark.parametrize("query", ["", "   ", "-Aleppo"])
def test_nothing_to_search_for_finds_nothing(
    sql: tuple[sqlite3.Connection, list[str]], browse_db: tuple[Path, dict[str, Any]], query: str
) -> None:
    conn, _ = sql
    assert _search(conn, query) == []
    if query.strip():  # the page says what `newsflow search` says
        url = f"sqlite:///{browse_db[0]}"
        with session_scope(url) as session, pytest.raises(SearchQueryError) as refused:
            search(session, query)
        assert plugin.search_problem(query) == str(refused.value)
    else:
        assert plugin.search_problem(query) is None  # the empty form
    assert plugin.search_problem("Belgian airstrikes") is None


def test_a_story_across_agencies_and_languages(
    sql: tuple[sqlite3.Connection, list[str]], browse_db: tuple[Path, dict[str, Any]]
) -> None:
    conn, _ = sql
    ids, story = browse_db[1]["ids"], browse_db[1]["story"]
    rows = conn.execute(STORY, {"id": str(story)}).fetchall()  # Datasette passes text
    assert [(r["id"], r["source"], r["language"], r["copy_of"], r["joined_by"]) for r in rows] == [
        (ids["russian"], "ria-ru", "ru", None, "text"),
        (ids["kremlin"], "sana-en", "en", None, "text"),
        (ids["copy"], "tass-en", "en", ids["kremlin"], "copy: exact"),
        (ids["arabic"], "sana-ar", "ar", None, "text"),
    ]
    assert conn.execute(STORY, {"id": ""}).fetchall() == []
    [listed] = conn.execute(STORIES).fetchall()
    assert dict(listed) == {
        "story": story,
        "headline": ARTICLES["russian"].title,
        "articles": 3,
        "agencies": "ria, sana",
        "languages": "ar, en, ru",
        "first_published_at": "2016-10-19 11:30:00.000000",
        "last_published_at": "2016-10-19 13:05:00.000000",
    }


def test_a_long_body_is_a_preview_that_opens() -> None:
    assert plugin.body_cell("Short body.") is None
    body = "<b>Aleppo</b> " + "word " * 300
    cell = str(plugin.body_cell(body))
    preview = cell.split('<span class="newsflow-preview">')[1].split("…</span>")[0]
    assert preview.startswith("&lt;b&gt;Aleppo&lt;/b&gt; word")  # escaped
    assert len(preview.replace("&lt;", "<").replace("&gt;", ">")) <= plugin.PREVIEW_CHARS
    assert "(301 words)" in cell and cell.count("word") > 300  # the full text, folded


def test_a_snippet_marks_its_matches() -> None:
    cell = plugin.snippet_cell("…the [Belgian] [airstrikes] <were> raised…")
    assert str(cell) == ("…the <mark>Belgian</mark> <mark>airstrikes</mark> &lt;were&gt; raised…")


@pytest.mark.parametrize(
    ("path", "query", "target"),
    [
        (
            "/newsflow/article_view",
            "_search=Belgian+-Aleppo&source__exact=anadolu-en",
            "/newsflow/search?q=Belgian+-Aleppo&source=anadolu-en&language=",
        ),
        (
            "/newsflow/article_view",
            "_search=Kremlin&_sort=id&language=en",
            "/newsflow/search?q=Kremlin&source=&language=en",
        ),
        ("/newsflow/article_view", "", None),
        ("/newsflow/article_view", "_search=+", None),
        ("/newsflow/article_view.json", "_search=Kremlin", None),  # the JSON: Datasette's
        ("/newsflow/article_view", "_search=Kremlin&_format=json", None),
        ("/newsflow/articles", "_search=Kremlin", None),
    ],
)
def test_the_view_search_box_opens_the_search(path: str, query: str, target: str | None) -> None:
    assert plugin.search_redirect(path, query) == target


def test_metadata_hides_the_tables_and_starts_with_the_views(
    browse_db: tuple[Path, dict[str, Any]],
) -> None:
    from newsflow.db.views import VIEWS

    path, _ = browse_db
    names = tables(path)
    assert {"articles", "crawl_runs", "articles_fts"} <= set(names)
    assert "article_view" not in names
    described = metadata("newsflow", names)
    database = described["databases"]["newsflow"]
    hidden = {name for name, table in database["tables"].items() if table.get("hidden")}
    assert hidden == set(names)
    assert {view.name for view in VIEWS} <= set(database["tables"]) - hidden
    assert list(database["queries"]) == ["search", "story", "stories"]
    home = database["description_html"]
    assert home == described["description_html"]
    assert home.index('action="/newsflow/search"') < home.index('href="/newsflow/article_view"')
    assert (
        metadata("my news", ())["databases"]["my news"]["description_html"].count('href="/my+news/')
        == len(VIEWS) + 1
    )
