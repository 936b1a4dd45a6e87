"""`newsflow browse`: Datasette on 127.0.0.1 over the embedded database, search included.

What a browser shows (views first, cut bodies, ranked search, a story): tests/newsflow/browse.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError

import pytest
from click.testing import CliRunner
from newsflow.db import migrate
from newsflow.db.session import dispose_engines

from newsflow.browse.metadata import metadata
from newsflow.cli import main
from newsflow.settings import get_settings

SEED = "https://sana.sy/en/?p=92385"
TITLE = "Russia: Kremlin waiting for US and European response to Belgian airstrikes in Aleppo"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bytes(response.read())
        except (URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_search_page_finds_the_seed(seeded: dict[str, int], database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        result = CliRunner().invoke(main, ["browse"], prog_name="newsflow")
        assert result.exit_code == 1
        assert result.stderr.startswith(
            "newsflow: error: browse opens the embedded SQLite database, not postgresql"
        )
        return
    port = _free_port()
    newsflow = Path(sys.executable).with_name("newsflow")
    env = {**os.environ, "NEWSFLOW_DATABASE_URL": database_url}
    server = subprocess.Popen(
        [str(newsflow), "browse", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}/newsflow"
        deadline = time.monotonic() + 90
        rows = json.loads(
            _get(f"{base}/article_view.json?_search=Hassadjek&_shape=array", deadline)
        )
        view = _get(f"{base}/article_view", deadline).decode("utf-8")
        # The page's search box opens `newsflow search`: best first, exclusions honoured.
        found = _get(f"{base}/article_view?_search=Kremlin+Belgian", deadline).decode("utf-8")
        ranked = json.loads(_get(f"{base}/search.json?q=Kremlin&_shape=array", deadline))
        excluded = json.loads(_get(f"{base}/search.json?q=Kremlin+-Aleppo&_shape=array", deadline))
        table = json.loads(_get(f"{base}/articles.json?_search=Peskov&_shape=array", deadline))
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert sorted(r["url"] for r in rows) == sorted(
        [SEED, "https://tass.com/world/copy-of-sana-92385"]
    )
    assert "agency-local publication day" in view  # column descriptions
    assert "<title>Search articles: Kremlin Belgian" in found and TITLE in found
    assert ranked[0]["title"] == TITLE and ranked[0]["folded"] == 1  # its copy folded
    assert TITLE not in [row["title"] for row in excluded]
    assert [r["url"] for r in table] == [SEED, "https://tass.com/world/copy-of-sana-92385"]
    assert out.startswith(f"browsing {Path(database_url.removeprefix('sqlite:///'))} at ")
    assert f"http://127.0.0.1:{port}/newsflow" in out


def test_metadata_documents_every_view() -> None:
    from newsflow.db.views import VIEWS

    tables = metadata("newsflow")["databases"]["newsflow"]["tables"]
    assert sorted(tables) == sorted(v.name for v in VIEWS)
    assert tables["article_view"]["fts_table"] == "articles_fts"
    assert (
        tables["daily_counts"]["columns"]["duplicates"]
        == "exact or near copies of an earlier article"
    )


@pytest.mark.parametrize("port", [-1, 70000])
def test_bad_port_is_one_line(port: int) -> None:
    result = CliRunner().invoke(main, ["browse", "--port", str(port)], prog_name="newsflow")
    assert result.exit_code == 1 and "'--port'" in result.stderr


def test_busy_port_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    migrate.upgrade(url)
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["browse", "--port", str(port)], prog_name="newsflow")
    dispose_engines()
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsflow: error: cannot serve on 127.0.0.1:{port}: Address already in use\n"
    )
