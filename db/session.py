"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from newsflow.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

_ENGINES: dict[str, Engine] = {}
# user:secret@ in anything URL-shaped, for URLs too broken for make_url to parse.
_USERINFO_SECRET = re.compile(r"(://[^:/@\s]*:)\S*@")


class DatabaseURLError(ValueError):
    """The database URL cannot be parsed, or its dialect or driver is not installed."""


def masked_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, even when it does not parse."""
    try:
        rendered = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        rendered = url
    # Also for parsed URLs: an unencoded "@" in a password leaves part of it in the host.
    return hide_url_passwords(rendered)


def hide_url_passwords(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@`` in it as ``***``."""
    return _USERINFO_SECRET.sub(r"\1***@", text)


def get_engine(url: str | None = None) -> Engine:
    """A pooled engine for ``url`` (default: the configured database, read at each call)."""
    url = url or get_settings().database_url
    if url not in _ENGINES:
        _ENGINES[url] = _create(url)
    return _ENGINES[url]


def _create(url: str) -> Engine:
    problem = store_problem(url)
    if problem:
        raise DatabaseURLError(problem)
    try:
        return _create_engine(url)
    except (ArgumentError, ValueError, ImportError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = masked_url(url)
        if isinstance(exc, ImportError):
            raise DatabaseURLError(f"no driver installed for {where}: {reason}") from exc
        raise DatabaseURLError(f"malformed database URL {where}: {reason}") from exc


def store_problem(url: str) -> str | None:
    """Why ``url`` cannot hold a store (no database named, or one in memory), or None.

    A server URL without a database would connect to the server's default one (``postgres``)
    and migrate it; an in-memory SQLite database is lost at exit and unseen by the crawl's
    child process, so `db upgrade` would succeed and keep nothing. A URL that does not parse
    is left to the engine, which words why.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() == "sqlite":
        if (parsed.database or "").strip() not in ("", ":memory:"):
            return None
        return (
            f"database URL {hide_url_passwords(url)} is an in-memory SQLite database, which "
            "keeps nothing: name a file, e.g. sqlite:///var/newsflow.sqlite3"
        )
    if (parsed.database or "").strip() or parsed.query.get("dbname"):
        return None
    example = parsed.set(database="newsflow").render_as_string(hide_password=True)
    return (
        f"database URL {masked_url(url)} names no database, so the server's default one would "
        f"be used: add its name, e.g. {example}"
    )


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # One flow process runs up to 32 sources at once (flows/parallel.py), each with a lease
    # heartbeat thread beside its flow: two connections a source at the peak. Past the five
    # kept open, the rest are opened when needed and closed when given back.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=64)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the crawler process write while the flow process reads.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on error."""
    factory = sessionmaker(get_engine(url), expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines (tests, forked workers)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


# A closing step outside a Prefect task's retries waits for the database as a task's retries
# would: closing runs, giving sources back, summing a backfill's months.
CLOSE_RETRY_SECONDS = (2.0, 10.0, 30.0)


def outlasting_outages(call: Callable[[], T], what: str) -> T:
    """``call()``, tried again after each of CLOSE_RETRY_SECONDS while the database is away
    (or its disk full: OperationalError); the last attempt's error is raised."""
    for delay in CLOSE_RETRY_SECONDS:
        try:
            return call()
        except OperationalError as error:
            message = hide_url_passwords(str(error))
            # INFO, as Prefect's task retries: the error that outlasts them is what is said.
            log.info("%s: database error, trying again in %g s: %s", what, delay, message)
            time.sleep(delay)
    return call()
