"""
`SQLStore`: records in the host application's own database, through SQLAlchemy 2.x Core.

Give it a URL, an `Engine`, or the `Connection`/`Session` whose transaction it should join.
Each schema gets a typed table (see ``_tables``); writes use optimistic locking on
``rk_version``; bulk writes are Core ``executemany`` statements, not the ORM unit of work.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from recordkit._errors import ConflictError, NotFound, StoreError, shorten
from recordkit.schema import Record, Schema
from recordkit.store._base import Store, Where
from recordkit.store._checks import check_batch, check_ids, check_record
from recordkit.store._entries import (
    UpsertResult,
)
from recordkit.store.sql._audit import SQLAuditLog
from recordkit.store.sql._codec import RecordCodec
from recordkit.store.sql._engine import Duplicate
from recordkit.store.sql._history import HistoryMethods
from recordkit.store.sql._migrations import prepare_fixed, prepare_table
from recordkit.store.sql._migrations import script as migration_script
from recordkit.store.sql._query import fetch, where_clause
from recordkit.store.sql._session import Database, engine_for
from recordkit.store.sql._tables import (
    FixedTables,
    fixed_tables,
    id_in,
    insert_ignore,
    schema_table,
)
from recordkit.store.sql._upsert import upsert

__all__ = ["SQLStore"]

Bind = sa.Engine | sa.Connection | Session | str | sa.URL


class SQLStore(HistoryMethods, Store):
    """
    A `Store` in a SQL database (SQLite, PostgreSQL) through SQLAlchemy Core.

    Example:
        >>> import recordkit as rk
        >>> store = rk.SQLStore("sqlite:///contacts.db")  # doctest: +SKIP
        >>> contacts = rk.Steward(rk.bundled_schema("contact"), store=store)  # doctest: +SKIP

    Args:
        bind: a database URL (``sqlite:///file.db``, ``postgresql+psycopg://…``), an
            `Engine` (each call, or each ``transaction()`` block, commits on its own), or a
            `Connection`/`Session` whose transaction every call joins (the caller commits).
        schemas: record types to create or check tables for now (more with `register`).
        table_prefix: put before every table name.
        indexes: schema name → extra indexed keys (blocking keys), each a list of fields.
            Identity keys, stage and state are always indexed.
        create: create missing tables (``False``: a missing table is a `StoreError`).
        migrate: bring drifted tables up to date with safe Alembic operations instead of
            refusing them.
        timeout: seconds a SQLite writer waits for another's lock (URL binds only).

    Raises:
        StoreError: the database cannot be opened, or a table does not match its schema
            (the message names the differences and the way to migrate).

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        bind: Bind,
        *,
        schemas: Iterable[Schema] = (),
        table_prefix: str = "rk_",
        indexes: Mapping[str, Sequence[Sequence[str]]] | None = None,
        create: bool = True,
        migrate: bool = False,
        timeout: float = 10.0,
    ) -> None:
        if isinstance(bind, str | sa.URL):
            engine = engine_for(bind, timeout=timeout, create=create)
            self._db = Database(engine=engine, owns_engine=True)
        elif isinstance(bind, sa.Engine):
            self._db = Database(engine=bind)
        elif isinstance(bind, sa.Connection | Session):
            self._db = Database(external=bind)
        else:
            raise StoreError(
                f"SQLStore needs a URL, Engine, Connection or Session, got {type(bind).__name__}"
            )
        if not isinstance(table_prefix, str) or not table_prefix.replace("_", "").isalnum():
            raise StoreError(
                f"table_prefix must be letters, digits or _, got {shorten(table_prefix)}"
            )
        self.dialect: str = self._db.dialect
        self.metadata = sa.MetaData()
        self.fixed: FixedTables = fixed_tables(self.metadata, prefix=table_prefix)
        self._prefix = table_prefix
        self._indexes = dict(indexes or {})
        self._create = create
        self._migrate = migrate
        self._codecs: dict[str, RecordCodec] = {}
        self._lock = threading.RLock()
        self._audit = SQLAuditLog(self._db, self.fixed)
        try:
            self._prepare_fixed()
            for schema in schemas:
                self.register(schema)
        except BaseException:
            self.close()  # a store that failed to open must not leak its connection pool
            raise

    def __repr__(self) -> str:
        return f"SQLStore({self.dialect}, schemas={sorted(self._codecs)})"

    def __enter__(self) -> SQLStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """
        Release the connection pool, if the store created the engine from a URL.
        """
        self._db.close()

    @property
    def engine(self) -> sa.Engine | None:
        """
        The engine the store runs on (``None`` when bound to a Connection or Session).
        """
        return self._db.engine

    def table(self, schema: str) -> sa.Table:
        """
        The table holding records of *schema*, for the application's own queries.
        """
        return self._codec(schema).table

    def using(self, bind: sa.Connection | Session) -> SQLStore:
        """
        A view of this store joined to the caller's `Connection` or `Session` (their transaction).

        The tables are shared; only the connection differs, so this is cheap to call per
        request.
        """
        if not isinstance(bind, sa.Connection | Session):
            raise StoreError(f"using() takes a Connection or Session, got {type(bind).__name__}")
        view = copy.copy(self)
        view._db = self._db.joined(bind)
        view._audit = SQLAuditLog(view._db, view.fixed)
        return view

    # -- transactions ----------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[sa.Connection]:
        """
        A block whose store calls and audit events commit together, or not at all.

        Yields the `Connection`, so the application's own statements can join too. Blocks
        nest as savepoints; with a `Connection`/`Session` bind the outermost block is a
        savepoint in the caller's transaction, which the caller commits.
        """
        return self._db.transaction()

    def on_commit(self, callback: Callable[[], object]) -> None:
        """
        Run *callback* once the current transaction commits (at once outside one).

        In a ``transaction()`` block: after its COMMIT (a rollback drops it). In a view
        joined to your `Session` (`using`): after the session commits; to your
        `Connection`: when it commits.
        """
        self._db.on_commit(callback)

    def _unit(self, what: str) -> AbstractContextManager[sa.Connection]:
        return self._db.unit(what)

    def _reader(self, what: str) -> AbstractContextManager[sa.Connection]:
        return self._db.reader(what)

    # -- schemas and migrations ------------------------------------------------------------

    def _prepare_fixed(self) -> None:
        with self._unit("opening the store") as conn:
            prepare_fixed(conn, self.metadata, self.fixed, create=self._create, apply=self._migrate)

    def register(self, schema: Schema, *, migrate: bool | None = None) -> None:
        """
        Create or check the table for *schema*.

        Args:
            schema: the record type.
            migrate: apply safe migrations if the table drifted (default: the store's
                ``migrate`` option).

        Raises:
            StoreError: the table differs from *schema* (and is not migrated), was built
                from a newer version of it, or another definition of *schema* is registered.
        """
        if not isinstance(schema, Schema):
            raise StoreError(f"register takes a Schema, got {type(schema).__name__}")
        with self._lock:
            known = self._codecs.get(schema.name)
            if known is not None:
                if known.schema == schema:
                    return
                raise StoreError(
                    f"schema {schema.name!r} is registered with a different definition; "
                    "a store serves one version of each schema"
                )
            st = schema_table(
                schema,
                self.metadata,
                prefix=self._prefix,
                indexes=self._indexes.get(schema.name, ()),
            )
            try:
                self._prepare_table(schema, st.table, self._migrate if migrate is None else migrate)
            except BaseException:
                self.metadata.remove(st.table)
                raise
            self._codecs[schema.name] = RecordCodec(st, dialect=self.dialect)

    def _prepare_table(self, schema: Schema, table: sa.Table, apply: bool) -> None:
        with self._unit(f"opening table {table.name}") as conn:
            prepare_table(
                conn, self.metadata, self.fixed, schema, table, create=self._create, apply=apply
            )

    def migration_script(self, schema: Schema) -> str:
        """
        The Alembic operations (Python) that bring *schema*'s table up to date.

        Paste them into an ``upgrade()`` of the application's own Alembic history, or
        include ``store.metadata`` in its ``target_metadata`` and autogenerate.
        """
        scratch = sa.MetaData()
        st = schema_table(
            schema, scratch, prefix=self._prefix, indexes=self._indexes.get(schema.name, ())
        )
        with self._reader("comparing tables") as conn:
            return migration_script(conn, scratch, {st.table.name})

    def _codec(self, schema: str) -> RecordCodec:
        codec = self._codecs.get(schema)
        if codec is None:
            raise StoreError(
                f"schema {shorten(schema)} is not registered with this store; pass "
                "schemas=[...] or call store.register(schema)"
            )
        return codec

    def audit_log(self) -> SQLAuditLog:
        """
        The audit trail in this database, written in the same transactions as the records.
        """
        return self._audit

    # -- records --------------------------------------------------------------------------

    def get(self, record_id: str) -> Record:
        """
        Return the record with *record_id*; `NotFound` when absent.
        """
        if not isinstance(record_id, str):
            raise NotFound(record_id)
        with self._reader("reading a record") as conn:
            for codec in list(self._codecs.values()):
                stmt = sa.select(*codec.select_columns).where(codec.table.c.rk_id == record_id)
                found = fetch(conn, codec, stmt)
                if found:
                    return found[0]
        raise NotFound(record_id)

    def get_many(self, record_ids: Sequence[str]) -> list[Record | None]:
        """
        Return the records for *record_ids*, in order, ``None`` where absent.
        """
        ids = check_ids(record_ids)
        wanted = list(dict.fromkeys(i for i in ids if isinstance(i, str)))
        found: dict[str, Record] = {}
        with self._reader("reading records") as conn:
            for codec in list(self._codecs.values()):
                for start in range(0, len(wanted), 5000):
                    chunk = wanted[start : start + 5000]
                    stmt = sa.select(*codec.select_columns).where(
                        id_in(codec.table.c.rk_id, chunk, self.dialect)
                    )
                    found.update((r.id, r) for r in fetch(conn, codec, stmt))
        return [found.get(i) if isinstance(i, str) else None for i in ids]

    def _version(self, conn: sa.Connection, table: sa.Table, record_id: str) -> int | None:
        value = conn.execute(
            sa.select(table.c.rk_version).where(table.c.rk_id == record_id)
        ).scalar()
        return None if value is None else int(value)

    def _write(self, conn: sa.Connection, record: Record, expected: int | None) -> None:
        codec = self._codec(record.schema)
        table = codec.table
        row = codec.encode(record)
        if expected is None:
            stmt = insert_ignore(table, self.dialect).returning(table.c.rk_id)
        else:
            stmt = (
                table.update()
                .where(table.c.rk_id == record.id, table.c.rk_version == expected)
                .values(row)
                .returning(table.c.rk_id)
            )
        if conn.execute(stmt, row).first() is None:
            actual = self._version(conn, table, record.id)
            raise ConflictError(record.id, expected=expected or 0, actual=actual)

    def put(self, record: Record, *, expected_version: int | None) -> None:
        """
        Create or replace *record* if the stored version is *expected_version*.
        """
        check_record(record)
        with self._unit(f"writing record {shorten(record.id)}") as conn:
            self._write(conn, record, expected_version)

    def put_many(self, records: Sequence[Record]) -> None:
        """
        Create all *records* with Core ``executemany``, or none if any id exists already.
        """
        groups: dict[str, list[dict[str, Any]]] = {}
        first: dict[str, Record] = {}
        for r in records:
            check_record(r)
            if r.id in first:
                raise ConflictError(r.id, expected=0, actual=first[r.id].version)
            first[r.id] = r
            groups.setdefault(r.schema, []).append(self._codec(r.schema).encode(r))
        try:
            with self._unit("writing records") as conn:
                for schema, rows in groups.items():
                    conn.execute(self._codec(schema).table.insert(), rows)
        except Duplicate:
            stored = self.get_many(list(first))
            taken = next((r for r in stored if r is not None), None)
            if taken is None:  # another writer inserted and went away: still a conflict
                raise ConflictError(next(iter(first)), expected=0, actual=None) from None
            raise ConflictError(taken.id, expected=0, actual=taken.version) from None

    def upsert_many(
        self, records: Sequence[Record], *, precedence: Sequence[str] = ()
    ) -> UpsertResult:
        """
        Create new records and resolve the others field by field, in one transaction.

        Stored rows are read in chunks, resolved in Python, and written back with one
        ``executemany`` per statement shape, each UPDATE guarded by the version it read.

        Raises:
            ConflictError: a concurrent writer changed one of the rows (nothing is
                written; retry).
        """
        groups: dict[str, list[Record]] = {}
        seen: set[str] = set()
        for r in records:
            check_record(r)
            if r.id in seen:
                raise StoreError(f"record {shorten(r.id)} appears twice in one upsert")
            seen.add(r.id)
            groups.setdefault(r.schema, []).append(r)
        results: list[UpsertResult] = []
        try:
            with self._unit("upserting records") as conn:
                for schema, recs in groups.items():
                    results.append(
                        upsert(conn, self._codec(schema), recs, precedence, self.dialect)
                    )
        except Duplicate:
            raise ConflictError(
                next(iter(seen)), expected=0, actual=None
            ) from None  # a concurrent writer created one of the new ids: retry
        return UpsertResult(
            tuple(i for res in results for i in res.created),
            tuple(i for res in results for i in res.updated),
            tuple(i for res in results for i in res.unchanged),
        )

    def delete(self, record_id: str, *, expected_version: int) -> None:
        """
        Remove a record if it is at *expected_version*.
        """
        with self._unit(f"deleting record {shorten(record_id)}") as conn:
            for codec in list(self._codecs.values()):
                t = codec.table
                result = conn.execute(
                    t.delete().where(t.c.rk_id == record_id, t.c.rk_version == expected_version)
                )
                if result.rowcount == 1:
                    return
            actual = next(
                (
                    v
                    for c in self._codecs.values()
                    if (v := self._version(conn, c.table, record_id))
                ),
                None,
            )
            raise ConflictError(str(record_id), expected=expected_version, actual=actual)

    # -- reads ----------------------------------------------------------------------------

    def iterate(
        self,
        schema: str,
        *,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
        batch_size: int = 10_000,
    ) -> Iterator[list[Record]]:
        """
        Yield matching records in batches, by id (keyset pages: no cursor is held open).
        """
        check_batch(batch_size)
        codec = self._codec(schema)
        clause = where_clause(codec, where, stage, state, self.dialect)
        return self._pages(codec, clause, batch_size)

    def _pages(
        self, codec: RecordCodec, clause: sa.ColumnElement[bool], size: int
    ) -> Iterator[list[Record]]:
        id_col = codec.table.c.rk_id
        base = sa.select(*codec.select_columns).where(clause).order_by(id_col).limit(size)
        last: str | None = None
        while True:
            stmt = base if last is None else base.where(id_col > last)
            with self._reader(f"reading {codec.table.name}") as conn:
                batch = fetch(conn, codec, stmt)
            if batch:
                yield batch
            if len(batch) < size:
                return
            last = batch[-1].id

    def count(
        self,
        schema: str,
        *,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
    ) -> int:
        """
        How many records of *schema* match.
        """
        codec = self._codec(schema)
        clause = where_clause(codec, where, stage, state, self.dialect)
        stmt = sa.select(sa.func.count()).select_from(codec.table).where(clause)
        with self._reader(f"counting {codec.table.name}") as conn:
            return int(conn.execute(stmt).scalar_one())
