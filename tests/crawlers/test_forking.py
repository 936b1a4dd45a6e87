"""Crawl children forked from the warm forkserver: each as a new interpreter would be."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
from newsflow.crawlers.forking import ForkedCrawl, start_crawl
from newsflow.crawlers.processes import group_alive, stop_group
from newsflow.db import models
from newsflow.db.session import session_scope
from sqlalchemy import func, select

from newsflow.replay import ReplayServer

AGENCY = """id = "{agency}"
name = "{agency}"
homepage = "https://{agency}.example/"
timezone = "UTC"
domains = ["{agency}.example"]

[editions.en]
language = "en"
feeds = ["https://{agency}.example/feed.xml"]
article_patterns = ['^https://{agency}\\.example/news/']
"""


def _registry(tmp_path: Path, agency: str) -> str:
    folder = tmp_path / agency
    folder.mkdir()
    (folder / f"{agency}.toml").write_text(AGENCY.format(agency=agency), encoding="utf-8")
    return str(folder)


def _output(child: ForkedCrawl | subprocess.Popen[str]) -> tuple[int, str]:
    assert child.stdout is not None
    text = child.stdout.read()
    return child.wait(timeout=60), text


def test_each_crawl_takes_the_environment_it_starts_with(tmp_path: Path, store_url: str) -> None:
    """Settings and the registry are read in each crawl, not as the forkserver found them."""
    for agency in ("alpha", "beta"):
        env = {
            **os.environ,
            "NEWSFLOW_DATABASE_URL": store_url,
            "NEWSFLOW_REGISTRY_PATH": _registry(tmp_path, agency),
        }
        child = start_crawl(["--source", "nope-xx"], env, fork=True)
        assert isinstance(child, ForkedCrawl)
        code, text = _output(child)
        assert code == 2
        assert f"{agency}-en" in text and ("beta" if agency == "alpha" else "alpha") not in text


def test_a_forked_crawl_leads_its_own_session_and_is_not_our_child(store_url: str) -> None:
    # A crawl that waits (30 s before its first retry), so it is there to look at.
    env = {**os.environ, "NEWSFLOW_DATABASE_URL": store_url, "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "30"}
    child = start_crawl(["--source", "sana-en"], env, fork=True)
    process = psutil.Process(child.pid)
    assert os.getsid(child.pid) == child.pid == os.getpgid(child.pid)
    assert process.ppid() != os.getpid()  # forked by the forkserver, our child
    assert process.parent().parent().pid == os.getpid()
    stop_group(child, grace=5)
    assert child.poll() is not None


def test_a_fresh_interpreter_when_forking_is_off(store_url: str) -> None:
    env = {**os.environ, "NEWSFLOW_DATABASE_URL": store_url}
    child = start_crawl(["--source", "nope-xx"], env, fork=False)
    assert isinstance(child, subprocess.Popen)
    code, text = _output(child)
    assert code == 2 and "cannot crawl nope-xx" in text


def test_the_forkserver_imports_the_crawler_but_no_reactor_and_no_settings() -> None:
    """What is imported before a fork must hold no state a crawl's own start would set."""
    check = (
        "import sys; import newsflow.crawlers.warm as warm; "
        "bad = [m for m in ('twisted.internet.reactor', 'newsflow.crawlers.settings') "
        "if m in sys.modules]; "
        "wanted = ['newsflow.crawlers.spiders.agency', 'scrapy.downloadermiddlewares.retry', "
        "'scrapy.core.downloader.handlers.http11']; "
        "print(bad, [m for m in wanted if m not in sys.modules], len(warm.component_modules()))"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # Nothing that must not be there, nothing missing, and Scrapy's components.
    assert result.stdout.startswith("[] [] ") and int(result.stdout.split()[-1]) > 40


def test_a_forked_crawl_shows_its_own_command_line(store_url: str) -> None:
    env = {**os.environ, "NEWSFLOW_DATABASE_URL": store_url, "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "30"}
    child = start_crawl(["--source", "sana-en"], env, fork=True)
    deadline = time.monotonic() + 10
    while "newsflow.crawlers.run" not in (line := " ".join(psutil.Process(child.pid).cmdline())):
        assert time.monotonic() < deadline, line
        time.sleep(0.05)
    assert line.split()[1:] == ["-m", "newsflow.crawlers.run", "--source", "sana-en"]
    stop_group(child, grace=5)


def test_a_forked_crawl_is_stopped_as_a_group(replay: ReplayServer, store_url: str) -> None:
    env = {
        **os.environ,
        "NEWSFLOW_DATABASE_URL": store_url,
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "30",  # stays at its second request
    }
    child = start_crawl(["--source", "sana-en"], env, fork=True)
    time.sleep(1)
    stop_group(child, grace=5)
    assert child.poll() is not None and not group_alive(child.pid)


def test_a_forked_crawl_stops_when_its_starter_is_killed(
    replay: ReplayServer, store_url: str
) -> None:
    """The forkserver exits with the process that started the crawl; the crawl notices."""
    starter = (
        "import os; from newsflow.crawlers.run import crawl_in_subprocess; "
        "crawl_in_subprocess('sana-en', None, timeout=600)"
    )
    env = {
        **os.environ,
        "NEWSFLOW_DATABASE_URL": store_url,
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "30",
        "NEWSFLOW_RUNS__STOP_GRACE_SECONDS": "3",
    }
    parent = subprocess.Popen([sys.executable, "-c", starter], env=env)
    crawl = _crawl_of(parent.pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 30
    while group_alive(crawl) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group_alive(crawl)


def _crawl_of(pid: int) -> int:
    """The crawl process under ``pid`` (forked by its forkserver), once it has started."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for process in psutil.Process(pid).children(recursive=True):
            if os.getsid(process.pid) == process.pid:
                return process.pid
        time.sleep(0.1)
    raise AssertionError("no crawl started")


def test_a_forked_crawl_s_extraction_workers_fork_from_its_forkserver(
    replay: ReplayServer, store_url: str
) -> None:
    """Not spawned by the crawl, importing the extractor again: forked warm, as the crawl was."""
    env = {
        **os.environ,
        "NEWSFLOW_DATABASE_URL": store_url,
        "NEWSFLOW_BASE_URL": replay.base_url,
        "NEWSFLOW_CRAWL__DELAY_OVERRIDE": "0",
    }
    child = start_crawl(["--source", "sana-en"], env, fork=True)
    server = psutil.Process(child.pid).parent()
    before = {p.pid for p in server.children()}  # its first article is a few requests away
    forked, spawned = set(), set()
    while child.poll() is None:
        with contextlib.suppress(psutil.NoSuchProcess):
            forked |= {p.pid for p in server.children()} - before
            spawned |= {
                p.pid
                for p in psutil.Process(child.pid).children()
                if "multiprocessing" in " ".join(p.cmdline())  # not Scrapy's `uname -p`
            }
        time.sleep(0.02)
    code, text = _output(child)
    assert code == 0, text
    assert forked and not spawned
    with session_scope(store_url) as session:
        assert session.scalar(select(func.count()).select_from(models.Article)) >= 5
