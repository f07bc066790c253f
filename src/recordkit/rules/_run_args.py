"""
The argument checks of the rule engine's entry points: building a rule set and running one.

Each entry point calls one of these first, so a wrong argument is refused before any work,
with an error naming it: a `SchemaError` for a rule set's definition, a `ValidationError`
for a record that is not a mapping, a `RecordkitError` for a run's options.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from recordkit._errors import RecordkitError, SchemaError, ValidationError, shorten
from recordkit.schema import Schema

__all__ = [
    "check_batch",
    "check_chunk",
    "check_definition",
    "check_record",
    "check_rules",
    "csv_file",
]

MAX_VERSION = 2**31 - 1


def _count(value: object, what: str, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= sys.maxsize:
        raise RecordkitError(f"{what} must be a whole number of at least {minimum}, "
                             f"got {shorten(value)}")  # fmt: skip


def _flag(value: object, what: str, error: type[RecordkitError] = RecordkitError) -> None:
    if not isinstance(value, bool):
        raise error(f"{what} must be true or false, got {shorten(value)}")


def check_rules(rules: object) -> None:
    """
    *rules* is a rule set (a `RuleSet`, or what it compiles to).
    """
    if not all(hasattr(rules, a) for a in ("schema", "plans", "order", "record")) or not (
        isinstance(getattr(rules, "schema", None), Schema)
    ):
        raise RecordkitError(f"rules must be a RuleSet, got {shorten(rules)}")


def csv_file(path: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """
    *path* when it names a regular file: a FIFO, a device or a directory is refused now.
    """
    shown = shorten(os.fspath(path), 200)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise RecordkitError(f"a CSV source must be a regular file, got {shown}")
    except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate in the path
        if isinstance(exc, RecordkitError):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RecordkitError(f"cannot read the CSV file {shown}: {reason[:200]}") from None
    return path


def check_record(raw: object, base: object, defaults: object) -> None:
    """
    The arguments of `RuleSet.run`: a record (a mapping), its base and the defaults switch.
    """
    if not isinstance(raw, Mapping):
        raise ValidationError(f"a record is a mapping of field names, got {shorten(raw)}")
    if base is not None and not isinstance(base, Mapping):
        raise ValidationError(f"base must be a mapping of field values, got {shorten(base)}")
    if defaults is not None:
        _flag(defaults, "defaults")


def check_batch(rules: object, chunk_size: object, cache: object, memo_size: object) -> None:
    """
    The options of `run_batch`.
    """
    check_rules(rules)
    _count(chunk_size, "chunk_size", 1)
    _flag(cache, "cache")
    _count(memo_size, "memo_size")


def check_chunk(
    rules: object,
    columns: object,
    length: object,
    fields: object,
    offset: object,
    memo: object,
    memo_size: object,
    seen: object,
    defaults: object,
) -> tuple[str, ...] | None:
    """
    The arguments of `run_chunk`: columns of *length* cells, and the run's options.

    Returns *fields* read into a tuple (``None`` stays ``None``).
    """
    check_rules(rules)
    _count(length, "length")
    _count(offset, "offset")
    _count(memo_size, "memo_size")
    _flag(defaults, "defaults")
    if not isinstance(columns, Mapping):
        raise RecordkitError(f"columns must map field names to cells, got {shorten(columns)}")
    for name, cells in columns.items():
        if not isinstance(name, str):
            raise RecordkitError(f"column names must be text, got {shorten(name)}")
        if isinstance(cells, str | bytes) or not hasattr(cells, "__getitem__"):
            raise RecordkitError(f"column {shorten(name)} must be a sequence of cells")
    for what, value in (("memo", memo), ("seen", seen)):
        if value is not None and not isinstance(value, dict):
            raise RecordkitError(f"{what} must be a dict or None, got {shorten(value)}")
    if fields is None:
        return None
    if isinstance(fields, str | bytes | Mapping) or not isinstance(fields, Iterable):
        raise RecordkitError(f"fields must be a list of field names, got {shorten(fields)}")
    names = tuple(fields)  # read once: it may be an iterator
    for name in names:
        if not isinstance(name, str):
            raise RecordkitError(f"fields must be field names (text), got {shorten(name)}")
    return names


def check_definition(
    schema: object,
    fields: object = None,
    extend: object = None,
    record: object = (),
    version: object = None,
    name: object = None,
    defaults: object = True,
) -> None:
    """
    The arguments a rule set is defined with (`RuleSet.for_schema`, `RuleSet`).
    """
    if not isinstance(schema, Schema):
        raise SchemaError(f"schema must be a Schema, got {shorten(schema)}")
    for what, value in (("fields", fields), ("extend", extend)):
        if value is not None and not isinstance(value, Mapping):
            raise SchemaError(f"{what} must map field names to rules, got {shorten(value)}")
    if isinstance(record, str | bytes | Mapping) or not isinstance(record, Iterable):
        raise SchemaError(f"record must be a list of record rules, got {shorten(record)}")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int)
        or not 1 <= version <= MAX_VERSION
    ):  # fmt: skip
        raise SchemaError(
            f"version must be a whole number from 1 to {MAX_VERSION}, got {shorten(version)}"
        )
    if name is not None and not isinstance(name, str):
        raise SchemaError(f"name must be text, got {shorten(name)}")
    _flag(defaults, "defaults", SchemaError)


def plans_error(schema: Schema, plans: Any) -> SchemaError | None:
    """
    Why *plans* are not one compiled plan per field of *schema*, or ``None``.
    """
    if not isinstance(plans, Mapping) or set(plans) != set(schema.field_names):
        return SchemaError(
            f"plans must map each field of {schema.name!r} to its compiled rules, "
            f"got {shorten(plans)}"
        )
    return None
