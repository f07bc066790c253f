"""
Storage: the `Store` port, its in-memory implementation and the SQLAlchemy adapter.

`MemoryStore` is the default. `SQLStore` (SQLite, PostgreSQL) needs the ``sql`` extra
(``pip install 'recordkit[sql]'``, plus ``recordkit[postgres]`` for PostgreSQL); it is
imported on first use (from the ``sql`` subpackage), so the core never requires SQLAlchemy.

Modules: ``_base`` (the port), ``_entries`` (what stores keep beside records), ``_erasure``
(erasure's part of the port, its receipt and suppression entries), ``_query``
(predicates), ``_checks`` (the argument checks every store shares), ``_journal``,
``_profiles`` (the profiles of imports), ``_memory`` and ``_memory_erase`` (`MemoryStore`
and its undo journal), and the ``sql`` subpackage (`SQLStore`).
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
from recordkit.store._erasure import Erased, Suppression
from recordkit.store._memory import MemoryStore
from recordkit.store._profiles import ProfileEntry
from recordkit.store._query import (
    AllOf,
    AnyOf,
    Condition,
    Not,
    Predicate,
    RecordPredicate,
    conditions,
)
from recordkit.store._review import REVIEW_STATUSES, Review

if TYPE_CHECKING:
    from recordkit.store.sql import SQLAuditLog, SQLStore, sqlite_engine

__all__ = [
    "REVIEW_STATUSES",
    "AllOf",
    "AnyOf",
    "Condition",
    "ConsentEntry",
    "Erased",
    "Lineage",
    "MemoryStore",
    "Not",
    "Predicate",
    "ProfileEntry",
    "QuarantineEntry",
    "RecordPredicate",
    "Review",
    "SQLAuditLog",
    "SQLStore",
    "Store",
    "Suppression",
    "UpsertResult",
    "Write",
    "conditions",
    "sqlite_engine",
]

_SQL = frozenset({"SQLAuditLog", "SQLStore", "sqlite_engine"})
"""
The names `recordkit.store.sql` holds, imported on first use.
"""


def __getattr__(name: str) -> Any:
    if name not in _SQL:
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

    return getattr(importlib.import_module("recordkit.store.sql"), name)
