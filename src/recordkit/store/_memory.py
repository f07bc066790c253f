"""
`MemoryStore`: the default store, a thread-safe dictionary of immutable records.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from recordkit._errors import ConflictError, NotFound
from recordkit.schema import Record
from recordkit.store._base import Store

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """
    Records kept in process memory; fast, shared by threads, gone when the process ends.

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._records)

    def get(self, record_id: str) -> Record:
        """
        Return the record with *record_id*; raise `NotFound` when absent.
        """
        try:
            return self._records[record_id]
        except (KeyError, TypeError):
            raise NotFound(record_id) from None

    def get_many(self, record_ids: Sequence[str]) -> list[Record | None]:
        """
        Return the records for *record_ids*, in order, ``None`` where absent.
        """
        return [self._records.get(i) for i in record_ids]

    def put(self, record: Record, *, expected_version: int | None) -> None:
        """
        Create or replace *record* if the stored version is *expected_version*.
        """
        with self._lock:
            current = self._records.get(record.id)
            actual = None if current is None else current.version
            if actual != expected_version:
                raise ConflictError(record.id, expected=expected_version or 0, actual=actual)
            self._records[record.id] = record

    def put_many(self, records: Sequence[Record]) -> None:
        """
        Create all *records*, or none if any id exists already.
        """
        with self._lock:
            seen: set[str] = set()
            for r in records:
                if r.id in self._records or r.id in seen:
                    raise ConflictError(r.id, expected=0, actual=r.version)
                seen.add(r.id)
            self._records.update((r.id, r) for r in records)

    def scan(self, schema: str, *, batch_size: int = 10_000) -> Iterator[list[Record]]:
        """
        Yield the records of *schema* in batches.
        """
        matching = [r for r in list(self._records.values()) if r.schema == schema]
        for start in range(0, len(matching), batch_size):
            yield matching[start : start + batch_size]

    def count(self, schema: str) -> int:
        """
        How many records of *schema* are stored.
        """
        return sum(1 for r in list(self._records.values()) if r.schema == schema)
