"""
Storage: the `Store` port, its in-memory implementation and the SQLAlchemy adapter.

`MemoryStore` is the default. `SQLStore` (SQLite, PostgreSQL) needs the ``sql`` extra
(``pip install 'recordkit[sql]'``, plus ``recordkit[postgres]`` for PostgreSQL); it is
imported on first use, so the core never requires SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from recordkit.store._base import Store
from recordkit.store._entries import (
    ConsentEntry,
    Lineage,
    QuarantineEntry,
    UpsertResult,
    Write,
)
from recordkit.store._memory import MemoryStore
from recordkit.store._query import Predicate

if TYPE_CHECKING:
    from recordkit.store._sqlalchemy_audit import SQLAuditLog
    from recordkit.store._sqlalchemy_engine import sqlite_engine
    from recordkit.store._sqlalchemy_store import SQLStore

__all__ = [
    "ConsentEntry",
    "Lineage",
    "MemoryStore",
    "Predicate",
    "QuarantineEntry",
    "SQLAuditLog",
    "SQLStore",
    "Store",
    "UpsertResult",
    "Write",
    "sqlite_engine",
]

_SQL = {
    "SQLStore": "recordkit.store._sqlalchemy_store",
    "SQLAuditLog": "recordkit.store._sqlalchemy_audit",
    "sqlite_engine": "recordkit.store._sqlalchemy_engine",
}


def __getattr__(name: str) -> Any:
    module = _SQL.get(name)
    if module is None:
        raise AttributeError(f"module 'recordkit.store' has no attribute {name!r}")
    try:
        import alembic  # noqa: F401 - the adapter needs both
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"recordkit.{name} needs SQLAlchemy and Alembic ({exc.name} is missing); "
            "install them with: pip install 'recordkit[sql]' "
            "(or 'recordkit[postgres]' for PostgreSQL)"
        ) from None
    import importlib

    return getattr(importlib.import_module(module), name)
