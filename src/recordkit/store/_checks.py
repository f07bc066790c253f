"""
Argument checks every store shares: records, id lists, writes, batch sizes.

A store is a port other code plugs into, so what it is handed is checked at the door and
refused with a `StoreError` that names what was wrong, never a bare `TypeError` from deep
inside a write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from recordkit._errors import StoreError, shorten
from recordkit.schema import Record
from recordkit.store._entries import Write

__all__ = [
    "check_batch",
    "check_callback",
    "check_expected",
    "check_ids",
    "check_list",
    "check_name",
    "check_record",
    "check_writes",
]


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
        out.append((check_record(record), check_expected(expected)))
    return out


def check_batch(batch_size: object) -> None:
    """
    Raise `StoreError` unless *batch_size* is a positive whole number.
    """
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise StoreError(f"batch_size must be a positive whole number, got {shorten(batch_size)}")


def check_name(what: str, value: object) -> str:
    """
    Return *value* when it is a name: non-blank text of at most 255 characters.

    A schema name or an id; anything else raises `StoreError` naming *what*.
    """
    if not isinstance(value, str) or not value or len(value) > 255:
        raise StoreError(f"{what} must be non-blank text (at most 255 chars), got {shorten(value)}")
    return value


def check_list(what: str, value: object) -> list[object]:
    """
    Return *value* as a list when it is a collection (not text), else raise `StoreError`.
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise StoreError(f"{what} must be a list, got {shorten(value)}")
    return list(value)


def check_callback(callback: object) -> Callable[[], object]:
    """
    Return *callback* when it can be called, else raise `StoreError`.
    """
    if not callable(callback):
        raise StoreError(f"on_commit takes a function, got {shorten(callback)}")
    return callback


def check_expected(expected: object, *, required: bool = False) -> int | None:
    """
    Return *expected* when it is a version the store can compare, else raise `StoreError`.

    A whole number from 0 (below 2**63), or ``None`` unless *required*.
    """
    if expected is None and not required:
        return None
    if isinstance(expected, bool) or not isinstance(expected, int) or not 0 <= expected < 2**63:
        raise StoreError(f"expected_version must be a whole number from 0, got {shorten(expected)}")
    return expected
