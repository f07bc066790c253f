"""
Query conditions: what a store query selects records by.

A segment such as "all MQLs in US-NY with no phone" is a stage plus predicates::

    store.query("contact", stage="mql", where={"state": "US-NY", "phone": None})

A mapping is shorthand: a value means equal, ``None`` means "has no value", a list or set
means "one of". `Predicate` spells out the rest (``Predicate.ge("last_contacted", d)``),
`RecordPredicate` tests the record's ``owner``, ``stage`` or ``state``, and `AllOf`,
`AnyOf` and `Not` combine conditions. Every store gives the same answer: SQL semantics made
two-valued, where a missing value matches only ``missing`` (it is neither equal nor
unequal to anything, and a comparison with it is false, so ``Not`` of it is true).

The condition classes live in `recordkit.governance`, whose access policies compile their
record rules into them (`Policy.scope`); this module is their meaning for a store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from recordkit._errors import StoreError, shorten
from recordkit.governance import AllOf, AnyOf, Condition, Not, Predicate, RecordPredicate
from recordkit.schema import Record, Schema

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "Not",
    "Predicate",
    "RecordPredicate",
    "coerce_conditions",
    "coerce_predicates",
    "conditions",
    "predicates",
    "selects",
]

_KINDS = (Predicate, RecordPredicate, AllOf, AnyOf, Not)


def predicates(where: object) -> tuple[Predicate, ...]:
    """
    Turn a ``where`` argument of field predicates into predicates.

    Raises:
        StoreError: *where* is neither predicates nor a mapping of field names.
    """
    out = conditions(where)
    for item in out:
        if not isinstance(item, Predicate):
            raise StoreError(f"where takes Predicate objects, got {type(item).__name__}")
    return out  # type: ignore[return-value]  # every item checked just above


def conditions(where: object) -> tuple[Condition, ...]:
    """
    Turn a ``where`` argument into conditions (all of which must hold).

    *where* is one condition, a list of them, or a mapping of field names (shorthand: a
    value is equal, ``None`` no value, a list one of). Every store reads ``where`` this
    way; use it to join conditions of your own to a caller's ``where``.

    Examples:
        >>> [p.op for p in conditions({"country": "US", "phone": None})]
        ['eq', 'missing']

    .. versionadded:: 0.2.0

    Raises:
        StoreError: *where* is none of these.
    """
    if isinstance(where, _KINDS):
        return (where,)
    if isinstance(where, Mapping):
        out: list[Condition] = []
        for name, value in where.items():
            if value is None:
                out.append(Predicate.missing(name))
            elif isinstance(value, list | tuple | set | frozenset):
                out.append(Predicate.isin(name, value))
            else:
                out.append(Predicate.eq(name, value))
        return tuple(out)
    if isinstance(where, str | bytes) or not isinstance(where, Iterable):
        raise StoreError(f"where takes conditions or a mapping, got {type(where).__name__}")
    items = tuple(where)
    for item in items:
        if not isinstance(item, _KINDS):
            raise StoreError(f"where takes Predicate objects, got {type(item).__name__}")
    return items


def coerce_predicates(preds: Iterable[Predicate], schema: Schema) -> tuple[Predicate, ...]:
    """
    Check each predicate's field against *schema* and coerce its value to the field's type.

    Raises:
        SchemaError: a predicate names no field of *schema* (with suggestions).
        StoreError: a value cannot be the field's type, or ``in`` was not given a collection.
    """
    return tuple(_coerce_predicate(p, schema) for p in preds)


def coerce_conditions(conds: Iterable[Condition], schema: Schema) -> tuple[Condition, ...]:
    """
    `coerce_predicates` for conditions: every field predicate inside them is checked.

    Raises:
        SchemaError: a predicate names no field of *schema* (with suggestions).
        StoreError: a value cannot be the field's type.
    """
    return tuple(_coerce(c, schema) for c in conds)


def _coerce(cond: Condition, schema: Schema) -> Condition:
    if isinstance(cond, Predicate):
        return _coerce_predicate(cond, schema)
    if isinstance(cond, AllOf):
        return AllOf([_coerce(c, schema) for c in cond.conditions])
    if isinstance(cond, AnyOf):
        return AnyOf([_coerce(c, schema) for c in cond.conditions])
    if isinstance(cond, Not):
        return Not(_coerce(cond.condition, schema))
    return cond


def _coerce_predicate(p: Predicate, schema: Schema) -> Predicate:
    f = schema.field(p.field)
    if p.op in ("missing", "present"):
        return p
    try:
        if p.op == "in":
            if not isinstance(p.value, Collection) or isinstance(p.value, str | bytes):
                raise StoreError(f"'in' on {p.field!r} needs a collection of values")
            value: Any = tuple(f.coerce(v) for v in p.value)
        else:
            value = f.coerce(p.value)
            if value is None:
                raise StoreError(
                    f"{p.op!r} on {p.field!r} needs a value; use Predicate.missing for none"
                )
    except ValueError as exc:  # CoercionError: the message names field and value
        raise StoreError(f"predicate on {p.field!r}: {shorten(str(exc), 200)}") from None
    return Predicate(p.field, p.op, value)


def selects(
    record: Record, preds: Sequence[Condition], stage: str | None, state: str | None
) -> bool:
    """
    Whether *record* is at *stage*, in *state* (when given) and meets every condition.

    The in-process meaning of a store query; SQL stores translate the same conditions.
    """
    if stage is not None and record.stage != stage:
        return False
    if state is not None and record.state != state:
        return False
    return all(p.holds(record) for p in preds)
