"""
Data keys of an encrypting `SQLStore`: ``rk_keys``, and the keys of the records at hand.

Data keys live in ``rk_keys`` (record id, master key id, wrapped key), written in the same
transaction as the record they encrypt. A `Keyring` scope holds the keys of the records one
statement touches, unwrapped once: the store opens one around each write (creating the keys
of new records) and each read. Shredding a record sets its wrapped key to NULL and keeps
the row as a tombstone; erasing it deletes the row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Final

import sqlalchemy as sa

from recordkit._errors import StoreError, shorten
from recordkit.governance import DataKey, FieldEncryption
from recordkit.store.sql._bulk import executemany
from recordkit.store.sql._tables import IDS_PER_SELECT, id_in

__all__ = ["Keyring", "keys_table"]


def keys_table(metadata: sa.MetaData, *, prefix: str) -> sa.Table:
    """
    Declare ``rk_keys``: one wrapped data key per record (NULL once shredded).
    """
    return sa.Table(
        f"{prefix}keys",
        metadata,
        sa.Column("record_id", sa.String(255), primary_key=True),
        sa.Column("key_id", sa.String(255), nullable=False),
        sa.Column("wrapped", sa.LargeBinary),
        sa.Column("shredded_at", sa.DateTime(timezone=True)),
        # SQLite: rows kept in the primary key's order, one B-tree per insert, not two
        sqlite_with_rowid=False,
    )


_ONE_ROW: Final = "VALUES (?, ?, ?)"
"""
The end of the SQL SQLAlchemy compiles for one key row on SQLite.
"""
_KEY_ROWS: Final = 300
"""
Key rows per INSERT on SQLite: 900 parameters, under the 999 older SQLite versions allow.
"""


def _insert_rows(
    conn: sa.Connection, head: str, ids: Sequence[str], keys: Sequence[DataKey]
) -> None:
    """
    Insert the key rows of *ids* on SQLite, `_KEY_ROWS` per statement.

    *head* is the INSERT up to its VALUES. A statement of many rows costs the database a
    fraction per row of what one row per statement (``executemany``) does, and the driver
    takes the ids, key ids and wrapped keys without a conversion.
    """
    full = f"{head}VALUES {', '.join(['(?, ?, ?)'] * _KEY_ROWS)}"
    for start in range(0, len(ids), _KEY_ROWS):
        params: list[object] = []
        add = params.extend
        for i, k in zip(
            ids[start : start + _KEY_ROWS], keys[start : start + _KEY_ROWS], strict=True
        ):
            # the same BLOB: sqlite3 binds a bytearray as it is, but looks for an adapter
            # of every bytes value (an AttributeError made and dropped per key)
            add((i, k.key_id, bytearray(k.wrapped)))
        rows = len(params) // 3
        sql = full if rows == _KEY_ROWS else f"{head}VALUES {', '.join(['(?, ?, ?)'] * rows)}"
        conn.exec_driver_sql(sql, tuple(params))


_SCOPE: ContextVar[tuple[Keyring, dict[str, DataKey | None]] | None] = ContextVar(
    "rk_keys", default=None
)
"""
The data keys of the records the current statement touches (``None``: shredded).
"""


class Keyring:
    """
    The data keys of one store: loaded, created and shredded in the caller's transaction.

    Args:
        encryption: which fields are encrypted, and the provider of master keys.
        table: ``rk_keys``.
    """

    def __init__(self, encryption: FieldEncryption, table: sa.Table) -> None:
        self.encryption = encryption
        self.table = table

    @contextlib.contextmanager
    def scope(
        self,
        conn: sa.Connection,
        ids: Sequence[str],
        *,
        create: bool,
        fresh: Collection[str] = (),
    ) -> Iterator[None]:
        """
        Make the data keys of *ids* available to `key` inside the block.

        With *create*, records without a key get a new one, stored in *conn*'s transaction.
        *fresh* are ids of records not stored (a bulk upsert's new ones): their keys are
        not looked for but inserted at once, in a savepoint; if one is there after all
        (a record deleted and created again), they are looked for after all.

        Raises:
            StoreError: a stored key cannot be unwrapped (a wrong master key, an altered
                key) or the keys cannot be read or written.
        """
        outer = _SCOPE.get()
        # a scope of another store's keyring (another master key) lends nothing
        keys: dict[str, DataKey | None] = (
            dict(outer[1]) if outer is not None and outer[0] is self else {}
        )
        wanted = [i for i in dict.fromkeys(ids) if i not in keys]
        new = [i for i in wanted if i in fresh] if create and fresh else []
        if new:
            wanted = [i for i in wanted if i not in fresh]
        if wanted:
            self._load(conn, wanted, keys)
            if create:
                self._create(conn, [i for i in wanted if i not in keys], keys)
        if new:
            self._create_fresh(conn, new, keys)
        token = _SCOPE.set((self, keys))
        try:
            yield
        finally:
            _SCOPE.reset(token)

    def _load(
        self, conn: sa.Connection, ids: Sequence[str], keys: dict[str, DataKey | None]
    ) -> None:
        t = self.table
        dialect = conn.dialect.name
        opened: dict[tuple[str, bytes], DataKey] = {}
        for start in range(0, len(ids), IDS_PER_SELECT):
            chunk = ids[start : start + IDS_PER_SELECT]
            stmt = sa.select(t.c.record_id, t.c.key_id, t.c.wrapped).where(
                id_in(t.c.record_id, chunk, dialect)
            )
            for record_id, key_id, wrapped in conn.execute(stmt):
                if wrapped is None:
                    keys[record_id] = None
                    continue
                wrapped = bytes(wrapped)
                key = opened.get((key_id, wrapped))
                if key is None:
                    try:
                        key = self.encryption.open_key(key_id, wrapped)
                    except StoreError as exc:
                        raise StoreError(
                            f"{t.name}: the data key of record {shorten(record_id)} cannot "
                            f"be unwrapped: {exc}"
                        ) from None
                    opened[(key_id, wrapped)] = key
                keys[record_id] = key

    def _create(
        self, conn: sa.Connection, ids: Sequence[str], keys: dict[str, DataKey | None]
    ) -> None:
        if not ids:
            return
        made = self.encryption.new_keys(len(ids))
        keys.update(zip(ids, made, strict=True))
        # shredded_at is left out: NULL, without a bind per row
        if (
            conn.dialect.name == "sqlite"
            and conn.dialect.paramstyle == "qmark"
            and not conn.get_execution_options().get("schema_translate_map")
        ):
            statement = self.table.insert().compile(
                dialect=conn.dialect, column_keys=["record_id", "key_id", "wrapped"]
            )
            sql = statement.string
            if statement.positiontup == ["record_id", "key_id", "wrapped"] and sql.endswith(
                _ONE_ROW
            ):
                _insert_rows(conn, sql[: -len(_ONE_ROW)], ids, made)
                return
        rows = [
            {"record_id": i, "key_id": k.key_id, "wrapped": k.wrapped}
            for i, k in zip(ids, made, strict=True)
        ]
        executemany(conn, self.table.insert(), rows)

    def _create_fresh(
        self, conn: sa.Connection, ids: Sequence[str], keys: dict[str, DataKey | None]
    ) -> None:
        try:
            with conn.begin_nested():
                self._create(conn, ids, keys)
        except sa.exc.IntegrityError:
            for record_id in ids:
                keys.pop(record_id, None)
            self._load(conn, ids, keys)
            self._create(conn, [i for i in ids if i not in keys], keys)

    def key(self, record_id: str) -> DataKey | None:
        """
        The data key of *record_id* in the current scope (``None``: shredded).

        Raises:
            StoreError: the record has no data key (not in scope, or never given one).
        """
        scope = _SCOPE.get()
        if scope is None or scope[0] is not self or record_id not in scope[1]:
            raise StoreError(
                f"record {shorten(record_id)} has encrypted values but no data key in rk_keys"
            )
        return scope[1][record_id]

    def held(self) -> Mapping[str, DataKey | None]:
        """
        The data keys of the current scope, record id → key (``None``: shredded).

        For a caller looking up many (`key` checks the scope on every call); empty outside
        a scope of this keyring.
        """
        scope = _SCOPE.get()
        if scope is None or scope[0] is not self:
            return {}
        return scope[1]

    def shred(self, conn: sa.Connection, ids: Sequence[str]) -> int:
        """
        Destroy the wrapped data keys of *ids*, keeping each row as a tombstone; how many.
        """
        t = self.table
        dialect = conn.dialect.name
        now = dt.datetime.now(dt.UTC)
        done = 0
        for start in range(0, len(ids), IDS_PER_SELECT):
            chunk = list(ids[start : start + IDS_PER_SELECT])
            result = conn.execute(
                t.update()
                .where(id_in(t.c.record_id, chunk, dialect), t.c.wrapped.is_not(None))
                .values(wrapped=None, shredded_at=now)
            )
            done += int(result.rowcount)
        return done

    def forget(self, conn: sa.Connection, ids: Sequence[str]) -> int:
        """
        Delete the key rows of *ids* (erasure); how many.
        """
        t = self.table
        dialect = conn.dialect.name
        done = 0
        for start in range(0, len(ids), IDS_PER_SELECT):
            chunk = list(ids[start : start + IDS_PER_SELECT])
            done += int(
                conn.execute(t.delete().where(id_in(t.c.record_id, chunk, dialect))).rowcount
            )
        return done
