"""Statements spelt per dialect: transactions that must take turns do, on PostgreSQL too."""

from __future__ import annotations

import threading
import time

from newsflow.db.dialect import one_writer_at_a_time
from newsflow.db.session import session_scope
from sqlalchemy import text


def test_transactions_holding_one_name_take_turns(database_url: str) -> None:
    events: list[str] = []
    first_holds = threading.Event()

    def second() -> None:
        first_holds.wait(10)
        with session_scope(database_url) as session:
            one_writer_at_a_time(session, "newsflow.test.turns")
            events.append("second has it")

    other = threading.Thread(target=second)
    other.start()
    with session_scope(database_url) as session:
        one_writer_at_a_time(session, "newsflow.test.turns")
        session.execute(text("SELECT 1"))
        first_holds.set()
        time.sleep(0.5)  # the second waits for this transaction, not for its own turn
        events.append("first lets go")
    other.join(10)
    if database_url.startswith("postgresql"):
        assert events == ["first lets go", "second has it"]
    else:  # SQLite: nothing held, its writers take turns by themselves
        assert sorted(events) == ["first lets go", "second has it"]


def test_another_name_does_not_wait(database_url: str) -> None:
    with session_scope(database_url) as session:
        one_writer_at_a_time(session, "newsflow.test.a")
        with session_scope(database_url) as other:
            one_writer_at_a_time(other, "newsflow.test.b")  # returns at once, or hangs here
