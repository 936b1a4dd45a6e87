"""The browse tests' store: tests/newsflow/browse/small_store.py, in a temporary file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsflow.db.session import dispose_engines

from newsflow.settings import get_settings
from tests.newsflow.browse.small_store import build


@pytest.fixture
def browse_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A migrated SQLite store with small_store's articles, the copy and their story.

    Yields the file and {"ids": key → article id, "story": the story's id}.
    """
    path = tmp_path / "newsflow.sqlite3"
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    ids, story = build(path)
    dispose_engines()
    yield path, {"ids": ids, "story": story}
    dispose_engines()
    get_settings.cache_clear()
