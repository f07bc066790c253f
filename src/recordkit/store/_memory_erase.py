"""
Erasure and suppression entries for `MemoryStore`.

A mixin over the memory store's dictionaries: every change goes through its undo journal,
so an erase that fails half-way (or whose caller's transaction rolls back) leaves
everything as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from recordkit.governance import AuditLog
from recordkit.schema import Record
from recordkit.store._entries import ConsentEntry, Lineage, QuarantineEntry
from recordkit.store._erasure import (
    Erased,
    ErasureMethods,
    Suppression,
    check_digests,
    check_erase,
    check_suppressions,
    log_erase,
)
from recordkit.store._journal import Journal
from recordkit.store._memory_index import MemoryIndexData, MemoryIndexRows
from recordkit.store._review import Review

__all__ = ["MemoryErasure"]


def _key(schema: str, key: str, digest: str) -> str:
    return json.dumps([schema, key, digest])  # unambiguous, whatever the names hold


class MemoryErasure(ErasureMethods):
    """
    `Store.erase`, `put_suppressions` and `suppressions` for `MemoryStore`.
    """

    _records: dict[str, Record]
    _lineage: dict[str, Lineage]
    _consents: dict[str, list[ConsentEntry]]
    _quarantine: dict[str, QuarantineEntry]
    _suppressions: dict[str, Suppression]
    _indexes: dict[str, MemoryIndexData]
    _reviews: dict[str, Review]
    _journal: Journal
    _drop_health: Callable[[Sequence[str]], None]  # MemoryStore's (`MemoryHealth`)
    # from Store
    _logs_writes: Callable[[], bool]
    transaction: Callable[[], AbstractContextManager[None]]
    audit_log: Callable[[], AuditLog]

    def erase(self, record_ids: Sequence[str], *, values: Sequence[str] = ()) -> Erased:
        """
        Remove every copy of the records *record_ids* (see `Store.erase`).
        """
        ids, finder = check_erase(record_ids, values)
        wanted = set(ids)
        journal = self._journal
        with self.transaction():
            schemas = []
            for rid in ids:
                record = self._records.get(rid)
                if record is not None:
                    schemas.append(record.schema)
                    journal.remove(self._records, rid)
            merges = [g for g in self._lineage.values() if wanted.intersection(g.record_ids)]
            for g in merges:
                journal.remove(self._lineage, g.id)
            consents = 0
            for rid in ids:
                consents += len(self._consents.get(rid, ()))
                journal.remove(self._consents, rid)
            for index in self._indexes.values():  # out of every duplicate index
                MemoryIndexRows("", index, journal).drop(ids)
            self._drop_health(ids)  # and their health scores
            for review in [r for r in self._reviews.values() if wanted & r.pair]:
                journal.remove(self._reviews, review.id)  # and out of the review queue
            rows = [e.id for e in self._quarantine.values() if finder and finder.holds(e.row)]
            for entry_id in rows:
                journal.remove(self._quarantine, entry_id)
            log = self.audit_log()
            erased = Erased(
                records=len(schemas),
                lineage=len(merges),
                consents=consents,
                quarantine=len(rows),
                audit=log.redact(ids) if ids else 0,
            )
            if self._logs_writes():
                log_erase(log, schemas, ids, erased)
        return erased

    def put_suppressions(self, entries: Sequence[Suppression]) -> int:
        """
        Keep suppression entries, all or none; those kept already stay as they were.
        """
        checked = check_suppressions(entries)
        added = 0
        with self.transaction():
            for entry in checked:
                key = _key(entry.schema, entry.key, entry.digest)
                if key not in self._suppressions:
                    self._journal.assign(self._suppressions, key, entry)
                    added += 1
        return added

    def suppressions(self, schema: str, key: str, digests: Sequence[str]) -> dict[str, Suppression]:
        """
        The suppression entries kept for *digests* of *schema* and *key*, by digest.
        """
        wanted = check_digests(schema, key, digests)
        with self._journal.lock:
            found = {d: self._suppressions.get(_key(schema, key, d)) for d in wanted}
        return {d: s for d, s in found.items() if s is not None}
