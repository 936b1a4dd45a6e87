"""The canned queries of `newsflow browse`: search, a story, the stories.

SQLite only (browse opens the embedded database). ``newsflow_search(q, source, language)`` is
the plugin's SQL function: `newsflow search` itself (``newsflow.db.search.search``: its syntax,
ranking, folding and snippets) returning its hits, best first, as a JSON array.
"""

from __future__ import annotations

from typing import Any

RESULTS = 100  # hits a search shows; its JSON and CSV links carry the same

# The hits in their order, each read through article_view (CROSS JOIN: the search runs once).
SEARCH = """
SELECT v.id, v.title, v.source, v.language, v.published_at,
       json_extract(hit.value, '$.folded') AS folded, v.story_id AS story,
       json_extract(hit.value, '$.score') AS relevance,
       json_extract(hit.value, '$.snippet') AS snippet
FROM json_each(newsflow_search(:q, :source, :language)) AS hit
CROSS JOIN article_view v ON v.id = json_extract(hit.value, '$.id')
ORDER BY hit.key
""".strip()

# A story's original articles, then the copies of each, in publication order.
STORY = """
SELECT * FROM (
  SELECT v.id, v.published_at, v.agency, v.source, v.language, v.title,
         NULL AS copy_of, s.method AS joined_by, v.url
  FROM story_articles s JOIN article_view v ON v.id = s.article_id
  WHERE s.story_id = CAST(:id AS INTEGER)
  UNION ALL
  SELECT c.id, c.published_at, c.agency, c.source, c.language, c.title,
         c.duplicate_of, 'copy: ' || c.duplicate_method, c.url
  FROM story_articles s JOIN article_view c ON c.duplicate_of = s.article_id
  WHERE s.story_id = CAST(:id AS INTEGER)
)
ORDER BY published_at IS NULL, published_at, id
""".strip()

# Stories of two or more originals, newest first (ix_stories_first_published_at).
STORIES = """
SELECT st.id AS story,
       (SELECT v.title FROM story_members m JOIN article_view v ON v.id = m.article_id
        WHERE m.story_id = st.id ORDER BY v.published_at IS NULL, v.published_at, v.id LIMIT 1)
         AS headline,
       st.size AS articles,
       (SELECT group_concat(agency, ', ') FROM (SELECT DISTINCT v.agency FROM story_members m
        JOIN article_view v ON v.id = m.article_id WHERE m.story_id = st.id ORDER BY 1))
         AS agencies,
       (SELECT group_concat(language, ', ') FROM (SELECT DISTINCT v.language
        FROM story_members m JOIN article_view v ON v.id = m.article_id
        WHERE m.story_id = st.id AND v.language IS NOT NULL ORDER BY 1)) AS languages,
       st.first_published_at, st.last_published_at
FROM stories st
WHERE st.size > 1
ORDER BY st.first_published_at DESC, st.id DESC
LIMIT 100
""".strip()


def canned_queries() -> dict[str, dict[str, Any]]:
    """Datasette's ``queries`` of the database: name → SQL, title, description."""
    return {
        "search": {
            "title": "Search articles",
            "sql": SEARCH,
            "hide_sql": True,
            "params": ["q", "source", "language"],
            "description": (
                "`newsflow search`: best matches first, one row per story or original "
                '(folded: the other matches it stands for). Words, "a phrase", OR, -excluded '
                "(the rest of the syntax: newsflow search --help). Source (e.g. sana-en) and "
                "language (e.g. ar) are optional."
            ),
        },
        "story": {
            "title": "Story",
            "sql": STORY,
            "hide_sql": True,
            "params": ["id"],
            "description": (
                "One event across agencies and languages: the story's articles and their "
                "copies, earliest first."
            ),
        },
        "stories": {
            "title": "Stories",
            "sql": STORIES,
            "hide_sql": True,
            "description": (
                "Events reported in two or more original articles, newest first; a story "
                "number opens its articles."
            ),
        },
    }
