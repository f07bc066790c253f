"""
`SQLStore`: records in the host application's own database, through SQLAlchemy 2.x Core.

Give it a URL, an `Engine`, or the `Connection`/`Session` whose transaction it should join.
Each schema gets a typed table (see ``_tables``); writes use optimistic locking on
``rk_version``; bulk writes are Core ``executemany`` statements, not the ORM unit of work.
This module opens the database, keeps the tables and runs the transactions; the `Store`
methods themselves live in ``_records`` (records), ``_history`` (lineage, consent,
quarantine) and ``_erase`` (erasure, suppression entries).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager

import sqlalchemy as sa
from sqlalchemy.orm import Session

from recordkit._errors import StoreError, shorten
from recordkit.governance import FieldEncryption
from recordkit.match.index import IndexRows
from recordkit.schema import Schema
from recordkit.store._base import Store
from recordkit.store._checks import check_callback, check_name
from recordkit.store.sql._audit import SQLAuditLog
from recordkit.store.sql._codec import RecordCodec
from recordkit.store.sql._erase import EraseMethods
from recordkit.store.sql._health import SQLHealth
from recordkit.store.sql._history import HistoryMethods
from recordkit.store.sql._index_rows import SQLIndexRows
from recordkit.store.sql._keyring import Keyring, keys_table
from recordkit.store.sql._migrations import prepare_fixed, prepare_table
from recordkit.store.sql._migrations import script as migration_script
from recordkit.store.sql._profiles import SQLProfiles
from recordkit.store.sql._records import RecordMethods
from recordkit.store.sql._review import SQLReviews
from recordkit.store.sql._sealed import Sealer
from recordkit.store.sql._session import Database, engine_for
from recordkit.store.sql._shred import ShredMethods
from recordkit.store.sql._tables import (
    FixedTables,
    fixed_tables,
    schema_table,
)

__all__ = ["SQLStore"]

Bind = sa.Engine | sa.Connection | Session | str | sa.URL


MAX_TIMEOUT = 86_400.0
"""
The longest a SQLite writer may be told to wait for a lock, in seconds (a day).
"""


def _check_options(
    schemas: object,
    table_prefix: object,
    indexes: object,
    create: object,
    migrate: object,
    timeout: object,
) -> tuple[Schema, ...]:
    """
    Check `SQLStore`'s options before anything is opened; return *schemas* as a tuple.
    """
    if isinstance(schemas, str | bytes | Mapping) or not isinstance(schemas, Iterable):
        raise StoreError(f"schemas must be a list of Schema, got {shorten(schemas)}")
    chosen = tuple(schemas)
    for schema in chosen:
        if not isinstance(schema, Schema):
            raise StoreError(f"schemas must be Schema objects, got {shorten(schema)}")
    if not isinstance(table_prefix, str) or not table_prefix.replace("_", "").isalnum():
        raise StoreError(f"table_prefix must be letters, digits or _, got {shorten(table_prefix)}")
    if indexes is not None:
        _check_indexes(indexes)
    for name, flag in (("create", create), ("migrate", migrate)):
        if not isinstance(flag, bool):
            raise StoreError(f"{name} must be true or false, got {shorten(flag)}")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 <= timeout <= MAX_TIMEOUT  # NaN fails this too
    ):
        raise StoreError(
            f"timeout must be a number of seconds from 0 to {MAX_TIMEOUT:g}, got {shorten(timeout)}"
        )
    return chosen


def _check_indexes(indexes: object) -> None:
    problem = (
        "indexes must map schema names to lists of keys (lists of field names), "
        f"got {shorten(indexes)}"
    )
    if not isinstance(indexes, Mapping):
        raise StoreError(problem)
    for name, keys in indexes.items():
        if not isinstance(name, str) or not _sequence(keys):
            raise StoreError(problem)
        for key in keys:
            if not _sequence(key) or not all(isinstance(f, str) for f in key):
                raise StoreError(problem)


def _sequence(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


class SQLStore(
    RecordMethods,
    HistoryMethods,
    EraseMethods,
    ShredMethods,
    SQLReviews,
    SQLHealth,
    SQLProfiles,
    Store,
):
    """
    A `Store` in a SQL database (SQLite, PostgreSQL) through SQLAlchemy Core.

    Examples:
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
        encryption: keep some fields encrypted (see `FieldEncryption`): their columns
            hold sealed text, their data keys ``rk_keys``; equality queries on them use
            blind indexes. A database that holds data keys is refused without it.

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
        encryption: FieldEncryption | None = None,
    ) -> None:
        schemas = _check_options(schemas, table_prefix, indexes, create, migrate, timeout)
        if encryption is not None and not isinstance(encryption, FieldEncryption):
            raise StoreError(
                f"encryption must be a FieldEncryption or None, got {shorten(encryption)}"
            )
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
        self.dialect: str = self._db.dialect
        self.metadata = sa.MetaData()
        self.fixed: FixedTables = fixed_tables(self.metadata, prefix=table_prefix)
        self._prefix = table_prefix
        self._indexes = dict(indexes or {})
        self._create = create
        self._migrate = migrate
        self._codecs: dict[str, RecordCodec] = {}
        self._lock = threading.RLock()
        # declared in the store's metadata only when it encrypts: it is its table then
        keys = keys_table(self.metadata if encryption else sa.MetaData(), prefix=table_prefix)
        self._keys_table = keys
        self._keys = None if encryption is None else Keyring(encryption, keys)
        self._audit = self._audit_log(self._db)
        try:
            self._prepare_fixed()
            for schema in schemas:
                self.register(schema)
        except BaseException:
            self.close()  # a store that failed to open must not leak its connection pool
            raise

    def _audit_log(self, db: Database) -> SQLAuditLog:
        log = SQLAuditLog(db, self.fixed)
        if self._keys is not None:
            log._sealing = self._seal_audit
        return log

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
        check_name("schema", schema)
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
        view._audit = view._audit_log(view._db)
        return view

    # -- transactions ----------------------------------------------------------------------

    def index_rows(self, name: str) -> IndexRows:
        """
        The rows of the persistent duplicate index *name*, in the ``rk_match_*`` tables.

        Raises:
            StoreError: *name* is not a name, or the store encrypts fields (the rows would
                hold their prepared values in clear).
        """
        name = check_name("index_rows: the index name", name)
        if self._keys is not None:
            raise StoreError(
                "a persistent duplicate index would keep encrypted fields' values in clear: "
                "an encrypting SQLStore keeps none; use an in-memory Index"
            )
        return SQLIndexRows(name, self.fixed, self._unit, self._reader)

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
        check_callback(callback)
        self._db.on_commit(callback)

    def _unit(self, what: str) -> AbstractContextManager[sa.Connection]:
        return self._db.unit(what)

    def _reader(self, what: str) -> AbstractContextManager[sa.Connection]:
        return self._db.reader(what)

    # -- schemas and migrations ------------------------------------------------------------

    def _prepare_fixed(self) -> None:
        with self._unit("opening the store") as conn:
            prepare_fixed(conn, self.metadata, self.fixed, create=self._create, apply=self._migrate)
            keys = self._keys_table
            held = sa.inspect(conn).has_table(keys.name)
            if self._keys is None:
                if held:
                    raise StoreError(
                        f"the database holds encrypted fields ({keys.name}); open it with "
                        "SQLStore(..., encryption=FieldEncryption(...))"
                    )
            elif not held:
                if not self._create:
                    raise StoreError(
                        f"the database has no {keys.name} table for data keys; open it with "
                        "create=True"
                    )
                keys.create(conn)

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
            sealed = () if self._keys is None else self._keys.encryption.fields_for(schema)
            st = schema_table(
                schema,
                self.metadata,
                prefix=self._prefix,
                indexes=self._indexes.get(schema.name, ()),
                sealed=sealed,
            )
            try:
                self._prepare_table(schema, st.table, self._migrate if migrate is None else migrate)
            except BaseException:
                self.metadata.remove(st.table)
                raise
            sealer = (
                Sealer(self._keys, schema, st.table.name, sealed)
                if self._keys is not None and sealed
                else None
            )
            self._codecs[schema.name] = RecordCodec(st, dialect=self.dialect, sealer=sealer)

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
        if not isinstance(schema, Schema):
            raise StoreError(f"migration_script takes a Schema, got {shorten(schema)}")
        scratch = sa.MetaData()
        sealed = () if self._keys is None else self._keys.encryption.fields_for(schema)
        st = schema_table(
            schema,
            scratch,
            prefix=self._prefix,
            indexes=self._indexes.get(schema.name, ()),
            sealed=sealed,
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
