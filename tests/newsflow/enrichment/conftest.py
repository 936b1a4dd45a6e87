"""Enrichment fixtures: the recorded registry articles, and a time bound on forked children."""

from __future__ import annotations

import json
import os
import pickle
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsflow import extract_article
from newsflow.article import Article
from newsflow.enrichment import warm_up
from newsflow.replay import load_routes

SITES = Path(__file__).parents[2] / "fixtures" / "sites"
SEED = "sana/en_p92385"
ARABIC = "sana/ar_p462137"


def _case_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.stem}"


def load_fixture_articles() -> dict[str, Article]:
    """Every article page of the registry fixtures, by ``<agency>/<expected name>``."""
    routes = load_routes(SITES)
    found = {}
    for path in sorted(SITES.glob("*/expected/*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        if expected.get("blocked"):
            continue
        route = routes[expected["url"]]
        article = extract_article(route.body.decode("utf-8"), expected["url"], expected["source"])
        assert article is not None, path
        found[_case_id(path)] = article
    return found


@pytest.fixture(scope="session")
def fixture_articles() -> dict[str, Article]:
    """The extracted fixture articles."""
    return load_fixture_articles()


@pytest.fixture(scope="session")
def seed(fixture_articles: dict[str, Article]) -> Article:
    """The SANA English 2016 article "Russia: Kremlin waiting for US and European response…"."""
    return fixture_articles[SEED]


@pytest.fixture(scope="session")
def arabic(fixture_articles: dict[str, Article]) -> Article:
    """The SANA Arabic article of the same story."""
    return fixture_articles[ARABIC]


BOUND_SECONDS = 5.0
_HEADROOM = 1024**3  # address space a child may add to its parent's before MemoryError


@pytest.fixture(scope="session")
def bounded() -> Callable[..., Any]:
    """``bounded(fn, *args, seconds=5)``: ``fn(*args)`` run in a forked child, its result.

    A child that does not return in time is killed and the test fails, instead of hanging the
    suite; one that allocates without end gets a MemoryError. The enrichers are warmed first,
    so every child inherits the loaded gazetteers.
    """
    warm_up()
    return run_bounded


def run_bounded(fn: Callable[..., Any], *args: Any, seconds: float = BOUND_SECONDS) -> Any:
    """``fn(*args)`` in a forked child within ``seconds``; its (picklable) result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        try:
            os.close(read_end)
            _limit_memory()
            try:
                written = pickle.dumps((True, fn(*args)))
            except BaseException:
                written = pickle.dumps((False, traceback.format_exc()))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(written)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        payload = _read_within(read_end, seconds)
    finally:
        os.close(read_end)
    call = f"{getattr(fn, '__name__', fn)}{args!r}"[:300]
    if payload is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail(f"{call} did not return within {seconds} s")
    _, status = os.waitpid(pid, 0)
    if not payload:
        pytest.fail(f"{call}: the child died ({os.waitstatus_to_exitcode(status)})")
    ok, result = pickle.loads(payload)
    if not ok:
        pytest.fail(f"{call} raised:\n{result}")
    return result


def _read_within(fd: int, seconds: float) -> bytes | None:
    """Everything written to ``fd`` until it closes, or None when that takes too long."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    # Each turn reads a non-empty chunk or returns; the deadline bounds the turns.
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _limit_memory() -> None:
    with open("/proc/self/statm", encoding="ascii") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + _HEADROOM if hard == resource.RLIM_INFINITY else min(size + _HEADROOM, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
