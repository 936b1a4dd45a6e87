"""Datasette metadata for `newsflow browse`: views first with a search box, tables hidden."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from newsflow.browse.queries import canned_queries

SYNTAX = 'words, "a phrase", OR, -excluded'


def metadata(database: str, tables: Iterable[str] = ()) -> dict[str, Any]:
    """The views as documented (docs/schema.md) and the canned queries; ``tables`` (the
    database's own, internal ones) hidden from the lists but still reachable by URL."""
    from newsflow.db.views import VIEWS

    views: dict[str, Any] = {
        view.name: {
            "description": f"One row per {view.row.removeprefix('one row per ')}.",
            "columns": {column.name: column.meaning for column in view.columns},
        }
        for view in VIEWS
    }
    # Datasette's own search on the view, for its JSON and CSV (all words, newest first);
    # the page's search box opens the ranked search instead (the plugin's redirect).
    views["article_view"].update(fts_table="articles_fts", fts_pk="id", sort_desc="published_at")
    hidden = {name: {"hidden": True} for name in tables if name not in views}
    home = home_html(database)
    return {
        "title": "newsflow",
        "description_html": home,
        "databases": {
            database: {
                "description_html": home,
                "tables": {**hidden, **views},
                "queries": canned_queries(),
            }
        },
    }


def home_html(database: str) -> str:
    """The top of the home and database pages: a search box, the views, the stories."""
    from datasette.utils import tilde_encode  # the database's path segment, as Datasette's

    from newsflow.db.views import VIEWS

    base = f"/{tilde_encode(database)}"
    items = "".join(
        f'<li><a href="{base}/{view.name}">{view.name}</a>: {escape(view.row)}</li>'
        for view in VIEWS
    )
    return (
        f'<form class="newsflow-search" action="{base}/search" method="get">'
        '<label for="newsflow-q">Search articles</label> '
        f'<input type="search" id="newsflow-q" name="q" size="40" placeholder="{escape(SYNTAX)}"> '
        '<input type="submit" value="Search"></form>'
        f'<p class="newsflow-syntax">Best matches first; {escape(SYNTAX)}.</p>'
        f'<h2 id="newsflow-views">Views</h2><ul class="bullets newsflow-views">{items}'
        f'<li><a href="{base}/stories">Stories</a>: events across agencies and languages</li>'
        "</ul>"
        '<p class="newsflow-internal">The tables under the views are hidden; the column '
        "meanings are in docs/schema.md.</p>"
    )
