"""
Field predicates: the conditions a store query selects records by.

A segment such as "all MQLs in US-NY with no phone" is a stage plus predicates::

    store.query("contact", stage="mql", where={"state": "US-NY", "phone": None})

A mapping is shorthand: a value means equal, ``None`` means "has no value", a list or set
means "one of". `Predicate` spells out the rest (``Predicate.ge("last_contacted", d)``).
Every store gives the same answer: SQL semantics, where a missing value matches only
``missing`` (it is neither equal nor unequal to anything).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from recordkit._errors import StoreError, shorten
from recordkit.schema import Money, Record, Schema

__all__ = ["OPERATORS", "Predicate", "coerce_predicates", "predicates", "selects"]

OPERATORS: Final = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "in", "missing", "present"})
"""
The comparison names a `Predicate` accepts.
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
    assert isinstance(value, str)
    return value


def _name(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise StoreError(f"a predicate names a field, got {shorten(value)}")
    return value


@attrs.frozen
class Predicate:
    """
    One condition on one field: ``Predicate("state", "eq", "US-NY")``.

    Example:
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
        if self.op == "missing":
            return value is None
        if value is None:
            return False
        if self.op == "present":
            return True
        if self.op == "eq":
            return bool(value == self.value)
        if self.op == "ne":
            return bool(value != self.value)
        if self.op == "in":
            return any(value == v for v in self.value)
        try:
            return _ORDERING[self.op](_key(value), _key(self.value))
        except TypeError:
            raise StoreError(
                f"cannot order {self.field!r} value {shorten(value)} against {shorten(self.value)}"
            ) from None


def _key(value: Any) -> Any:
    return value.amount if isinstance(value, Money) else value


def predicates(where: object) -> tuple[Predicate, ...]:
    """
    Turn a ``where`` argument into predicates.

    Raises:
        StoreError: *where* is neither predicates nor a mapping of field names.
    """
    if isinstance(where, Mapping):
        out: list[Predicate] = []
        for name, value in where.items():
            if value is None:
                out.append(Predicate.missing(name))
            elif isinstance(value, list | tuple | set | frozenset):
                out.append(Predicate.isin(name, value))
            else:
                out.append(Predicate.eq(name, value))
        return tuple(out)
    if isinstance(where, str | bytes) or not isinstance(where, Iterable):
        raise StoreError(f"where takes predicates or a mapping, got {type(where).__name__}")
    items = tuple(where)
    for item in items:
        if not isinstance(item, Predicate):
            raise StoreError(f"where takes Predicate objects, got {type(item).__name__}")
    return items


def coerce_predicates(preds: Iterable[Predicate], schema: Schema) -> tuple[Predicate, ...]:
    """
    Check each predicate's field against *schema* and coerce its value to the field's type.

    Raises:
        SchemaError: a predicate names no field of *schema* (with suggestions).
        StoreError: a value cannot be the field's type, or ``in`` was not given a collection.
    """
    out: list[Predicate] = []
    for p in preds:
        f = schema.field(p.field)
        if p.op in ("missing", "present"):
            out.append(p)
            continue
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
            raise StoreError(f"predicate on {p.field!r}: {exc}") from None
        out.append(Predicate(p.field, p.op, value))
    return tuple(out)


def selects(
    record: Record, preds: Sequence[Predicate], stage: str | None, state: str | None
) -> bool:
    """
    Whether *record* is at *stage*, in *state* (when given) and meets every predicate.

    The in-process meaning of a store query; SQL stores translate the same conditions.
    """
    if stage is not None and record.stage != stage:
        return False
    if state is not None and record.state != state:
        return False
    values = record.values
    return all(p.matches(values.get(p.field)) for p in preds)
