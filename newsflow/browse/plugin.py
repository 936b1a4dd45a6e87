"""The Datasette plugin of `newsflow browse`, registered by the command (no entry point).

- ``newsflow_search(q, source, language)``: `newsflow search` itself, for the canned ``search``
  query (``newsflow.db.search.search``: web syntax, ranking, folding, snippets); a query with
  nothing to search for finds nothing, and the search page says why.
- Cells: long article bodies shown as a preview that opens to the full text; snippets with
  their matches marked; story and article ids and titles linked to the story and the article.
- The search box of the ``article_view`` page opens that search (Datasette's own table search
  keeps every word, newest first, and reads ``-word`` as a word); the view's JSON and CSV
  keep Datasette's search.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

from newsflow.browse.queries import RESULTS

PREVIEW_CHARS = 200  # of a body in a list of rows; the rest opens on a click
STORY_COLUMNS = frozenset({"story", "story_id"})
ARTICLE_COLUMNS = frozenset({"duplicate_of", "copy_of", "article_id"})
_MATCH = re.compile(r"\[([^\[\]]+)\]")  # a snippet's marked match

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# Why recent queries searched nothing, for the page that shows their (empty) results.
_PROBLEMS: dict[str, str] = {}
_KEPT_PROBLEMS = 64


def searcher(url: str) -> Callable[[str | None, str | None, str | None], str]:
    """The SQL function ``newsflow_search`` over the store at ``url``."""

    def newsflow_search(query: str | None, source: str | None, language: str | None) -> str:
        from newsflow.db.search import SearchQueryError, search
        from newsflow.db.session import session_scope

        if query is None or not query.strip():
            return "[]"
        try:
            with session_scope(url) as session:
                hits = search(
                    session,
                    query,
                    sources=[source] if source else (),
                    language=language or None,
                    limit=RESULTS,
                )
        except SearchQueryError as exc:
            _remember(query, str(exc))
            return "[]"
        found = [
            {"id": h.id, "score": h.score, "folded": h.folded, "snippet": h.snippet} for h in hits
        ]
        return json.dumps(found, ensure_ascii=False)

    return newsflow_search


def _remember(query: str, problem: str) -> None:
    _PROBLEMS.pop(query, None)
    _PROBLEMS[query] = problem
    while len(_PROBLEMS) > _KEPT_PROBLEMS:
        _PROBLEMS.pop(next(iter(_PROBLEMS)), None)


def search_problem(query: str | None) -> str | None:
    """Why this query searched nothing, as `newsflow search` words it; None if it searched."""
    return _PROBLEMS.get(query) if query else None


@hookimpl
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    path = datasette.databases[database].path if database in datasette.databases else None
    if path:
        conn.create_function("newsflow_search", 3, searcher(f"sqlite:///{path}"))


@hookimpl
def extra_template_vars(request: Any) -> dict[str, Any]:
    if request is None or not request.path.endswith("/search"):
        return {}
    return {"newsflow_search_problem": search_problem(request.args.get("q"))}


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if value is None:
        return None
    if column == "body" and isinstance(value, str):
        return body_cell(value)
    if column == "relevance" and isinstance(value, float):
        return Markup("{}").format(f"{value:.3g}")
    if column == "snippet" and isinstance(value, str):
        return snippet_cell(value)
    urls = datasette.urls
    if column in STORY_COLUMNS and isinstance(value, int):
        return _link(f"{urls.query(database, 'story')}?id={value}", value)
    if column in ARTICLE_COLUMNS and isinstance(value, int):
        return _link(f"{urls.table(database, 'article_view')}?id={value}", value)
    keys = set(row.keys()) if hasattr(row, "keys") else set()
    if column == "headline" and isinstance(row["story"] if "story" in keys else None, int):
        return _link(f"{urls.query(database, 'story')}?id={row['story']}", value)
    article = row["id"] if {"id", "source"} <= keys else None
    if column == "title" and table in (None, "article_view") and isinstance(article, int):
        return _link(f"{urls.table(database, 'article_view')}?id={article}", value)
    return None


def body_cell(text: str) -> Markup | None:
    """A body longer than PREVIEW_CHARS as its opening words, the full text a click away."""
    words = text.split()
    flat = " ".join(words)
    if len(flat) <= PREVIEW_CHARS:
        return None
    preview = flat[: PREVIEW_CHARS + 1]
    preview = preview.rsplit(" ", 1)[0] if " " in preview else preview[:PREVIEW_CHARS]
    return Markup(
        '<details class="newsflow-body"><summary><span class="newsflow-preview">{}…</span> '
        '<span class="newsflow-more">({:,} words)</span></summary>'
        '<div class="newsflow-body-text">{}</div></details>'
    ).format(preview, len(words), text)


def snippet_cell(snippet: str) -> Markup:
    """A search snippet with its [matches] marked."""
    marked = [
        Markup("<mark>{}</mark>").format(part) if i % 2 else escape(part)
        for i, part in enumerate(_MATCH.split(snippet))
    ]
    return Markup("").join(marked)


def _link(href: str, text: object) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


_TABLE_PAGE = re.compile(r"^/(?P<database>[^/]+)/article_view$")


def search_redirect(path: str, query_string: str) -> str | None:
    """Where the article_view page's search box leads: the ranked search, filters kept."""
    match = _TABLE_PAGE.match(path)
    if match is None:
        return None
    args = dict(parse_qsl(query_string))
    if not args.get("_search", "").strip() or "_format" in args:
        return None
    params = {"q": args["_search"]}
    for name in ("source", "language"):
        params[name] = args.get(name) or args.get(f"{name}__exact") or ""
    return f"/{match['database']}/search?{urlencode(params)}"


@hookimpl
def asgi_wrapper() -> Callable[[App], App]:
    def wrap(app: App) -> App:
        async def redirecting(scope: Scope, receive: Receive, send: Send) -> None:
            target = None
            if scope["type"] == "http":
                target = search_redirect(scope["path"], scope["query_string"].decode("latin-1"))
            if target is None:
                await app(scope, receive, send)
                return
            headers = [(b"location", target.encode("latin-1")), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 302, "headers": headers})
            await send({"type": "http.response.body", "body": b""})

        return redirecting

    return wrap
