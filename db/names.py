"""Articles by name in any script: those whose people or organisations share the name's key.

The key (``newsflow.enrichment.keys.name_key``, column ``enrichments.key``, migration 0013)
is the same for Dmitry Peskov, Дмитрий Песков and ديمتري بيسكوف: ``bskf dmtr``, a word per word
of the name, the last first. A name matches a whole key or the first words of a longer one, so
"Peskov", "Песков" and "بيسكوف" find Dmitry Peskov, and "Tayyip Erdogan" Recep Tayyip Erdoğan.
Keys beginning with ``bskf`` are a range (``bskf `` to ``bskf!``: a space sorts just before
``!``, and keys hold only letters, digits and spaces), read from ``ix_enrichments_kind_key``
alone, whose entries carry the article id.
"""

from __future__ import annotations

from typing import Any

from newsflow.db.models import Article, Enrichment
from sqlalchemy import ColumnElement, Select, and_, or_, select, union_all

__all__ = ["named_articles", "named_ids"]


def named_ids(name: str) -> Select[Any]:
    """Ids of the articles whose own people or organisations bear ``name``, in any script.

    Raises ValueError when the name has no letters to make a key of.
    """
    # Imported here: the enrichment package is slow to import, and only this filter needs it.
    from newsflow.enrichment.keys import KEY_KINDS, name_key

    by_key: dict[str, list[str]] = {}
    for kind in KEY_KINDS:  # aliases are per kind, so a name may key apart in each
        key = name_key(name, kind)
        if key is not None:
            by_key.setdefault(key, []).append(kind)
    if not by_key:
        raise ValueError(f"no letters in {name!r} to look a name up by")
    terms = [and_(Enrichment.kind.in_(kinds), _matches(key)) for key, kinds in by_key.items()]
    return select(Enrichment.article_id).where(or_(*terms))


def named_articles(ids: Any, name: str) -> ColumnElement[bool]:
    """The WHERE term keeping articles (``ids``: their id column) that bear ``name``: an
    original by its own rows, a copy by its original's, as article_view shows their names.
    """
    # Looked up once; then originals by primary key and copies by their link's index (an OR
    # of the two tests made PostgreSQL scan the names twice and every article).
    named = select(named_ids(name).cte("named").c.article_id)
    originals = select(Article.id).where(Article.id.in_(named), Article.duplicate_of_id.is_(None))
    copies = select(Article.id).where(Article.duplicate_of_id.in_(named))
    return ids.in_(union_all(originals, copies))


def _matches(key: str) -> ColumnElement[bool]:
    """The whole key, or keys it begins as whole words (a surname; a hyphenated one is two)."""
    # "key >= :key" bounds the range and says the key is not null, so the partial index
    # (key IS NOT NULL) serves it on SQLite too, which cannot read that from the OR alone.
    whole_or_words = or_(Enrichment.key == key, Enrichment.key >= key + " ")
    return and_(Enrichment.key >= key, Enrichment.key < key + "!", whole_or_words)
