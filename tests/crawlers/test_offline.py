"""Offline by construction: a crawl and an extraction never reach beyond 127.0.0.1.

Children run with a socket guard (``netguard.py`` as their ``sitecustomize``) that refuses
and records any connection or name lookup beyond loopback, and without the offline
defaults in their environment, so newsflow itself must set them. TASS's recorded feed sends
a Set-Cookie, which is what made tldextract fetch the public suffix list.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from newsflow.crawlers.run import crawl_in_subprocess
from newsflow.db import models
from sqlalchemy import create_engine, select

from newsflow.offline import OFFLINE_DEFAULTS
from newsflow.replay import SITES_DIR, ReplayServer

GUARD = Path(__file__).with_name("netguard.py")
TASS = SITES_DIR / "tass"


@pytest.fixture
def guarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], Path]:
    """Environment for a guarded child, and the file its refused attempts are written to."""
    site = tmp_path / "guard"
    site.mkdir()
    shutil.copy(GUARD, site / "sitecustomize.py")
    for name in OFFLINE_DEFAULTS:  # the child must not inherit them from this process
        monkeypatch.delenv(name, raising=False)
    log = tmp_path / "network-attempts.log"
    env = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
        "NEWSFLOW_NETGUARD_LOG": str(log),
        # A fresh tldextract cache: a suffix list downloaded earlier would hide a new fetch.
        "TLDEXTRACT_CACHE": str(tmp_path / "tldextract"),
    }
    return env, log


def _attempts(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_guard_refuses_and_records_traffic_beyond_loopback(
    guarded: tuple[dict[str, str], Path], replay: ReplayServer
) -> None:
    env, log = guarded
    code = f"""
import socket, urllib.request
print(urllib.request.urlopen({replay.base_url + "/tass.com/robots.txt"!r}).status)
for attempt in (lambda: urllib.request.urlopen("http://example.com/", timeout=5),
                lambda: socket.socket().connect(("192.0.2.1", 80))):
    try:
        attempt()
    except OSError as exc:
        print("refused")
"""
    result = _run(code, env)
    assert result.stdout.split() == ["200", "refused", "refused"], result.stderr
    attempts = _attempts(log)
    assert len(attempts) == 2
    assert "getaddrinfo 'example.com'" in attempts[0]
    assert "connect ('192.0.2.1', 80)" in attempts[1]


def test_a_crawl_that_receives_cookies_stays_on_loopback(
    guarded: tuple[dict[str, str], Path], replay: ReplayServer, store_url: str
) -> None:
    env, log = guarded
    env |= {
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
        "NEWSFLOW_DATABASE_URL": store_url,
    }
    start = len(replay.hits)
    assert crawl_in_subprocess("tass-en", None, env=env, timeout=120) == 0
    assert _attempts(log) == []
    # The feed's Set-Cookie went through Scrapy's cookie middleware (and so tldextract).
    cookies = [h.headers.get("Cookie", "") for h in replay.hits[start:]]
    assert any(c.startswith("tass_uuid=") for c in cookies)
    engine = create_engine(store_url)
    with engine.connect() as conn:
        urls = set(conn.scalars(select(models.Article.url)))
    engine.dispose()
    assert urls == {"https://tass.com/politics/1867543", "https://tass.com/economy/1867601"}


def test_extracting_a_recorded_page_stays_on_loopback(
    guarded: tuple[dict[str, str], Path],
) -> None:
    env, log = guarded
    page = TASS / "pages" / "politics_1867543.html"
    code = f"""
from pathlib import Path
from newsflow import extract_article
article = extract_article(Path({str(page)!r}).read_text(encoding="utf-8"),
                          "https://tass.com/politics/1867543", "tass-en")
print(article.title)
# A page that is just a URL: htmldate, under trafilatura, downloads strings that look like one.
print(extract_article("https://example.com/2024/05/14/story", None, None))
"""
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    expected = json.loads((TASS / "expected" / "politics_1867543.json").read_text("utf-8"))
    assert result.stdout.splitlines() == [expected["title"], "None"]
    assert _attempts(log) == []


def test_prefect_is_told_not_to_report_usage(guarded: tuple[dict[str, str], Path]) -> None:
    env, log = guarded
    code = """
import os
import newsflow.flows  # as every flow module does first, before it imports Prefect
from prefect.settings import get_current_settings
print(get_current_settings().server.analytics_enabled, os.environ["DO_NOT_TRACK"])
"""
    result = _run(code, env)
    assert result.stdout.split() == ["False", "1"], result.stderr
    assert _attempts(log) == []
