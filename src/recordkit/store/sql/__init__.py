"""
The SQL store: records in the host application's own database, through SQLAlchemy 2.x Core.

`SQLStore` keeps each schema's records in a typed table of their own (SQLite, PostgreSQL),
`SQLAuditLog` the audit trail in the same database and transactions, and `sqlite_engine`
builds a SQLite engine with real transactions. This package needs the ``sql`` extra
(SQLAlchemy and Alembic); `recordkit.store` imports it on first use, so the core never
does.

Modules, from the connection up: ``_engine`` (engines, database errors as `StoreError`),
``_session`` (the bind and the transaction a call runs in), ``_tables`` (a table per schema
and the fixed tables), ``_stamps`` (the provenance summary an upsert reads), ``_codec``
(records to rows and back), ``_query`` (predicates to a WHERE clause), ``_bulk`` (one
statement over many rows, through the driver), ``_upsert`` (bulk upsert with per-field
resolution), ``_history`` (lineage, consent, quarantine), ``_audit`` (the audit trail),
``_migrations`` (schema drift, through Alembic), ``_records`` (the record methods) and
``_store`` (`SQLStore`: the database, its tables and transactions).

The names are public through `recordkit.store` (and `SQLStore` through `recordkit`).
"""

from recordkit.store.sql._audit import SQLAuditLog
from recordkit.store.sql._engine import sqlite_engine
from recordkit.store.sql._store import SQLStore

__all__ = ["SQLAuditLog", "SQLStore", "sqlite_engine"]
