"""
Erasure and suppression entries for `SQLStore`.

`erase` deletes in one transaction, place by place, and counts what it removed. On SQLite
a DELETE only marks space free, so the page would keep the bytes until reused, and the
write-ahead log keeps old page images until a checkpoint: erase turns ``secure_delete`` on
for its connection (freed content is zeroed; `sqlite_engine` connections have it on
always) and, once the outermost transaction has committed, checkpoints the log and
truncates it.
"""

from __future__ import annotations

import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa

from recordkit._errors import StoreError
from recordkit.store._erasure import (
    Erased,
    ErasureMethods,
    Suppression,
    ValueFinder,
    check_digests,
    check_erase,
    check_suppressions,
    log_erase,
)
from recordkit.store.sql._audit import SQLAuditLog
from recordkit.store.sql._codec import RecordCodec, utc
from recordkit.store.sql._engine import translate
from recordkit.store.sql._health import drop_health
from recordkit.store.sql._index_drop import drop_indexed
from recordkit.store.sql._keyring import Keyring
from recordkit.store.sql._tables import IDS_PER_SELECT, FixedTables, id_in

__all__ = ["EraseMethods", "checkpoint", "checkpoint_after"]

_PAGE = 1000
"""
Quarantined rows read at a time while looking for erased values.
"""


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), IDS_PER_SELECT):
        yield list(ids[start : start + IDS_PER_SELECT])


def _delete(conn: sa.Connection, table: sa.Table, column: str, ids: Sequence[str]) -> int:
    dialect = conn.dialect.name
    done = 0
    for chunk in _chunks(ids):
        done += int(
            conn.execute(table.delete().where(id_in(table.c[column], chunk, dialect))).rowcount
        )
    return done


def _erase_records(
    conn: sa.Connection, codecs: Sequence[RecordCodec], ids: Sequence[str]
) -> list[str]:
    """
    Delete the records *ids* from every table; the schema of each one deleted.
    """
    schemas: list[str] = []
    for codec in codecs:
        schemas += [codec.schema.name] * _delete(conn, codec.table, "rk_id", ids)
    return schemas


def _erase_lineage(conn: sa.Connection, ft: FixedTables, ids: Sequence[str]) -> int:
    """
    Delete every merge naming one of *ids* (with all its members); how many.
    """
    member = ft.lineage_member
    merges: set[str] = set()
    for chunk in _chunks(ids):
        stmt = sa.select(member.c.lineage_id).where(
            id_in(member.c.record_id, chunk, conn.dialect.name)
        )
        merges.update(str(v) for v in conn.execute(stmt).scalars())
    found = sorted(merges)
    _delete(conn, member, "lineage_id", found)
    return _delete(conn, ft.lineage, "id", found)


def _erase_quarantine(conn: sa.Connection, ft: FixedTables, finder: ValueFinder) -> int:
    """
    Delete the quarantined rows (of any schema) holding an erased value; how many.
    """
    if not finder:
        return 0
    q = ft.quarantine
    found: list[str] = []
    last: str | None = None
    while True:  # keyset pages: the whole table is read, a page at a time
        stmt = sa.select(q.c.id, q.c.row).order_by(q.c.id).limit(_PAGE)
        rows = conn.execute(stmt if last is None else stmt.where(q.c.id > last)).all()
        found += [row.id for row in rows if finder.holds(row.row)]
        if len(rows) < _PAGE:
            break
        last = rows[-1].id
    return _delete(conn, q, "id", found)


def checkpoint(engine: sa.Engine) -> None:
    """
    Copy SQLite's write-ahead log into the database file and truncate it to nothing.

    Runs on a connection of its own, outside any transaction (a checkpoint cannot finish
    while its own connection reads). If another connection is reading, SQLite waits for it
    up to the engine's timeout and leaves the rest of the log for the next checkpoint.

    Raises:
        StoreError: the database failed.
    """
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()
    except sa.exc.SQLAlchemyError as exc:
        raise translate(exc, "checkpointing the SQLite log after an erase") from exc
    except Exception as exc:  # the driver's own error, outside SQLAlchemy's wrapping
        raise StoreError(f"checkpointing the SQLite log after an erase failed: {exc}") from exc


def checkpoint_after(conn: sa.Connection) -> Callable[[], None]:
    """
    The `Store.on_commit` callback of an erase on *conn*: `checkpoint`, after the COMMIT.

    A store joined to the caller's `Connection` hears of its commit just before the COMMIT
    runs (SQLAlchemy has no event after it), when the log cannot be truncated yet: then
    the checkpoint runs in a thread of its own, whose busy handler waits for the COMMIT.
    """
    engine = conn.engine
    dbapi = conn.connection.dbapi_connection

    def run() -> None:
        if getattr(dbapi, "in_transaction", False):
            threading.Thread(
                target=_checkpoint_quietly, args=(engine,), name="recordkit-checkpoint", daemon=True
            ).start()
        else:
            checkpoint(engine)

    return run


