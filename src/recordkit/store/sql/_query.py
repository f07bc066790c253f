"""
Conditions to SQL: the WHERE clause of a segment query.

Values are coerced to the field's type first (so ``"1985-03-07"`` finds a date), money
compares amount and currency, and on SQLite, where decimals are kept as exact text,
ordering and equality compare them as numbers. Every comparison is made two-valued (a
missing value makes it false, never NULL), so ``NOT`` means what it means in memory.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from recordkit._errors import StoreError, shorten
from recordkit.schema import Decimal as DecimalType
from recordkit.schema import Money, MoneyType, Record
from recordkit.store._query import (
    AllOf,
    AnyOf,
    Condition,
    Predicate,
    RecordPredicate,
    coerce_conditions,
    conditions,
)
from recordkit.store.sql._codec import RecordCodec, utc

__all__ = ["fetch", "where_clause"]


def where_clause(
    codec: RecordCodec, where: Any, stage: str | None, state: str | None, dialect: str
) -> sa.ColumnElement[bool]:
    """
    The condition selecting records of *codec*'s schema that meet all of *where*.

    *where* is anything `conditions` reads: conditions, predicates or a mapping.

    Raises:
        SchemaError: a predicate names an unknown field.
        StoreError: a predicate value cannot be the field's type.
    """
    table = codec.table
    parts: list[sa.ColumnElement[bool]] = []
    if stage is not None:
        parts.append(table.c.rk_stage == stage)
    if state is not None:
        parts.append(table.c.rk_state == state)
    for c in coerce_conditions(conditions(where), codec.schema):
        parts.append(_clause(codec, c, dialect))
    return sa.and_(sa.true(), *parts)


_RECORD_COLUMNS = {
    "owner": "rk_owner",
    "stage": "rk_stage",
    "state": "rk_state",
    "created_at": "rk_created_at",
    "updated_at": "rk_updated_at",
}


def _clause(codec: RecordCodec, c: Condition, dialect: str) -> sa.ColumnElement[bool]:
    if isinstance(c, Predicate):
        return _condition(codec, c, dialect)
    if isinstance(c, RecordPredicate):
        return _record_condition(codec, c)
    if isinstance(c, AllOf):
        return sa.and_(sa.true(), *(_clause(codec, p, dialect) for p in c.conditions))
    if isinstance(c, AnyOf):
        return sa.or_(sa.false(), *(_clause(codec, p, dialect) for p in c.conditions))
    return sa.not_(_clause(codec, c.condition, dialect))


def _record_condition(codec: RecordCodec, p: RecordPredicate) -> sa.ColumnElement[bool]:
    column: sa.ColumnElement[Any] = codec.table.c[_RECORD_COLUMNS[p.attribute]]
    if p.op == "missing":
        return column.is_(None)
    if p.op == "present":
        return column.is_not(None)
    value: Any = p.value
    if p.attribute in ("created_at", "updated_at"):  # stored in UTC, as the store writes them
        value = [utc(v) for v in value] if p.op == "in" else utc(value)
    cond: sa.ColumnElement[bool]
    if p.op == "in":
        cond = column.in_(list(value)) if value else sa.false()
    else:
        cond = _ordered(p.op, column, value)
    return sa.and_(column.is_not(None), cond)


def _ordered(op: str, column: sa.ColumnElement[Any], value: Any) -> sa.ColumnElement[bool]:
    cond: sa.ColumnElement[bool]
    if op == "eq":
        cond = column == value
    elif op == "ne":
        cond = column != value
    elif op == "lt":
        cond = column < value
    elif op == "le":
        cond = column <= value
    elif op == "gt":
        cond = column > value
    else:
        cond = column >= value
    return cond


def _condition(codec: RecordCodec, p: Predicate, dialect: str) -> sa.ColumnElement[bool]:
    """
    One field predicate, two-valued: false (not NULL) when the field has no value.
    """
    return sa.and_(_present(codec, p), _comparison(codec, p, dialect))


def _present(codec: RecordCodec, p: Predicate) -> sa.ColumnElement[bool]:
    column: sa.ColumnElement[Any] = codec.table.c[codec.st.columns[p.field][0]]
    if p.op == "missing":
        return sa.true()
    return column.is_not(None)


def _sealed(codec: RecordCodec, p: Predicate) -> sa.ColumnElement[bool]:
    """
    A predicate on an encrypted field: equality through its blind index, or refused.
    """
    sealer = codec.sealer
    assert sealer is not None
    column: sa.ColumnElement[Any] = codec.table.c[sealer.index[p.field]]

    def index(value: Any) -> str:
        try:
            return sealer.blind_index(p.field, value)
        except TypeError as exc:
            raise StoreError(
                f"field {p.field!r} is encrypted: cannot look up {shorten(value)}: {exc}"
            ) from None

    if p.op == "missing":
        return column.is_(None)
    if p.op == "present":
        return column.is_not(None)
    if p.op == "eq":
        return column == index(p.value)
    if p.op == "ne":
        return sa.and_(column.is_not(None), column != index(p.value))
    if p.op == "in":
        choices = [index(v) for v in p.value if v is not None]
        return column.in_(choices) if choices else sa.false()
    raise StoreError(
        f"field {p.field!r} is encrypted: only eq, ne, in, missing and present can query it "
        f"(through its blind index), not {p.op!r}"
    )


def _comparison(codec: RecordCodec, p: Predicate, dialect: str) -> sa.ColumnElement[bool]:
    if codec.sealer is not None and p.field in codec.sealer.fields:
        return _sealed(codec, p)
    field = codec.schema.field(p.field)
    names = codec.st.columns[p.field]
    column: sa.ColumnElement[Any] = codec.table.c[names[0]]
    if p.op in ("missing", "present"):
        test: sa.ColumnElement[bool] = (
            column.is_(None) if p.op == "missing" else column.is_not(None)
        )
        return test
    money = isinstance(field.type, MoneyType)
    numeric_text = dialect == "sqlite" and (money or isinstance(field.type, DecimalType))
    if numeric_text:
        column = sa.cast(column, sa.Float)

    def plain(value: Any) -> Any:
        if money and isinstance(value, Money):
            value = value.amount
        if numeric_text:
            return float(value)
        if hasattr(value, "tzinfo") and hasattr(value, "hour"):
            return utc(value)
        return value

    def equal(value: Any) -> sa.ColumnElement[bool]:
        cond: sa.ColumnElement[bool] = column == plain(value)
        if money and isinstance(value, Money):
            cond = sa.and_(cond, codec.table.c[names[1]] == value.currency)
        return cond

    if p.op == "eq":
        return equal(p.value)
    if p.op == "ne":
        return sa.and_(column.is_not(None), sa.not_(equal(p.value)))
    if p.op == "in":
        # A None in the list matches nothing in memory; in SQL it would make NOT IN unknown.
        choices = [v for v in p.value if v is not None]
        if not choices:
            return sa.false()
        if money:
            return sa.or_(*(equal(v) for v in choices))
        inside: sa.ColumnElement[bool] = column.in_([plain(v) for v in choices])
        return inside
    return _ordered(p.op, column, plain(p.value))


def fetch(conn: sa.Connection, codec: RecordCodec, stmt: sa.Select[Any]) -> list[Record]:
    """
    The records *stmt* selects (all of *codec*'s columns).

    Raises:
        StoreError: a row holds data recordkit cannot read, naming the record and column.
    """
    try:
        rows = conn.execute(stmt).all()
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise StoreError(
            f"table {codec.table.name}: a row holds data recordkit cannot read "
            f"({shorten(str(exc), 160)}); {_culprit(conn, codec, stmt)}"
        ) from None
    sealer = codec.sealer
    if sealer is None or not rows:
        return [codec.decode(row) for row in rows]
    with sealer.keyring.scope(conn, [row[0] for row in rows], create=False):
        return [codec.decode(row) for row in rows]


def _culprit(conn: sa.Connection, codec: RecordCodec, stmt: sa.Select[Any]) -> str:
    """
    Find the record and column that cannot be read, for the error message.
    """
    ids_stmt = stmt.with_only_columns(codec.table.c.rk_id)
    try:
        ids = [row[0] for row in conn.execute(ids_stmt)]
    except Exception:
        return "the record could not be identified"
    for record_id in ids:
        for column in codec.select_columns:
            one = sa.select(column).where(codec.table.c.rk_id == record_id)
            try:
                conn.execute(one).all()
            except (ValueError, TypeError, ArithmeticError) as exc:
                return (
                    f"record {shorten(record_id)} column {column.name!r}: {shorten(str(exc), 120)}"
                )
    return "the record could not be identified"
