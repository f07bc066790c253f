"""
The memory store's audit log.

A `MemoryAuditLog` whose appends and redactions roll back with the store's transactions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from recordkit.governance import AuditEvent, MemoryAuditLog
from recordkit.store._journal import Journal

__all__ = ["StoreAuditLog"]


class StoreAuditLog(MemoryAuditLog):
    """
    The memory store's audit log: appends and redactions are undone with the transaction.
    """

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self._journal = journal

    def _append(
        self,
        at: dt.datetime,
        actor: str,
        action: str,
        schema: str,
        ids: tuple[str, ...],
        names: tuple[str, ...],
        data: dict[str, object],
        values: dict[str, dict[str, list[object]]],
    ) -> AuditEvent:
        with self._journal.transaction():
            mark = len(self._events)
            event = super()._append(at, actor, action, schema, ids, names, data, values)
            self._journal.on_undo(lambda: self._events.__delitem__(slice(mark, None)))
            return event

    def redact(self, record_ids: Collection[str]) -> int:
        """
        Remove the payload of every event naming one of *record_ids*; how many were.
        """
        ids = self.check_redact(record_ids)
        with self._journal.transaction():
            done = self._redact(ids)

            def undo() -> None:
                for i, event in done:
                    self._events[i] = event

            self._journal.on_undo(undo)
            return len(done)
