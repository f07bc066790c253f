"""
The memory store's audit log.

A `MemoryAuditLog` whose appends roll back with the store's transactions.
"""

from __future__ import annotations

from typing import Any

from recordkit.governance import AuditEvent, MemoryAuditLog
from recordkit.store._journal import Journal

__all__ = ["StoreAuditLog"]


class StoreAuditLog(MemoryAuditLog):
    """
    The memory store's audit log: appends are undone with the transaction they belong to.
    """

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self._journal = journal

    def append(self, **kwargs: Any) -> AuditEvent:
        with self._journal.transaction():
            mark = len(self._events)
            event = super().append(**kwargs)
            self._journal.on_undo(lambda: self._events.__delitem__(slice(mark, None)))
            return event
