"""
The `Store` methods for records, for `SQLStore`: reads, writes and the bulk verbs.

Every record table is one schema's (a `RecordCodec` turns records into its rows and back).
Writes check the version they replace (optimistic locking on ``rk_version``, no row locks);
``put_many`` and ``upsert_many`` are Core ``executemany`` statements, not the ORM's unit of
work; reads page through a table by id (keyset pages), so no cursor stays open between
batches.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa

from recordkit._errors import ConflictError, NotFound, StoreError, shorten
from recordkit.schema import Record
from recordkit.store._base import Where
from recordkit.store._checks import (
    check_batch,
    check_expected,
    check_ids,
    check_list,
    check_name,
    check_record,
)
from recordkit.store._entries import UpsertResult, record_changes
from recordkit.store.sql._audit import SQLAuditLog
from recordkit.store.sql._codec import RecordCodec
from recordkit.store.sql._engine import Duplicate
from recordkit.store.sql._health import drop_health
from recordkit.store.sql._inserts import insert_ignore
from recordkit.store.sql._query import fetch, where_clause
from recordkit.store.sql._sealed import SEAL_ROWS, Unsealed
from recordkit.store.sql._tables import IDS_PER_SELECT, FixedTables, id_in
from recordkit.store.sql._upsert import upsert

__all__ = ["RecordMethods"]


class RecordMethods(ABC):
    """
    The `Store` methods for records, for `SQLStore`.
    """

    dialect: str
    _codecs: dict[str, RecordCodec]
    _audit: SQLAuditLog
    fixed: FixedTables
    # from Store: whether a write appends its own event, and appending it
    _logs_writes: Callable[[], bool]
    _log_writes: Callable[..., None]

    def _log(
        self,
        action: str,
        pairs: Iterable[tuple[Record | None, Record | None]],
        *,
        actor: str = "store",
    ) -> None:
        """
        The event of a write made straight on the store (not inside `Store.audited`).
        """
        by_schema: dict[str, dict[str, Mapping[str, Any]]] = {}
        for before, after in pairs:
            some = after if after is not None else before
            assert some is not None
            by_schema.setdefault(some.schema, {})[some.id] = record_changes(before, after)
        self._log_writes(action, by_schema, actor=actor)

    def _before(self, conn: sa.Connection, record_id: str) -> Record | None:
        for codec in list(self._codecs.values()):
            stmt = sa.select(*codec.select_columns).where(codec.table.c.rk_id == record_id)
            found = fetch(conn, codec, stmt)
            if found:
                return found[0]
        return None

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

    @abstractmethod
    def _codec(self, schema: str) -> RecordCodec:
        """
        The codec of a registered schema; `StoreError` naming it when it is not.
        """

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
                for start in range(0, len(wanted), IDS_PER_SELECT):
                    chunk = wanted[start : start + IDS_PER_SELECT]
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
        row = self._encode(conn, codec, [record])[0]
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

    def _encode(
        self, conn: sa.Connection, codec: RecordCodec, records: Sequence[Record]
    ) -> list[dict[str, Any]]:
        """
        The rows of *records*; encrypted fields sealed under data keys made as needed.
        """
        sealer = codec.sealer
        if sealer is None:
            return [codec.encode(r) for r in records]
        unsealed: list[Unsealed] = []  # sealed SEAL_ROWS rows at a time, together
        rows: list[dict[str, Any]] = []
        with sealer.keyring.scope(conn, [r.id for r in records], create=True):
            for r in records:
                if len(unsealed) >= SEAL_ROWS:
                    codec.seal(unsealed)
                    unsealed.clear()
                rows.append(codec.encode(r, unsealed))
            codec.seal(unsealed)
        return rows

    def put(self, record: Record, *, expected_version: int | None) -> None:
        """
        Create or replace *record* if the stored version is *expected_version*.
        """
        check_record(record)
        expected_version = check_expected(expected_version)
        with self._unit(f"writing record {shorten(record.id)}") as conn:
            logs = self._logs_writes()
            before = self._before(conn, record.id) if logs and expected_version else None
            self._write(conn, record, expected_version)
            if logs:
                self._log("store.put", [(before, record)])

    def put_many(self, records: Sequence[Record]) -> None:
        """
        Create all *records* with Core ``executemany``, or none if any id exists already.
        """
        records = check_list("records", records)  # type: ignore[assignment]
        groups: dict[str, list[Record]] = {}
        first: dict[str, Record] = {}
        for r in records:
            check_record(r)
            if r.id in first:
                raise ConflictError(r.id, expected=0, actual=first[r.id].version)
            first[r.id] = r
            self._codec(r.schema)
            groups.setdefault(r.schema, []).append(r)
        try:
            with self._unit("writing records") as conn:
                for schema, recs in groups.items():
                    codec = self._codec(schema)
                    conn.execute(codec.table.insert(), self._encode(conn, codec, recs))
                if first and self._logs_writes():
                    self._log("store.put_many", [(None, r) for r in first.values()])
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
        records = check_list("records", records)  # type: ignore[assignment]
        precedence = check_list("precedence", precedence)  # type: ignore[assignment]
        groups: dict[str, list[Record]] = {}
        seen: set[str] = set()
        for r in records:
            check_record(r)
            if r.id in seen:
                raise StoreError(f"record {shorten(r.id)} appears twice in one upsert")
            seen.add(r.id)
            groups.setdefault(r.schema, []).append(r)
        results: list[UpsertResult] = []
        logs = self._logs_writes()
        try:
            with self._unit("upserting records") as conn:
                for schema, recs in groups.items():
                    written: dict[str, dict[str, Any]] | None = {} if logs else None
                    results.append(
                        upsert(conn, self._codec(schema), recs, precedence, self.dialect, written)
                    )
                    if written:
                        self._log_upsert(schema, written)
        except Duplicate:
            raise ConflictError(
                next(iter(seen)), expected=0, actual=None
            ) from None  # a concurrent writer created one of the new ids: retry
        return UpsertResult(
            tuple(i for res in results for i in res.created),
            tuple(i for res in results for i in res.updated),
            tuple(i for res in results for i in res.unchanged),
        )

    def _log_upsert(self, schema: str, written: dict[str, dict[str, Any]]) -> None:
        """
        One event for an upsert's records of *schema*: record id → field → value written.

        The stored values an update replaced are not read (that would cost the upsert a
        second read of every row), so the payload holds no ``before`` and the detail says so.
        """
        fields: set[str] = set()
        for row in written.values():
            fields.update(row)
        self._audit._append(
            dt.datetime.now(dt.UTC),
            "store",
            "store.upsert_many",
            schema,
            tuple(written),
            tuple(fields),
            {"before": "not read"},
            {},
            after=written,
            sealed=True,  # encrypted fields hold their sealed text already
        )

    def delete(self, record_id: str, *, expected_version: int) -> None:
        """
        Remove a record if it is at *expected_version*.
        """
        check_name("record_id", record_id)
        check_expected(expected_version, required=True)
        with self._unit(f"deleting record {shorten(record_id)}") as conn:
            before = self._before(conn, record_id) if self._logs_writes() else None
            for codec in list(self._codecs.values()):
                t = codec.table
                result = conn.execute(
                    t.delete().where(t.c.rk_id == record_id, t.c.rk_version == expected_version)
                )
                if result.rowcount == 1:
                    drop_health(conn, self.fixed, [record_id])
                    if before is not None:
                        self._log("store.delete", [(before, None)])
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
        check_name("schema", schema)
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
        check_name("schema", schema)
        codec = self._codec(schema)
        clause = where_clause(codec, where, stage, state, self.dialect)
        stmt = sa.select(sa.func.count()).select_from(codec.table).where(clause)
        with self._reader(f"counting {codec.table.name}") as conn:
            return int(conn.execute(stmt).scalar_one())
