"""
Schema drift and migrations, through Alembic's autogenerate comparison.

When a schema changes (a field added, a type changed, an identity key added), the table
recordkit would derive from it no longer matches the one in the database. The store notices
when the schema is registered and refuses to run on a drifted table, naming the differences;
`migrate` applies the safe ones (new tables, new columns, new and dropped recordkit indexes)
with Alembic operations, and `script` renders them as an Alembic migration for applications
that keep their own migration history. A table built by an earlier recordkit (without
``rk_stamps``) drifts the same way and takes the same step; its rows get their stamps the
next time an upsert writes them. The fixed tables drift the same way: a database from 0.1
lacks the audit trail's payload columns and the log's identity, is refused until opened
with ``migrate=True``, and then keeps its old events (verified as they were hashed). A
fixed table a later version adds (``rk_suppression``) is created when the store opens
(with ``create=True``, the default, or ``migrate=True``).
Columns of removed fields are kept (nothing is lost); a changed column type needs a
migration written by hand, because only a person knows how to convert the stored values.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.migration import MigrationContext
from alembic.operations import Operations

from recordkit._errors import StoreError
from recordkit.schema import Schema
from recordkit.store.sql._inserts import insert_ignore
from recordkit.store.sql._tables import SHELL, FixedTables

__all__ = [
    "blocking",
    "describe",
    "differences",
    "fingerprint",
    "migrate",
    "prepare_fixed",
    "prepare_table",
    "script",
]

_SAFE = frozenset({"add_table", "add_column", "add_index", "remove_index"})
_IGNORED = frozenset({"remove_column", "modify_nullable", "modify_default", "modify_comment"})


def fingerprint(table: sa.Table) -> str:
    """
    A digest of *table*'s layout (columns, types, indexes), stored to skip re-comparing.
    """
    layout = {
        "columns": [[c.name, repr(c.type), bool(c.nullable)] for c in table.columns],
        "indexes": sorted([i.name or "", [c.name for c in i.columns]] for i in table.indexes),
    }
    return hashlib.sha256(json.dumps(layout, sort_keys=True).encode()).hexdigest()


def _context(conn: sa.Connection, names: Collection[str]) -> MigrationContext:
    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        if type_ == "table":
            return name in names
        return True

    return MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": include_name}
    )


def _flatten(diffs: Iterable[Any]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for d in diffs:
        if isinstance(d, list):
            out.extend(_flatten(d))
        else:
            out.append(tuple(d))
    return out


def differences(
    conn: sa.Connection, metadata: sa.MetaData, names: Collection[str]
) -> list[tuple[Any, ...]]:
    """
    How the tables *names* in the database differ from *metadata* (Alembic diff tuples).

    Differences recordkit tolerates (a kept column of a removed field, nullability) are left
    out.
    """
    diffs = _flatten(compare_metadata(_context(conn, names), metadata))
    return [d for d in diffs if d[0] not in _IGNORED and _table_of(d) in names]


def _table_of(diff: tuple[Any, ...]) -> str | None:
    kind = diff[0]
    if kind == "add_table":
        return str(diff[1].name)
    if kind in ("add_index", "remove_index"):
        return str(diff[1].table.name)
    if kind in ("add_column", "modify_type"):
        return str(diff[2])
    return None


def describe(diff: tuple[Any, ...]) -> str:
    """
    One difference in words.
    """
    kind = diff[0]
    if kind == "add_table":
        return f"table {diff[1].name} is missing"
    if kind == "add_column":
        ours = " (a column this version of recordkit adds)" if diff[3].name in SHELL else ""
        return f"{diff[2]}.{diff[3].name} ({diff[3].type}) is missing{ours}"
    if kind == "add_index":
        return f"index {diff[1].name} is missing"
    if kind == "remove_index":
        return f"index {diff[1].name} is no longer declared"
    if kind == "modify_type":
        return f"{diff[2]}.{diff[3]} is {diff[5]} in the database but the schema needs {diff[6]}"
    return f"{kind} {diff[1:3]}"


def blocking(diffs: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """
    The differences `migrate` cannot apply on its own.
    """
    return [d for d in diffs if d[0] not in _SAFE]


def migrate(conn: sa.Connection, metadata: sa.MetaData, names: Collection[str]) -> list[str]:
    """
    Apply the safe differences for tables *names*; return what was done.

    Raises:
        StoreError: a difference needs a hand-written migration (nothing is applied).
    """
    diffs = differences(conn, metadata, names)
    hard = blocking(diffs)
    if hard:
        raise StoreError(
            "cannot migrate automatically: "
            + "; ".join(describe(d) for d in hard)
            + ". Write an Alembic migration that converts the stored values "
            "(SQLStore.migration_script() shows the operations)"
        )
    ops = Operations(_context(conn, names))
    done: list[str] = []
    for d in diffs:
        kind = d[0]
        if kind == "add_table":
            d[1].create(conn)
        elif kind == "add_column":
            column = d[3]
            ops.add_column(d[2], sa.Column(column.name, column.type, nullable=True))
        elif kind == "add_index":
            index = d[1]
            ops.create_index(index.name, index.table.name, [c.name for c in index.columns])
        elif kind == "remove_index":
            if not str(d[1].name).startswith(f"ix_{d[1].table.name}_"):
                continue  # not ours: leave the application's indexes alone
            ops.drop_index(d[1].name, table_name=d[1].table.name)
        done.append(describe(d))
    return done


def script(conn: sa.Connection, metadata: sa.MetaData, names: Collection[str]) -> str:
    """
    The Alembic ``upgrade()`` operations that bring tables *names* up to date, as Python.
    """
    migrations = produce_migrations(_context(conn, names), metadata)
    assert migrations.upgrade_ops is not None
    return render_python_code(migrations.upgrade_ops)


def prepare_fixed(
    conn: sa.Connection,
    metadata: sa.MetaData,
    fixed: FixedTables,
    *,
    create: bool,
    apply: bool,
) -> None:
    """
    Create the fixed tables that are missing (or refuse), migrate them if *apply*.
    """
    tables = [getattr(fixed, a.name) for a in attrs.fields(FixedTables)]
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    missing = [t for t in tables if t.name not in existing]
    older = len(missing) < len(tables)  # some are there: an earlier version made them
    if missing and not create and not (apply and older):
        names = ", ".join(t.name for t in missing)
        raise StoreError(
            f"recordkit's tables were built by an earlier version: {names} missing; "
            "open the store with create=True or migrate=True"
            if older
            else f"the database has no recordkit tables ({names}); open it with create=True"
        )
    drift = [
        f"{t.name}.{c.name} ({c.type}) is missing (a column this version of recordkit adds)"
        for t in tables
        if t.name in existing
        for c in _missing_columns(inspector, t)
    ]
    if drift and not apply:
        raise StoreError(
            "recordkit's tables were built by an earlier version: "
            + "; ".join(drift)
            + ". Migrate them: SQLStore(..., migrate=True), or add "
            "SQLStore.migration_script's operations to your Alembic history"
        )
    if missing:
        metadata.create_all(conn, tables=missing)
        if fixed.audit in missing:
            fast_compression(conn, fixed.audit, ("payload", "record_ids"))
    if apply and len(missing) < len(tables):
        migrate(conn, metadata, {t.name for t in tables if t.name in existing})
    head = fixed.audit_head
    row = conn.execute(sa.select(head.c.id, head.c.log_id).where(head.c.id == 1)).first()
    if row is None:
        conn.execute(
            insert_ignore(head, conn.dialect.name),
            {"id": 1, "seq": 0, "hash": "0" * 64, "log_id": uuid.uuid4().hex},
        )
    elif row.log_id is None:  # a log from before identities: it gets one now
        conn.execute(
            head.update()
            .where(head.c.id == 1, head.c.log_id.is_(None))
            .values(log_id=uuid.uuid4().hex)
        )


def fast_compression(conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> bool:
    """
    Compress *columns* of *table* with LZ4 where PostgreSQL can (14 and later, built with it).

    A bulk write's audit event holds every value it wrote (about 40 MB of text for 100,000
    contacts), which the server compresses inside the write: with LZ4 instead of
    PostgreSQL's default (pglz) a 100,000-record upsert took 0.25 to 0.45 s less, for a
    fifth more disk. Applies to values written from then on; elsewhere (another database,
    an older server, a server built without LZ4) nothing changes. Returns whether it
    applied.
    """
    if conn.dialect.name != "postgresql":
        return False
    has_lz4 = conn.execute(
        sa.text(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)"
        )
    ).first()
    if has_lz4 is None:
        return False
    quote = conn.dialect.identifier_preparer
    changes = ", ".join(f"ALTER COLUMN {quote.quote(name)} SET COMPRESSION lz4" for name in columns)
    conn.execute(sa.text(f"ALTER TABLE {quote.format_table(table)} {changes}"))
    return True


def _missing_columns(inspector: Any, table: sa.Table) -> list[sa.Column[Any]]:
    have = {c["name"] for c in inspector.get_columns(table.name)}
    return [c for c in table.columns if c.name not in have]


def prepare_table(
    conn: sa.Connection,
    metadata: sa.MetaData,
    fixed: FixedTables,
    schema: Schema,
    table: sa.Table,
    *,
    create: bool,
    apply: bool,
) -> None:
    """
    Create *schema*'s table, or check it against the schema (migrating it if *apply*).

    ``rk_schema`` remembers the schema version and the table layout's fingerprint, so an
    unchanged table is recognised without comparing it again.

    Raises:
        StoreError: the table is missing and *create* is false, was built from a newer
            schema version, or differs and is not migrated (naming the differences).
    """
    meta = fixed.schemas
    digest = fingerprint(table)
    row = conn.execute(sa.select(meta).where(meta.c.name == schema.name)).first()
    if not sa.inspect(conn).has_table(table.name):
        if not create:
            raise StoreError(f"the database has no table {table.name}; open it with create=True")
        table.create(conn)
    else:
        if row is not None and row.version > schema.version:
            raise StoreError(
                f"table {table.name} was built from {schema.name} schema v{row.version}, "
                f"newer than this v{schema.version}; upgrade the application"
            )
        if row is None or row.fingerprint != digest:
            diffs = differences(conn, metadata, {table.name})
            if diffs and not apply:
                was = f"v{row.version}" if row is not None else "an unknown version"
                raise StoreError(
                    f"table {table.name} was built from {schema.name} schema {was} and "
                    f"differs from v{schema.version}: "
                    + "; ".join(describe(d) for d in diffs)
                    + ". Migrate it: SQLStore(..., migrate=True), or add "
                    "store.migration_script(schema) to your Alembic history"
                )
            if diffs:
                migrate(conn, metadata, {table.name})
    values = {
        "version": schema.version,
        "fingerprint": digest,
        "definition": {"fields": list(schema.field_names)},
    }
    if row is None:
        conn.execute(meta.insert(), {"name": schema.name, **values})
    elif (row.version, row.fingerprint) != (schema.version, digest):
        conn.execute(meta.update().where(meta.c.name == schema.name).values(**values))
