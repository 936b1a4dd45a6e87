"""search stems: an index of stemmed words, so search finds inflections on both databases

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00+00:00

``articles_stems`` holds each article's title, body and authors as stems of its language
(``newsflow.db.stems``): on SQLite an FTS5 table (rowid = article id), on PostgreSQL a table
of one ``tsvector`` per article (title A, body B, authors C, their words marked ``@``) under
the GIN index ``ix_articles_search_stems``. The store writes an article's stems when it
saves the article.
Triggers keep the index whole when articles are written by SQL instead: a new or edited title,
body, authors or language puts the article's words there unstemmed, a deleted article goes
(PostgreSQL: by the foreign key's cascade); the store's next save stems them again.

The articles stored before get their stems here, in batches (memory stays flat however many
are stored). The index of 0008 (``articles_fts``, ``articles.search_vector``) stays as it was:
Datasette and SQL users read it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500  # articles read, stemmed and written per statement
INDEX = "ix_articles_search_stems"
# Stems are whole words already: unicode61 only cuts at the spaces between them (marks are
# letters here, as in the stemmer's words), and folds what a raw row from a trigger holds.
SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE articles_stems USING fts5(title, body, authors, "
    "tokenize=\"unicode61 remove_diacritics 2 categories 'L* N* Co M*'\")"
)
SQLITE_TRIGGERS = (
    """CREATE TRIGGER articles_stems_insert AFTER INSERT ON articles BEGIN
  INSERT OR REPLACE INTO articles_stems (rowid, title, body, authors)
  VALUES (new.id, new.title, new.body, new.authors);
END""",
    """CREATE TRIGGER articles_stems_update AFTER UPDATE OF title, body, authors, language
ON articles BEGIN
  INSERT OR REPLACE INTO articles_stems (rowid, title, body, authors)
  VALUES (new.id, new.title, new.body, new.authors);
END""",
    """CREATE TRIGGER articles_stems_delete AFTER DELETE ON articles BEGIN
  DELETE FROM articles_stems WHERE rowid = old.id;
END""",
)
# The raw words with `simple` (no stems), weighted and marked as the store writes stems
# (db/stems.py; authors' words begin with @ and, unpositioned here, carry no weight).
POSTGRES_RAW = f"""
CREATE FUNCTION newsflow_raw_stems() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO articles_stems (article_id, vector)
  VALUES (NEW.id,
    setweight(to_tsvector('simple', COALESCE(NEW.title, '')), 'A') ||
    setweight(to_tsvector('simple', left(COALESCE(NEW.body, ''), {200_000})), 'B') ||
    array_to_tsvector(ARRAY(SELECT '@' || w.lexeme
      FROM unnest(to_tsvector('simple', COALESCE(CAST(NEW.authors AS text), ''))) AS w)))
  ON CONFLICT (article_id) DO UPDATE SET vector = excluded.vector;
  RETURN NULL;
END $$
"""
POSTGRES_TRIGGER = (
    "CREATE TRIGGER articles_stems_raw AFTER INSERT OR UPDATE OF title, body, authors, "
    "language ON articles FOR EACH ROW EXECUTE FUNCTION newsflow_raw_stems()"
)


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        op.create_table(
            "articles_stems",
            sa.Column(
                "article_id",
                sa.Integer(),
                sa.ForeignKey("articles.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("vector", TSVECTOR(), nullable=False),
        )
    else:
        op.execute(SQLITE_TABLE)
    backfill(connection)
    if postgres:
        # Built after the backfill: one sort of the stems rather than an entry per row. No
        # pending list (fastupdate): the store writes an article at a time, its stems go in
        # at once, and a search (and the planner's estimate) never reads a list of them.
        op.execute(
            f"CREATE INDEX {INDEX} ON articles_stems USING gin (vector) WITH (fastupdate = off)"
        )
        op.execute(POSTGRES_RAW)
        op.execute(POSTGRES_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def backfill(connection: sa.Connection, batch: int = BATCH) -> int:
    """Stem every stored article into ``articles_stems``, ``batch`` at a time; how many."""
    # Imported here: the stems must be today's, those the store writes and queries compute.
    from newsflow.db.stems import stem_row, write_stems

    articles = sa.table(
        "articles",
        sa.column("id"),
        sa.column("language"),
        sa.column("title"),
        sa.column("body"),
        sa.column("authors", sa.JSON()),
    )
    done, after = 0, 0
    while True:
        found = connection.execute(
            sa.select(articles).where(articles.c.id > after).order_by(articles.c.id).limit(batch)
        ).all()
        if not found:
            return done
        rows = [stem_row(r.id, r.language, r.title, r.body, r.authors or ()) for r in found]
        write_stems(connection, rows)
        done += len(rows)
        after = found[-1].id


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER articles_stems_raw ON articles")
        op.execute("DROP FUNCTION newsflow_raw_stems()")
        op.drop_table("articles_stems")  # its index goes with it
    else:
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER articles_stems_{trigger}")
        op.execute("DROP TABLE articles_stems")
