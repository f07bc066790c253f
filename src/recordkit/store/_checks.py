"""
Argument checks every store shares: records, id lists, writes, batch sizes.

A store is a port other code plugs into, so what it is handed is checked at the door and
refused with a `StoreError` that names what was wrong, never a bare `TypeError` from deep
inside a write.
"""

from __future__ import annotations

from collections.abc import Iterable

from recordkit._errors import StoreError, shorten
from recordkit.schema import Record
from recordkit.store._entries import Write

__all__ = ["check_batch", "check_ids", "check_record", "check_writes"]


def check_record(record: object) -> Record:
    """
    Return *record* when it is a `Record`, else raise `StoreError`.
    """
    if not isinstance(record, Record):
        raise StoreError(f"a store keeps Record objects, got {type(record).__name__}")
    return record


def check_ids(record_ids: object) -> list[object]:
    """
    Return *record_ids* as a list, or raise `StoreError` when it is not a collection of ids.
    """
    if isinstance(record_ids, str | bytes) or not isinstance(record_ids, Iterable):
        raise StoreError(f"expected a list of record ids, got {shorten(record_ids)}")
    return list(record_ids)


def check_writes(writes: object) -> list[Write]:
    """
    Return *writes* as a list of ``(Record, expected_version)`` pairs, or raise `StoreError`.
    """
    if isinstance(writes, str | bytes) or not isinstance(writes, Iterable):
        raise StoreError(f"writes are (record, expected_version) pairs, got {shorten(writes)}")
    out: list[Write] = []
    for item in writes:
        if not isinstance(item, tuple) or len(item) != 2:
            raise StoreError(f"a write is a (record, expected_version) pair, got {shorten(item)}")
        record, expected = item
        if expected is not None and (not isinstance(expected, int) or isinstance(expected, bool)):
            raise StoreError(f"expected_version is a whole number or None, got {shorten(expected)}")
        out.append((check_record(record), expected))
    return out


def check_batch(batch_size: object) -> None:
    """
    Raise `StoreError` unless *batch_size* is a positive whole number.
    """
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise StoreError(f"batch_size must be a positive whole number, got {shorten(batch_size)}")
