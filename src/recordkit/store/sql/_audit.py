"""
`SQLAuditLog`: the hash-chained audit trail in the store's own database.

Appends run inside the store's current transaction, so an event commits exactly when the
change it describes does. The chain's head (last sequence number and hash) lives in a
one-row table that each append locks (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
writers are serialized already), so concurrent writers, threads or processes, extend one
unbroken chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from recordkit._errors import StoreError, shorten
from recordkit.governance import AuditEvent, AuditLog
from recordkit.store._entries import json_safe
from recordkit.store.sql._codec import utc

if TYPE_CHECKING:
    from recordkit.store.sql._session import Database
    from recordkit.store.sql._tables import FixedTables

__all__ = ["SQLAuditLog"]

_PAGE = 1000


class SQLAuditLog(AuditLog):
    """
    An audit log kept in the tables of a `SQLStore`, in the same transactions as its writes.

    Get one from `SQLStore.audit_log`.

    .. versionadded:: 0.1.0
    """

    def __init__(self, db: Database, fixed: FixedTables) -> None:
        self._db = db
        self._fixed = fixed

    def __repr__(self) -> str:
        return f"SQLAuditLog({self._fixed.audit.name})"

    def append(
        self,
        *,
        at: dt.datetime,
        actor: str,
        action: str,
        schema: str,
        record_ids: Sequence[str],
        fields: Iterable[str] = (),
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        """
        Record one event, chained to the one before, in the current transaction.

        Raises:
            StoreError: the event cannot be stored (bad data, database failure).
        """
        at, actor, action, schema, ids, names, data = self.check_append(
            at, actor, action, schema, record_ids, fields, detail
        )
        names = tuple(sorted(names))
        plain = json_safe(data)
        head_t = self._fixed.audit_head
        with self._db.unit("appending to the audit trail") as conn:
            head = conn.execute(
                sa.select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1).with_for_update()
            ).first()
            if head is None:
                raise StoreError("the audit trail's head row is missing; was it deleted?")
            draft = AuditEvent(
                int(head.seq) + 1, utc(at), actor, str(action), schema, ids, names, plain, head.hash
            )
            event = attrs.evolve(draft, hash=draft.content_hash())
            conn.execute(
                self._fixed.audit.insert(),
                {
                    "seq": event.seq,
                    "at": event.at,
                    "actor": event.actor,
                    "action": event.action,
                    "schema": event.schema,
                    "record_ids": list(event.record_ids),
                    "fields": list(event.fields),
                    "detail": plain,
                    "prev_hash": event.prev_hash,
                    "hash": event.hash,
                },
            )
            conn.execute(
                head_t.update().where(head_t.c.id == 1).values(seq=event.seq, hash=event.hash)
            )
        return event

    def events(self, record_id: str | None = None) -> Iterator[AuditEvent]:
        """
        Events in order, read page by page; only those naming *record_id* when given.
        """
        table = self._fixed.audit
        last = 0
        while True:
            stmt = sa.select(table).where(table.c.seq > last).order_by(table.c.seq).limit(_PAGE)
            if record_id is not None and self._db.dialect == "postgresql":
                stmt = stmt.where(
                    sa.cast(table.c.record_ids, postgresql.JSONB).contains([record_id])
                )
            with self._db.reader("reading the audit trail") as conn:
                rows = conn.execute(stmt).all()
            for row in rows:
                event = _event(row)
                if record_id is None or record_id in event.record_ids:
                    yield event
            if len(rows) < _PAGE:
                return
            last = int(rows[-1].seq)

    def __len__(self) -> int:
        table = self._fixed.audit
        with self._db.reader("counting audit events") as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _event(row: Any) -> AuditEvent:
    try:
        return AuditEvent(
            int(row.seq),
            utc(row.at),
            row.actor,
            row.action,
            row.schema,
            tuple(row.record_ids),
            tuple(row.fields),
            dict(row.detail),
            row.prev_hash,
            row.hash,
        )
    except (TypeError, ValueError) as exc:
        raise StoreError(
            f"audit event {shorten(row.seq)} holds data recordkit cannot read: {exc}"
        ) from None
