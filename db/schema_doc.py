"""docs/schema.md, rendered from the view descriptions in db.views (never edited by hand)."""

from __future__ import annotations

from pathlib import Path

from newsflow.db.views import QUERIES, TYPE_MEANINGS, VIEWS, DocumentedQuery, View

from newsflow.settings import REPO_ROOT

SCHEMA_DOC = REPO_ROOT / "docs" / "schema.md"

_HEAD = """# Query contract: the views

<!-- Generated from db/views.py by `python -m newsflow.db.views`; do not edit by hand. -->

Downstream programs read these views, never the tables: tables may change between releases,
the views keep their columns (new columns may be added at the end). They exist on SQLite and
PostgreSQL alike, created by the migrations (`newsflow db upgrade`). Times are UTC.
"""

_SEARCH = """## Full-text search

- PostgreSQL: `articles.search_vector`, a stored generated `tsvector` of the title (weight A)
  and body (weight B), indexed by the GIN index `ix_articles_search`. Each article is parsed
  with the text search configuration of its declared language
  (`newsflow_search_config(language)`: `english`, `russian`, `arabic`, … where the server has
  one, `simple` otherwise). A search ORs the query parsed in every configuration the sources
  use, so one query finds articles in any of them; `ts_rank` orders the matches.
- SQLite: `articles_fts`, an FTS5 table over `articles` (external content, title and body,
  `porter unicode61` tokens), kept in sync by triggers on insert, update and delete. Datasette
  (`newsflow browse`) searches `article_view` through it.

`newsflow search` and `newsflow.query.search()` fold copies under their original and an
original under its story (one row each), unless asked for every copy.
"""

_NAMES = """## Names across scripts

`article_enrichments.key` (table `enrichments.key`) is the cross-script key of a person or
organisation name, NULL for other kinds: Dmitry Peskov, Дмитрий Песков and ديمتري بيسكوف all
have `bskf dmtr`. It is `newsflow.enrichment.keys.name_key(value, kind)`: each word's consonant
skeleton, with the usual transliteration variants merged (p/b, v/f/w, k/q, s/z/ts, sh/ch,
h/kh), vowels, the Arabic article and Russian case endings dropped; aliases
(`newsflow/enrichment/data/name_aliases.tsv`, the organisation gazetteer) where the skeleton
fails (UN, ООН, الأمم المتحدة). Words stay apart, the last first, as a catalogue lists
"Peskov, Dmitry". PostgreSQL compares the column byte by byte (`COLLATE "C"`), as SQLite does.

`newsflow export --name`, `newsflow search --name` and the `name` argument of
`newsflow.query.articles()` and `newsflow.query.search()` match a name by its whole key or as
the first words of longer keys, so a surname finds the full names, through the index
`ix_enrichments_kind_key`; a copy is matched by its original's names. In SQL, with a key
computed in Python:

```sql
SELECT DISTINCT article_id FROM article_enrichments
WHERE kind IN ('person', 'organisation') AND (key = 'bskf' OR key LIKE 'bskf %');
```
"""


def render_schema_doc() -> str:
    """The whole of docs/schema.md."""
    parts = [_HEAD, _types()]
    parts += [_view(view) for view in VIEWS]
    parts.append(_queries())
    parts.append(_SEARCH)
    parts.append(_NAMES)
    return "\n".join(parts)


def write_schema_doc(path: Path = SCHEMA_DOC) -> Path:
    """Write docs/schema.md from the descriptions; returns the path written."""
    path.write_text(render_schema_doc(), encoding="utf-8")
    return path


def _types() -> str:
    rows = "\n".join(f"| `{name}` | {meaning} |" for name, meaning in TYPE_MEANINGS.items())
    return f"## Types\n\n| type | value |\n|---|---|\n{rows}\n"


def _view(view: View) -> str:
    rows = "\n".join(f"| `{c.name}` | {c.type} | {c.meaning} |" for c in view.columns)
    return (
        f"## `{view.name}`\n\nOne row: {view.row}.\n\n"
        f"| column | type | meaning |\n|---|---|---|\n{rows}\n"
    )


def _queries() -> str:
    blocks = "\n".join(_query(query) for query in QUERIES)
    return (
        "## Documented queries\n\nEach uses an index on PostgreSQL (checked with `EXPLAIN` by "
        "tests/db/test_views.py), so its cost follows the rows it returns, not the history "
        f"stored.\n\n{blocks}"
    )


def _query(query: DocumentedQuery) -> str:
    return f"### {query.title}\n\n```sql\n{query.sql};\n```\n\nIndex: `{query.index}`.\n"
