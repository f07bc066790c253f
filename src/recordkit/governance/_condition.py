"""
Conditions on records: what a store query selects by and what a record rule tests.

A leaf tests one field (`Predicate`) or one of the record's own columns, ``owner``,
``stage`` or ``state``, or its ``created_at`` and ``updated_at`` times
(`RecordPredicate`); `AllOf`, `AnyOf` and `Not` combine them. The store runs them (in
memory, or translated to SQL); access policies compile their record rules into them
(`Policy.scope`), which is why they live below the store, here.

Semantics are SQL's, made two-valued: a comparison with a missing value is false (only
``missing`` holds), so ``Not(Predicate.eq("state", "NY"))`` selects the records whose state
is not NY *or* missing, in memory and in the database alike.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeAlias

import attrs

from recordkit._errors import StoreError, shorten
from recordkit._time import with_utc
from recordkit.schema import Money, Record

__all__ = [
    "COLUMNS",
    "OPERATORS",
    "TIMES",
    "AllOf",
    "AnyOf",
    "Condition",
    "Not",
    "Predicate",
    "RecordPredicate",
]

OPERATORS: Final = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "in", "missing", "present"})
"""
The comparison names a `Predicate` accepts.
"""

COLUMNS: Final = frozenset({"owner", "stage", "state"})
"""
The record attributes holding text (columns, in a SQL store) a `RecordPredicate` tests.
"""

TIMES: Final = frozenset({"created_at", "updated_at"})
"""
The record attributes holding instants a `RecordPredicate` tests (``updated_at`` is the
record's last change, what retention measures inactivity by).
"""

_ORDERING: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _op(value: object) -> str:
    if not isinstance(value, str) or value not in OPERATORS:
        raise StoreError(
            f"unknown predicate operator {shorten(value)}; use one of {sorted(OPERATORS)}"
        )
    return value


def _name(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise StoreError(f"a predicate names a field, got {shorten(value)}")
    return value


def _column(value: object) -> str:
    if not isinstance(value, str) or value not in COLUMNS | TIMES:
        raise StoreError(
            f"a record predicate names a record column "
            f"({', '.join(sorted(COLUMNS | TIMES))}), got {shorten(value)}"
        )
    return value


def _instant(attribute: str, value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise StoreError(f"{attribute!r} compares with a datetime, got {shorten(value)}")
    return with_utc(value).astimezone(dt.UTC)  # naive means UTC, as everywhere


def _record(value: object) -> Record:
    if not isinstance(value, Record):
        raise StoreError(f"a condition tests a Record, got {shorten(value)}")
    return value


def _key(value: Any) -> Any:
    return value.amount if isinstance(value, Money) else value


def _compare(where: str, op: str, value: Any, operand: Any) -> bool:
    if op == "missing":
        return value is None
    if value is None:
        return False
    if op == "present":
        return True
    if op == "eq":
        return bool(value == operand)
    if op == "ne":
        return bool(value != operand)
    if op == "in":
        return value in operand  # ``==`` per item, in C
    try:
        return _ORDERING[op](_key(value), _key(operand))
    except TypeError:
        raise StoreError(
            f"cannot order {where!r} value {shorten(value)} against {shorten(operand)}"
        ) from None


@attrs.frozen
class Predicate:
    """
    One condition on one field: ``Predicate("state", "eq", "US-NY")``.

    Examples:
        >>> Predicate.missing("phone")
        Predicate(field='phone', op='missing', value=None)

    Args:
        field: the field name.
        op: ``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge``, ``in``, ``missing`` or
            ``present``.
        value: what to compare with (a collection for ``in``; unused for ``missing`` and
            ``present``). Raw values are coerced to the field's type first.

    .. versionadded:: 0.1.0
    """

    field: str = attrs.field(converter=_name)
    op: str = attrs.field(converter=_op)
    value: Any = None

    @classmethod
    def eq(cls, field: str, value: Any) -> Predicate:
        """
        The field equals *value*.
        """
        return cls(field, "eq", value)

    @classmethod
    def ne(cls, field: str, value: Any) -> Predicate:
        """
        The field has a value, and it is not *value*.
        """
        return cls(field, "ne", value)

    @classmethod
    def lt(cls, field: str, value: Any) -> Predicate:
        """
        The field is less than *value*.
        """
        return cls(field, "lt", value)

    @classmethod
    def le(cls, field: str, value: Any) -> Predicate:
        """
        The field is at most *value*.
        """
        return cls(field, "le", value)

    @classmethod
    def gt(cls, field: str, value: Any) -> Predicate:
        """
        The field is greater than *value*.
        """
        return cls(field, "gt", value)

    @classmethod
    def ge(cls, field: str, value: Any) -> Predicate:
        """
        The field is at least *value*.
        """
        return cls(field, "ge", value)

    @classmethod
    def isin(cls, field: str, values: Iterable[Any]) -> Predicate:
        """
        The field is one of *values*.
        """
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise StoreError(f"isin takes a list of values, got {shorten(values)}")
        return cls(field, "in", tuple(values))

    @classmethod
    def missing(cls, field: str) -> Predicate:
        """
        The field has no value.
        """
        return cls(field, "missing")

    @classmethod
    def present(cls, field: str) -> Predicate:
        """
        The field has a value.
        """
        return cls(field, "present")

    def matches(self, value: Any) -> bool:
        """
        Whether a record whose field holds *value* satisfies this predicate.
        """
        return _compare(self.field, self.op, value, self.value)

    def holds(self, record: Record) -> bool:
        """
        Whether *record* meets this condition.

        .. versionadded:: 0.2.0
        """
        return self.matches(_record(record).values.get(self.field))


@attrs.frozen
class RecordPredicate:
    """
    One condition on a record column: its ``owner``, ``stage``, ``state`` or times.

    Examples:
        >>> RecordPredicate("owner", "eq", "ana")
        RecordPredicate(attribute='owner', op='eq', value='ana')
        >>> import datetime as dt
        >>> cutoff = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        >>> RecordPredicate("updated_at", "le", cutoff).value.year
        2025

    Args:
        attribute: ``owner``, ``stage`` or ``state`` (text), or ``created_at`` or
            ``updated_at`` (instants).
        op: as for `Predicate` (default ``present``); values are text, or
            datetimes for the times (naive ones are UTC), kept in UTC (``in``: a
            collection of them).
        value: what to compare with.

    Raises:
        StoreError: an unknown column or operator, or a value of the wrong kind.

    .. versionadded:: 0.2.0
    """

    attribute: str = attrs.field(converter=_column)
    op: str = attrs.field(default="present", converter=_op)
    value: object = None

    def __attrs_post_init__(self) -> None:
        if self.op in ("missing", "present"):
            return
        values = self.value if self.op == "in" else (self.value,)
        if isinstance(values, str | bytes) or not isinstance(values, tuple | list | frozenset):
            raise StoreError(f"'in' on {self.attribute!r} takes a list, got {shorten(values)}")
        values = tuple(
            _instant(self.attribute, v) if self.attribute in TIMES else v for v in values
        )
        for v in values:
            if self.attribute not in TIMES and not isinstance(v, str):
                raise StoreError(f"{self.attribute!r} compares with text, got {shorten(v)}")
        object.__setattr__(self, "value", tuple(values) if self.op == "in" else values[0])

    def matches(self, value: str | dt.datetime | None) -> bool:
        """
        Whether a record whose column holds *value* satisfies this predicate.
        """
        return _compare(self.attribute, self.op, value, self.value)

    def holds(self, record: Record) -> bool:
        """
        Whether *record* meets this condition.

        .. versionadded:: 0.2.0
        """
        return self.matches(getattr(_record(record), self.attribute))


def _parts(what: str, value: object) -> tuple[Condition, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise StoreError(f"{what} takes conditions, got {shorten(value)}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, _KINDS):
            raise StoreError(f"{what} takes conditions, got {type(item).__name__}")
    return items


def _all_parts(value: object) -> tuple[Condition, ...]:
    return _parts("AllOf", value)


def _any_parts(value: object) -> tuple[Condition, ...]:
    return _parts("AnyOf", value)


@attrs.frozen
class AllOf:
    """
    Every one of *conditions* holds (``AllOf()`` always holds).

    Examples:
        >>> both = AllOf([Predicate.eq("state", "NY"), RecordPredicate("stage", "eq", "mql")])
        >>> len(both.conditions)
        2

    .. versionadded:: 0.2.0
    """

    conditions: tuple[Condition, ...] = attrs.field(default=(), converter=_all_parts)

    def holds(self, record: Record) -> bool:
        """
        Whether *record* meets this condition.

        .. versionadded:: 0.2.0
        """
        return all(c.holds(record) for c in self.conditions)


@attrs.frozen
class AnyOf:
    """
    At least one of *conditions* holds (``AnyOf()`` never holds).

    .. versionadded:: 0.2.0
    """

    conditions: tuple[Condition, ...] = attrs.field(default=(), converter=_any_parts)

    def holds(self, record: Record) -> bool:
        """
        Whether *record* meets this condition.

        .. versionadded:: 0.2.0
        """
        return any(c.holds(record) for c in self.conditions)


def _one(value: object) -> Condition:
    if not isinstance(value, _KINDS):
        raise StoreError(f"Not takes one condition, got {shorten(value)}")
    return value


@attrs.frozen
class Not:
    """
    *condition* does not hold.

    .. versionadded:: 0.2.0
    """

    condition: Condition = attrs.field(converter=_one)

    def holds(self, record: Record) -> bool:
        """
        Whether *record* meets this condition.

        .. versionadded:: 0.2.0
        """
        return not self.condition.holds(record)


Condition: TypeAlias = Predicate | RecordPredicate | AllOf | AnyOf | Not
"""
A condition on a record: a predicate on a field or a record column, or a combination.
"""

_KINDS: Final = (Predicate, RecordPredicate, AllOf, AnyOf, Not)
