"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, the local replay, fuzzing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from newsflow.db.session import dispose_engines
from sqlalchemy import create_engine, text

from newsflow.replay import ReplayServer, load_routes
from newsflow.settings import REPO_ROOT, get_settings
from tests.databases import empty_database

# The user's own agency directory (platformdirs' config dir) stays out of every test and child.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="newsflow-test-config-")

POSTGRES_URL = os.environ.get(
    "NEWSFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ENABLE_HINT = (
    "PostgreSQL tests skipped: no server at {url} ({error}). Start PostgreSQL on 127.0.0.1:5432 "
    "with trust auth for user postgres, or set NEWSFLOW_TEST_POSTGRES_URL to a server URL "
    "whose user may create databases."
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that asks for the PostgreSQL server directly, so `-m postgres` selects it;
    leave the PostgreSQL variant of a `postgres_in_soak` test, and a `soak_only` test, to make
    soak (deselected)."""
    # The postgresql parametrisation of `database_url` carries the mark through its param.
    soak = os.environ.get("NEWSFLOW_SOAK") == "1"
    kept, left = [], []
    for item in items:
        if "postgres_server_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        long_run = on_postgres and item.get_closest_marker("postgres_in_soak")
        long_run = long_run or item.get_closest_marker("soak_only")
        (left if long_run and not soak else kept).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
    # The long end-to-end files first: pytest-xdist hands out files in this order, so the
    # other worker goes through the many short ones meanwhile instead of both ending on a
    # long file each. The Makefile passes --no-loadscope-reorder: by default xdist hands out
    # the files with the most tests first, which put every one-test end-to-end file last.
    items[:] = sorted(kept, key=_long_first)


ROOT = Path(__file__).resolve().parents[1]
# The text stages' files take minutes each (a forked child per page and stage): handed out
# last, as their name sorts, one worker ran them alone for a minute and more at the end.
LONG_FIRST = (
    "tests/flows/test_workers.py",
    "tests/flows/",
    "tests/text_stages/",
    "tests/packaging/",
    "tests/crawlers/",
)


def _long_first(item: pytest.Item) -> int:
    path = Path(str(item.path)).relative_to(ROOT).as_posix()
    return next((rank for rank, p in enumerate(LONG_FIRST) if path.startswith(p)), len(LONG_FIRST))


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A throwaway PostgreSQL database, created for this test session and dropped after it."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except Exception as exc:  # any connection failure means: no server here
        admin.dispose()
        message = ENABLE_HINT.format(url=POSTGRES_URL, error=type(exc).__name__)
        if os.environ.get("CI"):
            pytest.fail(message + " CI must run the PostgreSQL tests.")
        pytest.skip(message)
    admin.dispose()
    with empty_database(POSTGRES_URL, "newsflow_test") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> Iterator[str]:
    """An empty, migrated database; each test runs on SQLite and on PostgreSQL."""
    from newsflow.db import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'newsflow.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server_url")
        _reset_schema(url)
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", url)
    get_settings.cache_clear()
    migrate.upgrade(url)
    yield url
    dispose_engines()
    get_settings.cache_clear()


def _reset_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        # A failed test's traceback keeps its frames, and with them any half-read stream's
        # transaction: the schema's locks would make this wait for ever.
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def replay() -> Iterator[ReplayServer]:
    """The recorded agency sites, served on 127.0.0.1 for the whole test session."""
    with ReplayServer(load_routes()) as server:
        yield server


# Fuzz tests: a modest, repeatable run in `make test`; a long exploring one with NEWSFLOW_SOAK=1
# (failures are kept in var/hypothesis and replayed first next time).
settings.register_profile(
    "newsflow",
    max_examples=60,
    deadline=timedelta(seconds=2),  # per input: a parser that hangs on one page is a bug
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "newsflow-soak",
    parent=settings.get_profile("newsflow"),
    max_examples=3000,
    derandomize=False,
    print_blob=True,
    database=DirectoryBasedExampleDatabase(str(REPO_ROOT / "var" / "hypothesis")),
)
settings.load_profile("newsflow-soak" if os.environ.get("NEWSFLOW_SOAK") else "newsflow")

# Bytes that parsers trip over: bad references, stray markup, NULs, BOMs, late declarations.
NASTY = (
    b"&#0;",
    b"&#xD800;",
    b"&#x110000;",
    b"&#99999999999999999999;",
    b"&bogus;",
    b"&amp",
    b"&",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x1f\x8b",
    b"</html>",
    b"<body>",
    b"</",
    b"<",
    b">",
    b'"',
    b"<script>",
    b"<style>",
    b"<!DOCTYPE html>",
    b'<meta charset="windows-1256">',
    b'<a href="http://[::1">x</a>',
    b"<loc>http://[::1</loc>",
    b"<link>http://[x</link>",
    b"<lastmod>2016-10-19T15:42:10</lastmod>",
    b"<pubDate>Mon, 01 Jan 0001 00:00:00 +0100</pubDate>",
    b"<updated>9999-12-31T23:59:59-12:00</updated>",
    "\u2028\u202e\ufeff".encode(),
)
ENCODINGS = ("utf-16", "utf-32", "cp1256", "cp1251", "koi8-r", "latin-1", "shift_jis", "utf-7")
_TAGS = (b"div", b"p", b"span", b"table", b"item", b"url", b"entry", b"li")


def entity_bomb(levels: int = 9) -> bytes:
    """A "billion laughs" internal subset: ``&e9;`` expands to 10**9 copies of a word."""
    declarations = [b'<!ENTITY e0 "lol">'] + [
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">'.encode() for i in range(1, levels + 1)
    ]
    return b"<!DOCTYPE d [" + b"".join(declarations) + b"]>"


def _at(doc: bytes) -> st.SearchStrategy[int]:
    return st.integers(0, len(doc))


@st.composite
def mutated_documents(draw: st.DrawFn, originals: Sequence[bytes]) -> bytes:
    """A recorded document damaged one to four times, the ways real servers and attackers do."""
    doc = draw(st.sampled_from(originals))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(sorted(_MUTATIONS)))
        doc = _MUTATIONS[kind](draw, doc, originals)
    return doc


def _truncate(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    return doc[: draw(_at(doc))]


def _delete(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    at = draw(_at(doc))
    return doc[:at] + doc[at + draw(st.integers(1, 512)) :]


def _insert(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    at = draw(_at(doc))
    return doc[:at] + draw(st.sampled_from(NASTY) | st.binary(max_size=64)) + doc[at:]


def _splice(draw: st.DrawFn, doc: bytes, originals: Sequence[bytes]) -> bytes:
    other = draw(st.sampled_from(originals))
    return doc[: draw(_at(doc))] + other[draw(_at(other)) :]


def _repeat(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    at = draw(_at(doc))
    return (
        doc[:at] + doc[at : at + draw(st.integers(1, 2000))] * draw(st.integers(2, 50)) + doc[at:]
    )


def _nest(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    at, tag = draw(_at(doc)), draw(st.sampled_from(_TAGS))
    opening = b"<" + tag + b">"
    return doc[:at] + opening * draw(st.integers(10, 5000)) + doc[at:]


def _huge_attribute(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    at, size = draw(_at(doc)), draw(st.integers(1_000, 300_000))
    return doc[:at] + b'<a class="' + b"x" * size + b'" href="/a">a</a>' + doc[at:]


def _reencode(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    return doc.decode("utf-8", "replace").encode(draw(st.sampled_from(ENCODINGS)), "replace")


def _redeclare(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    name = draw(st.sampled_from((*ENCODINGS, "x-bogus", "")))
    return re.sub(rb"(?i)utf-8", name.encode(), doc, count=1)


def _entity_bomb(draw: st.DrawFn, doc: bytes, _: Sequence[bytes]) -> bytes:
    prolog = doc.find(b"?>") + 2 if doc.startswith(b"<?xml") else 0
    body = doc[prolog:]
    at = draw(_at(body))
    return doc[:prolog] + entity_bomb() + body[:at] + b"&e9;" + body[at:]


_MUTATIONS: dict[str, Callable[[st.DrawFn, bytes, Sequence[bytes]], bytes]] = {
    "truncate": _truncate,
    "delete": _delete,
    "insert": _insert,
    "splice": _splice,
    "repeat": _repeat,
    "nest": _nest,
    "huge_attribute": _huge_attribute,
    "reencode": _reencode,
    "redeclare": _redeclare,
    "entity_bomb": _entity_bomb,
}


@pytest.fixture(scope="session")
def mutated() -> Callable[[Sequence[bytes]], st.SearchStrategy[bytes]]:
    """Strategy factory for fuzz tests: ``data.draw(mutated(recorded_documents))``."""
    return mutated_documents


@pytest.fixture(scope="session")
def billion_laughs() -> bytes:
    """An XML internal subset whose ``&e9;`` expands to 10**9 words wherever entities resolve."""
    return entity_bomb()


# Appended to a child's code to print its own peak resident memory in MiB. VmHWM belongs to the
# child's memory map; ru_maxrss would not do: a child started by vfork + exec keeps its parent's
# high-water mark there (a pytest worker's, hundreds of MB, once its other tests have run).
_PRINT_PEAK = """
import resource
try:
    _status = open("/proc/self/status").read()
    print(int(_status.split("VmHWM:")[1].split()[0]) // 1024)
except OSError:  # not Linux
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


@pytest.fixture(scope="session")
def child_peak_mib() -> Callable[[str], int]:
    """Run Python ``code`` in a fresh interpreter (it must succeed); its peak memory in MiB."""

    def run(code: str) -> int:
        result = subprocess.run(
            [sys.executable, "-c", code + _PRINT_PEAK],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return int(result.stdout.split()[-1])

    return run


# The seed article of the query contract (issue 10) and a copy planted under another source.
SEED_URL = "https://sana.sy/en/?p=92385"
COPY_URL = "https://tass.com/world/copy-of-sana-92385"


@pytest.fixture
def seeded(database_url: str) -> dict[str, int]:
    """Every recorded registry article stored through extraction, the seed enriched, a copy.

    Returns article ids by URL; ``COPY_URL`` is an exact copy of the seed on tass-en, linked
    to it as dedup links copies.
    """
    import json
    from datetime import UTC, datetime

    from newsflow.db import models, store
    from newsflow.db.session import session_scope
    from newsflow.flows.enrich import enrich_source
    from sqlalchemy import select, update

    from newsflow.ingestion import article_from_page
    from newsflow.page import FetchedPage, PageKind
    from newsflow.registry import get_source, load_registry

    sites = REPO_ROOT / "tests" / "fixtures" / "sites"
    routes = load_routes(sites)
    with session_scope(database_url) as session:
        store.sync_sources(session, load_registry().values())
        for path in sorted(sites.glob("*/expected/*.json")):
            expected = json.loads(path.read_text(encoding="utf-8"))
            if expected.get("blocked"):
                continue
            url, source = expected["url"], expected["source"]
            page = FetchedPage(url, url, 200, PageKind.ARTICLE, datetime.now(UTC), routes[url].body)
            article = article_from_page(page, get_source(source))
            assert article is not None
            store.save_article(session, article, store.save_page(session, None, source, page))
            if url == SEED_URL:
                seed = article
        store.save_article(session, seed.evolve(url=COPY_URL, source="tass-en"), None)
        rows = session.execute(select(models.Article.url, models.Article.id)).all()
        ids = {url: article_id for url, article_id in rows}
        link = {"duplicate_of_id": ids[SEED_URL], "duplicate_method": "exact"}
        session.execute(
            update(models.Article)
            .where(models.Article.id == ids[COPY_URL])
            .values(**link, duplicate_similarity=1.0)
        )
    enrich_source("sana-en", url=database_url)
    return ids


@pytest.fixture
def bump_version(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, int], None]:
    """Give a default enricher a new version, as an upgrade would.

    Enrichers run in worker processes, which see the instance handed to them, not a patched
    class: the default instance is replaced by one carrying the new version.
    """
    import copy

    import newsflow.enrichment as enrichment

    def bump(name: str, version: int) -> None:
        bumped = []
        for enricher in enrichment._DEFAULT:
            if enricher.name == name:
                enricher = copy.copy(enricher)
                enricher.version = version
            bumped.append(enricher)
        monkeypatch.setattr(enrichment, "_DEFAULT", tuple(bumped))

    return bump


@pytest.fixture
def own_registry(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty agency directory of the test's own in NEWSFLOW_REGISTRY_PATH, crawled without
    delay (its sites are local replays); what `sources add` writes lands there."""
    from newsflow.registry import forget_loaded

    directory = tmp_path / "agencies"
    directory.mkdir()
    monkeypatch.setenv("NEWSFLOW_REGISTRY_PATH", str(directory))
    monkeypatch.setenv("NEWSFLOW_CRAWL__DELAY_OVERRIDE", "0")
    get_settings.cache_clear()
    forget_loaded()
    yield directory
    forget_loaded()
    get_settings.cache_clear()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def module_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of the test module's own on SQLite and on PostgreSQL, migrated once."""
    from newsflow.db import migrate

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('module') / 'newsflow.sqlite3'}"
        migrate.upgrade(url)
        yield url
        dispose_engines()
        return
    with empty_database(request.getfixturevalue("postgres_server_url"), "newsflow_module") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture
def emptied_database(module_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The module's database emptied, change log included (quicker than migrating one for
    each test), as the configured one."""
    from newsflow.db import models
    from newsflow.db.changes import ARTICLE_CHANGES
    from newsflow.db.session import session_scope
    from sqlalchemy import delete

    with session_scope(module_database) as session:
        session.execute(delete(ARTICLE_CHANGES))
        for table in reversed(models.Base.metadata.sorted_tables):
            session.execute(delete(table))
    monkeypatch.setenv("NEWSFLOW_DATABASE_URL", module_database)
    get_settings.cache_clear()
    yield module_database
    get_settings.cache_clear()