def _checkpoint_quietly(engine: sa.Engine) -> None:
    with contextlib.suppress(StoreError):  # nobody is left to tell; the next checkpoint will do
        checkpoint(engine)


class EraseMethods(ErasureMethods, ABC):
    """
    `Store.erase`, `put_suppressions` and `suppressions` for `SQLStore`.
    """

    dialect: str
    fixed: FixedTables
    _codecs: dict[str, RecordCodec]
    _audit: SQLAuditLog
    _keys: Keyring | None
    # from Store
    _logs_writes: Callable[[], bool]
    on_commit: Callable[[Callable[[], object]], None]

    @abstractmethod
    def _unit(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        One atomic piece of work (see `Database.unit`).
        """

    @abstractmethod
    def _reader(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        A connection to read with (see `Database.reader`).
        """

    def erase(self, record_ids: Sequence[str], *, values: Sequence[str] = ()) -> Erased:
        """
        Remove every copy of the records *record_ids* (see `Store.erase`).

        Records are found in the tables of the schemas registered with this store.
        """
        ids, finder = check_erase(record_ids, values)
        with self._unit("erasing records") as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
                self.on_commit(checkpoint_after(conn))
            schemas = _erase_records(conn, list(self._codecs.values()), ids)
            if self._keys is not None:
                self._keys.forget(conn, ids)  # the wrapped data keys go with the records
            drop_indexed(conn, self.fixed, ids)  # and their rows in every duplicate index
            review = self.fixed.review  # and the reviews naming them
            _delete(conn, review, "record_id", ids)
            _delete(conn, review, "other_id", ids)
            drop_health(conn, self.fixed, ids)  # and their health scores
            erased = Erased(
                records=len(schemas),
                lineage=_erase_lineage(conn, self.fixed, ids),
                consents=_delete(conn, self.fixed.consent, "record_id", ids),
                quarantine=_erase_quarantine(conn, self.fixed, finder),
                audit=self._audit.redact(ids) if ids else 0,
            )
            if self._logs_writes():
                log_erase(self._audit, schemas, ids, erased)
        return erased

    def put_suppressions(self, entries: Sequence[Suppression]) -> int:
        """
        Keep suppression entries, all or none; those kept already stay as they were.
        """
        checked = check_suppressions(entries)
        unique = list({(e.schema, e.key, e.digest): e for e in reversed(checked)}.values())
        if not unique:
            return 0
        t = self.fixed.suppression
        with self._unit("storing suppression entries") as conn:
            kept = self._kept(conn, unique)
            new = [e for e in unique if (e.schema, e.key, e.digest) not in kept]
            if new:
                conn.execute(
                    t.insert(),
                    [
                        {
                            "schema": e.schema,
                            "key": e.key,
                            "digest": e.digest,
                            "at": e.at,
                            "erasure": e.erasure,
                        }
                        for e in new
                    ],
                )
        return len(new)

    def _kept(
        self, conn: sa.Connection, entries: Sequence[Suppression]
    ) -> set[tuple[str, str, str]]:
        t = self.fixed.suppression
        kept: set[tuple[str, str, str]] = set()
        groups: dict[tuple[str, str], list[str]] = {}
        for e in entries:
            groups.setdefault((e.schema, e.key), []).append(e.digest)
        for (schema, key), digests in groups.items():
            for chunk in _chunks(digests):
                stmt = sa.select(t.c.digest).where(
                    t.c.schema == schema, t.c.key == key, id_in(t.c.digest, chunk, self.dialect)
                )
                kept.update((schema, key, str(d)) for d in conn.execute(stmt).scalars())
        return kept

    def suppressions(self, schema: str, key: str, digests: Sequence[str]) -> dict[str, Suppression]:
        """
        The suppression entries kept for *digests* of *schema* and *key*, by digest.
        """
        wanted = check_digests(schema, key, digests)
        t = self.fixed.suppression
        found: dict[str, Suppression] = {}
        with self._reader("reading suppression entries") as conn:
            for chunk in _chunks(wanted):
                stmt = sa.select(t).where(
                    t.c.schema == schema, t.c.key == key, id_in(t.c.digest, chunk, self.dialect)
                )
                for row in conn.execute(stmt):
                    found[row.digest] = _suppression(row)
        return found


def _suppression(row: Any) -> Suppression:
    try:
        return Suppression(
            schema=row.schema, key=row.key, digest=row.digest, at=utc(row.at), erasure=row.erasure
        )
    except StoreError as exc:
        raise StoreError(
            f"a stored suppression entry holds data recordkit cannot read: {exc}"
        ) from None
