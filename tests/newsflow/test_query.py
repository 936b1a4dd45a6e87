"""newsflow.query: typed rows of the views, with the export's and the search's filters."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from newsflow.db import store
from newsflow.db.session import session_scope
from newsflow.db.views import DAILY_COUNTS, SOURCE_HEALTH

from newsflow import query
from newsflow.registry import load_registry

SEED = "https://sana.sy/en/?p=92385"
COPY = "https://tass.com/world/copy-of-sana-92385"


def test_row_classes_have_the_view_columns() -> None:
    from newsflow.db.views import ARTICLE_VIEW

    for row, view in (
        (query.ArticleRow, ARTICLE_VIEW),
        (query.DailyCount, DAILY_COUNTS),
        (query.SourceHealth, SOURCE_HEALTH),
    ):
        assert [f.name for f in dataclasses.fields(row)] == view.names


def test_articles_leave_copies_out_unless_asked(seeded: dict[str, int]) -> None:
    rows = list(query.articles(source="sana-en", since=date(2016, 10, 1), until=date(2016, 10, 31)))
    assert [r.url for r in rows] == [SEED]
    seed = rows[0]
    assert seed.authors == ("Hazem Sabbagh",) and seed.countries[:2] == ("SY", "RU")
    assert seed.published_at == datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    assert seed.published_day == date(2016, 10, 19) and seed.removed is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        seed.title = "changed"  # type: ignore[misc]
    everything = list(query.articles(include_copies=True))
    assert len(everything) == len(seeded)
    assert len(list(query.articles())) == len(seeded) - 1
    copies = [r for r in everything if r.duplicate_of is not None]
    assert [(r.url, r.original_id) for r in copies] == [(COPY, seeded[SEED])]


def test_articles_by_language_instant_and_story(seeded: dict[str, int]) -> None:
    assert [r.source for r in query.articles(language="ar")] == ["sana-ar"]
    after = datetime(2016, 10, 19, 12, 42, 10, tzinfo=UTC)
    assert SEED not in {r.url for r in query.articles(since=after.replace(second=11))}
    assert SEED in {r.url for r in query.articles(since=after, until=after.replace(second=11))}
    with pytest.raises(ValueError, match="naive"):
        list(query.articles(since=datetime(2016, 10, 1)))
    assert list(query.articles(story=1)) == []


def test_daily_counts_and_source_health(seeded: dict[str, int]) -> None:
    day = date(2016, 10, 19)
    counts = list(query.daily_counts(since=day, until=day))
    assert [(c.source, c.articles, c.duplicates) for c in counts] == [
        ("ria-ru", 1, 0),
        ("sana-ar", 1, 0),
        ("sana-en", 1, 0),
        ("tass-en", 1, 1),
        ("xinhua-en", 1, 0),
    ]
    assert [c.day for c in query.daily_counts(source=["sana-en"], language="en")] == [
        date(2016, 10, 19),
        date(2025, 10, 14),
    ]
    health = {h.source: h for h in query.source_health()}
    assert set(health) == set(load_registry())
    assert health["sana-en"].last_new_article_at is not None
    assert health["sana-en"].last_run_status is None


def test_search(seeded: dict[str, int]) -> None:
    [hit] = query.search("Kremlin Belgian airstrikes", language="en")
    assert (hit.url, hit.folded) == (SEED, 1)  # the copy on tass-en folds under it
    assert "[Kremlin]" in hit.snippet
    [alone] = query.search("Kremlin Belgian airstrikes", source="sana-en")
    assert (alone.url, alone.folded) == (SEED, 0)
    assert len(query.search("Kremlin Belgian airstrikes", all_copies=True)) == 2


def test_reads_another_database(seeded: dict[str, int], tmp_path) -> None:
    from newsflow.db import migrate

    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    migrate.upgrade(other)
    with session_scope(other) as session:
        store.sync_sources(session, load_registry().values())
    assert list(query.articles(database_url=other)) == []
    assert len(query.source_health(database_url=other)) == len(load_registry())


def test_the_readme_example_runs(
    seeded: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    from newsflow.settings import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    [example] = [b for b in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "query." in b]
    exec(compile(example, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "Russia: Kremlin waiting for US" in printed and "('SY', 'RU', 'US')" in printed
