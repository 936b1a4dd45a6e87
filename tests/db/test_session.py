"""Engines: a URL that cannot hold a store is refused before any connection, password masked."""

from __future__ import annotations

import pytest
from newsflow.db.session import DatabaseURLError, get_engine, store_problem

SERVER = "postgresql+psycopg://newsflow:s3cret-Pw@127.0.0.1:5432"
NO_NAME = (
    "database URL postgresql+psycopg://newsflow:***@127.0.0.1:5432{slash} names no database, so "
    "the server's default one would be used: add its name, e.g. "
    "postgresql+psycopg://newsflow:***@127.0.0.1:5432/newsflow"
)
IN_MEMORY = (
    "database URL {url} is an in-memory SQLite database, which keeps nothing: name a file, e.g. "
    "sqlite:///var/newsflow.sqlite3"
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (SERVER, NO_NAME.format(slash="")),
        (SERVER + "/", NO_NAME.format(slash="/")),
        ("sqlite://", IN_MEMORY.format(url="sqlite://")),
        ("sqlite:///", IN_MEMORY.format(url="sqlite:///")),
        ("sqlite:///:memory:", IN_MEMORY.format(url="sqlite:///:memory:")),
    ],
)
def test_urls_that_hold_no_store_are_refused(url: str, expected: str) -> None:
    assert store_problem(url) == expected
    with pytest.raises(DatabaseURLError) as excinfo:
        get_engine(url)
    assert str(excinfo.value) == expected


@pytest.mark.parametrize(
    "url",
    [
        SERVER + "/newsflow",
        SERVER + "/?dbname=newsflow",  # libpq's own keyword names it too
        "sqlite:///var/newsflow.sqlite3",
        "sqlite:////tmp/newsflow.sqlite3",
        "not a url at all",  # left to the engine, which words why it is malformed
    ],
)
def test_urls_naming_a_store_pass(url: str) -> None:
    assert store_problem(url) is None
