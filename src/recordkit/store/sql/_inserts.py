"""
INSERT statements that settle a taken key in the database (``ON CONFLICT``), per dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_ignore", "insert_or_update"]


def insert_ignore(table: sa.Table, dialect: str) -> Any:
    """
    An INSERT that skips a row whose key is taken (``ON CONFLICT DO NOTHING``).

    On other dialects, a plain INSERT (a taken key raises).
    """
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return table.insert()


def insert_or_update(
    table: sa.Table, dialect: str, key: Sequence[str], columns: Sequence[str]
) -> sa.Insert | None:
    """
    An INSERT whose row, when its *key* columns are taken, gives that row its *columns*.

    ``ON CONFLICT (key) DO UPDATE`` on SQLite and PostgreSQL; ``None`` on other dialects
    (the caller deletes the rows first).
    """
    made: Any
    if dialect == "sqlite":
        made = sqlite.insert(table)
    elif dialect == "postgresql":
        made = postgresql.insert(table)
    else:
        return None
    upsert: sa.Insert = made.on_conflict_do_update(
        index_elements=[table.c[k] for k in key],
        set_={c: getattr(made.excluded, c) for c in columns},
    )
    return upsert
