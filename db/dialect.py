"""The two statements SQLite and PostgreSQL spell alike but SQLAlchemy types apart."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import Base


def insert_for(session: Session, model: type[Base]) -> Any:
    """INSERT … ON CONFLICT for the session's dialect (both share the on_conflict API)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def rowcount_of(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE touched."""
    return cast(CursorResult[Any], result).rowcount or 0
