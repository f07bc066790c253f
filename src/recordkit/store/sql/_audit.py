"""
`SQLAuditLog`: the hash-chained audit trail in the store's own database.

Appends run inside the store's current transaction, so an event commits exactly when the
change it describes does. The chain's head (last sequence number and hash, and the log's
identity) lives in a one-row table that each append locks (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's writers are serialized already), so concurrent writers, threads or
processes, extend one unbroken chain.

Each event's payload (``detail`` and ``changes``) is kept as its canonical JSON text, the
text its digest was taken of; `verify` hashes the stored text of every event (the header's
JSON columns included) without decoding it, so any byte changed in a stored row is found.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from recordkit._errors import StoreError
from recordkit.governance import AuditEvent, AuditLog
from recordkit.store.sql._audit_chain import Chain, head_of, walk_chain
from recordkit.store.sql._audit_read import event_of, filter_clause, naming_any
from recordkit.store.sql._bulk import executemany
from recordkit.store.sql._codec import utc

if TYPE_CHECKING:
    from recordkit.store.sql._session import Database
    from recordkit.store.sql._tables import FixedTables

__all__ = ["SQLAuditLog", "Sealing"]

Checked = tuple[
    dt.datetime,
    str,
    str,
    str,
    tuple[str, ...],
    tuple[str, ...],
    dict[str, object],
    dict[str, dict[str, list[object]]],
]
"""
An event's parts as `AuditLog.check_append` returns them.
"""

_Changes = Mapping[str, Mapping[str, list[object]]]
_Written = Mapping[str, Mapping[str, object]]
Sealing = Callable[
    [sa.Connection, str, _Changes, _Written | None], tuple[_Changes, _Written | None]
]
"""
``(conn, schema, changes, after) -> (changes, after)`` with encrypted fields' values sealed.
"""

_PAGE = 1000


class SQLAuditLog(AuditLog):
    """
    An audit log kept in the tables of a `SQLStore`, in the same transactions as its writes.

    Get one from `SQLStore.audit_log`.

    .. versionadded:: 0.1.0
    """

    _sealing: Sealing | None = None
    """
    Seals the values of encrypted fields in an event's changes (set by an encrypting store).
    """

    def __init__(self, db: Database, fixed: FixedTables) -> None:
        self._db = db
        self._fixed = fixed

    def __repr__(self) -> str:
        return f"SQLAuditLog({self._fixed.audit.name})"

    @property
    def log_id(self) -> str:
        """
        The log's identity, made when its tables were created (or migrated).
        """
        head_t = self._fixed.audit_head
        with self._db.reader("reading the audit trail's head") as conn:
            value = conn.execute(sa.select(head_t.c.log_id).where(head_t.c.id == 1)).scalar()
        return str(value) if value is not None else ""

    def head(self) -> tuple[int, str]:
        """
        The head row: the last sequence number and hash it records.

        ``-1`` and the problem when the head row is missing or unusable.
        """
        with self._db.reader("reading the audit trail's head") as conn:
            return head_of(conn, self._fixed.audit_head)

    def _chained(
        self,
        seq: int,
        prev: str,
        parts: tuple[dt.datetime, str, str, str, tuple[str, ...], tuple[str, ...]],
        data: dict[str, object],
        values: Mapping[str, Mapping[str, list[object]]],
        payload: str,
    ) -> tuple[dict[str, object], AuditEvent]:
        """
        The ``rk_audit`` row and the event for *parts*, number *seq*, chained to *prev*.

        *parts* are the event's time, actor, action, schema, record ids and fields.
        """
        at, actor, action, schema, ids, names = parts
        names = tuple(sorted(names))
        when = utc(at)
        digest = self._payload_digest(payload)
        event_hash = self._header_hash(
            seq,
            when.isoformat(),
            actor,
            action,
            schema,
            json.dumps(list(ids)),
            json.dumps(list(names)),
            digest,
            prev,
        )
        row: dict[str, object] = {
            "seq": seq,
            "at": when,
            "actor": actor,
            "action": action,
            "schema": schema,
            "record_ids": list(ids),
            "fields": list(names),
            "detail": {},
            "prev_hash": prev,
            "hash": event_hash,
            "payload": payload,
            "payload_digest": digest,
            "redacted": False,
        }
        event = AuditEvent(
            seq,
            when,
            actor,
            action,
            schema,
            ids,
            names,
            data,
            prev,
            event_hash,
            changes=values,
            payload_digest=digest,
        )
        return row, event

    def _head(self, conn: sa.Connection) -> tuple[int, str]:
        """
        The head of the chain, locked until the transaction ends.

        Raises:
            StoreError: the head row is missing.
        """
        head_t = self._fixed.audit_head
        head = conn.execute(
            sa.select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1).with_for_update()
        ).first()
        if head is None:
            raise StoreError("the audit trail's head row is missing; was it deleted?")
        return int(head.seq), str(head.hash)

    def _append_many(self, checked: Sequence[Checked]) -> list[AuditEvent]:
        """
        Several checked events, chained in order, in one unit.

        One read of the head, one insert of them all, one update of the head.
        """
        if self._sealing is not None or len(checked) < 2:
            return [self._append(*c) for c in checked]
        rows: list[dict[str, object]] = []
        events: list[AuditEvent] = []
        with self._db.unit("appending to the audit trail") as conn:
            seq, prev = self._head(conn)
            for at, actor, action, schema, ids, names, data, values in checked:
                seq += 1
                payload = self._payload_text(data, values)
                parts = (at, actor, action, schema, ids, names)
                row, event = self._chained(seq, prev, parts, data, values, payload)
                rows.append(row)
                events.append(event)
                prev = event.hash
            executemany(conn, self._fixed.audit.insert(), rows)
            head_t = self._fixed.audit_head
            conn.execute(head_t.update().where(head_t.c.id == 1).values(seq=seq, hash=prev))
        return events

    def _append(
        self,
        at: dt.datetime,
        actor: str,
        action: str,
        schema: str,
        ids: tuple[str, ...],
        names: tuple[str, ...],
        data: dict[str, object],
        values: Mapping[str, Mapping[str, list[object]]],
        *,
        after: Mapping[str, Mapping[str, object]] | None = None,
        sealed: bool = False,
    ) -> AuditEvent:
        """
        `append` with arguments `check_append` gave (the store's own writes call it).

        A bulk write whose records' values before it were not read passes them as
        *after* (record id → field → value) instead of *values*: the payload is written
        from it directly, and the returned event's ``changes`` are left empty. *sealed*:
        the values of encrypted fields are sealed already (an encrypting store seals the
        others).
        """
        with self._db.unit("appending to the audit trail") as conn:
            if self._sealing is not None and not sealed:
                values, after = self._sealing(conn, schema, values, after)
            if after is None:
                payload = self._payload_text(data, values)
            else:
                payload = self._written_text(data, {}, after)
            seq, prev = self._head(conn)
            parts = (at, actor, action, schema, ids, names)
            row, event = self._chained(seq + 1, prev, parts, data, values, payload)
            conn.execute(self._fixed.audit.insert(), row)
            head_t = self._fixed.audit_head
            conn.execute(
                head_t.update().where(head_t.c.id == 1).values(seq=seq + 1, hash=event.hash)
            )
        return event

    def events(
        self,
        record_id: str | None = None,
        *,
        actor: str | None = None,
        action: str | None = None,
        schema: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Iterator[AuditEvent]:
        """
        Events in order, read page by page; filters run in the database.

        Raises:
            ValidationError: a filter is of the wrong type (named).
        """
        table = self._fixed.audit
        wanted = self._filters(record_id, actor, action, schema, since, until)
        clause = filter_clause(table, self._db.dialect, wanted)
        return self._pages(table, clause)

    def _pages(self, table: sa.Table, clause: sa.ColumnElement[bool]) -> Iterator[AuditEvent]:
        last = 0
        while True:
            stmt = (
                sa.select(table)
                .where(table.c.seq > last, clause)
                .order_by(table.c.seq)
                .limit(_PAGE)
            )
            with self._db.reader("reading the audit trail") as conn:
                rows = conn.execute(stmt).all()
            for row in rows:
                yield event_of(row)
            if len(rows) < _PAGE:
                return
            last = int(rows[-1].seq)

    def redact(self, record_ids: Collection[str]) -> int:
        """
        Remove the payload of every event naming one of *record_ids*; how many were.

        Runs in the current transaction (one UPDATE per 1,000 ids).

        Raises:
            ValidationError: *record_ids* is not a list of record ids.
            StoreError: the database failed.
        """
        ids = sorted(self.check_redact(record_ids))
        if not ids:
            return 0
        table = self._fixed.audit
        done = 0
        with self._db.unit("redacting audit events") as conn:
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                result = conn.execute(
                    table.update()
                    .where(
                        naming_any(table, chunk, self._db.dialect),
                        table.c.payload_digest.is_not(None),
                        sa.or_(table.c.redacted.is_(None), table.c.redacted == sa.false()),
                    )
                    .values(payload=None, redacted=True)
                )
                done += int(result.rowcount)
        return done

    def _walk(self, chain: Chain) -> tuple[int, str]:
        """
        Walk *chain* over the stored events, then read the head: one reader, one snapshot.
        """
        with self._db.reader("verifying the audit trail") as conn:
            table = self._fixed.audit
            walk_chain(conn, table, chain, self._header_hash, self._payload_digest)
            return head_of(conn, self._fixed.audit_head)

    def __len__(self) -> int:
        table = self._fixed.audit
        with self._db.reader("counting audit events") as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
