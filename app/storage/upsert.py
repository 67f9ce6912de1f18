"""INSERT … ON CONFLICT DO NOTHING on either database: rows that may be created by two workers at
once (a pool's row) are inserted this way, then locked."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(s: Session, model, rows: list[dict]):
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).values(rows).on_conflict_do_nothing()
