"""
Retention: how long a schema's records are kept once nobody changes them.

A `Retention` rule archives the records it selects after some time without a change
(``updated_at``) and erases them after a longer one. A schema declares its rules in the
``governance:`` section of its document::

    governance:
      retention:
        - {name: stale-leads, archive_after: 365d, erase_after: 730d, where: {stage: lead}}

The rules are kept apart from `Policy`: a policy decides who may do what, retention what
happens to records nobody touches, and a schema may have either without the other.
`Retention.from_schema` reads them; the steward applies them (`Steward.apply_retention`,
and `Steward.sweep`), reporting a `RetentionReport`.

Durations are ``<n>d`` (days), ``<n>w`` (weeks), ``<n>y`` (years of 365 days) or ISO 8601
(``P1Y``, ``P6M``, ``P2W``, ``P30D``, ``PT12H``, ``P1Y6M``), where a year is 365 days and a
month 30: inactivity is measured in fixed lengths of time, never calendar months.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from recordkit._controls import strip_controls
from recordkit._errors import SchemaError, shorten
from recordkit.governance._compiled import schema_error
from recordkit.governance._condition import (
    COLUMNS,
    OPERATORS,
    AllOf,
    AnyOf,
    Condition,
    Not,
    Predicate,
    RecordPredicate,
)
from recordkit.schema import Schema

__all__ = ["Retention", "condition_from_data", "duration", "retention_from_data"]

ROOT: Final = "governance.retention"
"""
Where retention rules sit in a schema document: the start of every path an error names.
"""

_SHORT: Final = re.compile(r"(\d{1,6})([dwy])")
_ISO: Final = re.compile(
    r"P(?!$)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,6})W)?(?:(\d{1,6})D)?"
    r"(?:T(?=\d)(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,11})S)?)?"
)
_DAYS: Final = {"d": 1, "w": 7, "y": 365}
_LONGEST: Final = dt.timedelta(days=365 * 1000)
_KINDS: Final = (Predicate, RecordPredicate, AllOf, AnyOf, Not)


def duration(value: object, path: str = "") -> dt.timedelta:
    """
    A positive length of time, from a `timedelta` or its text (``30d``, ``12w``, ``P1Y``).

    Raises:
        SchemaError: not a positive duration, naming *path*.
    """
    if isinstance(value, dt.timedelta):
        out = value
    elif isinstance(value, str) and (short := _SHORT.fullmatch(value.strip())):
        out = dt.timedelta(days=int(short[1]) * _DAYS[short[2]])
    elif isinstance(value, str) and (iso := _ISO.fullmatch(value.strip().upper())):
        y, mo, w, d, h, mi, s = (int(g) if g else 0 for g in iso.groups())
        out = dt.timedelta(days=365 * y + 30 * mo + 7 * w + d, hours=h, minutes=mi, seconds=s)
    else:
        raise SchemaError(
            f"a duration is <n>d, <n>w, <n>y or ISO 8601 (P1Y, P30D), got {shorten(value)}",
            path=path,
        )
    if out <= dt.timedelta(0):
        raise SchemaError(f"a duration is longer than nothing, got {shorten(value)}", path=path)
    if out > _LONGEST:
        raise SchemaError(f"a duration is at most 1000 years, got {shorten(value)}", path=path)
    return out


def _optional_duration(value: object) -> dt.timedelta | None:
    return None if value is None else duration(value)


def _spelled(value: dt.timedelta) -> str:
    if value % dt.timedelta(days=1):
        return f"PT{int(value.total_seconds())}S"
    return f"{value.days}d"


def _rule_name(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > 100
        or strip_controls(value) != value
    ):
        raise SchemaError(f"a retention rule's name is non-blank text, got {shorten(value)}",
                          path="name")  # fmt: skip
    return value


def _where(value: object) -> Condition | None:
    if value is None or isinstance(value, _KINDS):
        return value
    return condition_from_data(value, "where")


def condition_from_data(data: object, path: str) -> Condition:
    """
    The store condition a retention rule's ``where`` spells.

    A mapping of tests that must all hold: a key is a field name or a record column
    (``record.stage``, or ``stage``, ``state``, ``owner`` bare when no field has that
    name); a value means equal, ``null`` no value, a list one of, and ``{op: operand}``
    any comparison (``eq ne lt le gt ge in missing present``).

    Raises:
        SchemaError: a malformed test, naming its path.
    """
    if not isinstance(data, Mapping) or not data:
        raise SchemaError(f"where is a mapping of tests, got {shorten(data)}", path=path)
    tests: list[Condition] = []
    for key, spec in data.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 100:
            raise SchemaError(f"a test names a field, got {shorten(key)}", path=path)
        where = f"{path}.{key}"
        op, operand = ("in", spec) if isinstance(spec, list | tuple) else ("eq", spec)
        if spec is None:
            op = "missing"
        elif isinstance(spec, Mapping):
            if len(spec) != 1 or next(iter(spec)) not in OPERATORS:
                raise SchemaError(
                    f"a test is a value or {{op: operand}} with op one of "
                    f"{', '.join(sorted(OPERATORS))}, got {shorten(spec)}",
                    path=where,
                )
            ((op, operand),) = spec.items()
        if op == "in" and (isinstance(operand, str | bytes) or not isinstance(operand, Iterable)):
            raise SchemaError(f"'in' takes a list, got {shorten(operand)}", path=where)
        operand = tuple(operand) if op == "in" else operand
        try:
            if key.startswith("record."):
                tests.append(RecordPredicate(key.removeprefix("record."), op, operand))
            else:
                tests.append(Predicate(key, op, operand))
        except (ValueError, TypeError) as exc:  # StoreError: the message says what
            raise SchemaError(shorten(str(exc), 200), path=where) from None
    return tests[0] if len(tests) == 1 else AllOf(tests)


@attrs.frozen
class Retention:
    """
    A retention rule: archive records unchanged for a while, erase them after longer.

    A record is *inactive* for the time since its last change (``updated_at``; a
    lifecycle move without field changes, archiving included, does not count). Once
    inactive for *archive_after* (exactly that long included), it moves to the state
    lifecycle's ``retired`` state through the ordinary lifecycle verb; once inactive for
    *erase_after*, it is erased with `Steward.erase`, the reason naming the rule.

    Examples:
        >>> rule = Retention("stale-leads", archive_after="365d", erase_after="P2Y",
        ...                  where={"record.stage": "lead"})
        >>> rule
        Retention('stale-leads', archive_after=365d, erase_after=730d, where=…)
        >>> rule.where
        RecordPredicate(attribute='stage', op='eq', value='lead')

    Args:
        name: names the rule in reports and in the audit trail.
        archive_after: how long without a change before archiving (``None``: never).
        erase_after: how long without a change before erasing (``None``: never); longer
            than *archive_after* when both are given.
        where: only the records meeting this store condition (``None``: every record): a
            condition object, or a mapping of tests (see `condition_from_data`).

    Raises:
        SchemaError: a malformed name, duration or condition, neither duration given, or
            erasing no later than archiving.

    .. versionadded:: 0.2.0
    """

    name: str = attrs.field(converter=_rule_name)
    archive_after: dt.timedelta | None = attrs.field(
        default=None, converter=_optional_duration, kw_only=True
    )
    erase_after: dt.timedelta | None = attrs.field(
        default=None, converter=_optional_duration, kw_only=True
    )
    where: Condition | None = attrs.field(default=None, converter=_where, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.archive_after is None and self.erase_after is None:
            raise SchemaError(f"retention rule {self.name!r} archives or erases: give "
                              "archive_after, erase_after or both")  # fmt: skip
        if (
            self.archive_after is not None
            and self.erase_after is not None
            and self.erase_after <= self.archive_after
        ):
            raise SchemaError(f"retention rule {self.name!r} erases no later than it archives: "
                              "erase_after must be longer than archive_after",
                              path="erase_after")  # fmt: skip

    def __repr__(self) -> str:
        parts = [repr(self.name)]
        for what in ("archive_after", "erase_after"):
            value = getattr(self, what)
            if value is not None:
                parts.append(f"{what}={_spelled(value)}")
        if self.where is not None:
            parts.append("where=…")
        return f"Retention({', '.join(parts)})"

    @classmethod
    def from_data(cls, data: object, path: str = ROOT) -> Retention:
        """
        The rule a plain mapping spells (``{name, archive_after, erase_after, where}``).

        Raises:
            SchemaError: malformed or unknown keys, naming the path.
        """
        if not isinstance(path, str):
            raise SchemaError(f"path is text, got {shorten(path)}")
        if not isinstance(data, Mapping):
            raise SchemaError(f"a retention rule is a mapping, got {shorten(data)}", path=path)
        unknown = set(data) - {"name", "archive_after", "erase_after", "where"}
        if unknown:
            raise SchemaError(f"unknown key {sorted(map(str, unknown))[0]!r}", path=path)
        name = data.get("name")
        try:
            name = _rule_name(name)
        except SchemaError as exc:
            raise SchemaError(exc.reason, path=f"{path}.name") from None
        values: dict[str, object] = {}
        for key in ("archive_after", "erase_after"):
            if data.get(key) is not None:
                values[key] = duration(data[key], f"{path}.{key}")
        where = data.get("where")
        if where is not None:
            values["where"] = condition_from_data(where, f"{path}.where")
        try:
            return cls(name, **values)
        except SchemaError as exc:
            raise exc.at(path) from None

    @classmethod
    def from_schema(cls, schema: Schema) -> tuple[Retention, ...]:
        """
        The retention rules of *schema*'s ``governance:`` section, checked against it.

        Raises:
            SchemaError: the section is malformed, naming the path.
        """
        if not isinstance(schema, Schema):
            raise SchemaError(f"expected a Schema, got {shorten(schema)}")
        section = schema.extensions.get("governance") or {}
        if not isinstance(section, Mapping):
            raise SchemaError(f"governance is a mapping, got {shorten(section)}",
                              path="governance")  # fmt: skip
        return retention_from_data(section.get("retention"), schema)

    def check(self, schema: Schema, path: str = ROOT) -> None:
        """
        Check the fields *where* names, and the values it compares them with, on *schema*.

        Raises:
            SchemaError: an unknown field or a value the field cannot hold, at *path*.
        """
        _schema(schema)
        if not isinstance(path, str):
            raise SchemaError(f"path is text, got {shorten(path)}")
        if self.where is not None:
            _check(self.where, schema, f"{path}.where")

    def selection(self, schema: Schema) -> Condition | None:
        """
        The store condition for the records this rule governs in *schema* (``None``: all).

        *where*, with a bare ``stage``, ``state`` or ``owner`` that is no field of
        *schema* testing the record column of that name.
        """
        return None if self.where is None else _columns(self.where, _schema(schema))


def _schema(value: object) -> Schema:
    if not isinstance(value, Schema):
        raise SchemaError(f"expected a Schema, got {shorten(value)}")
    return value


def _check(cond: Condition, schema: Schema, path: str) -> None:
    if isinstance(cond, AllOf | AnyOf):
        for part in cond.conditions:
            _check(part, schema, path)
    elif isinstance(cond, Not):
        _check(cond.condition, schema, path)
    elif isinstance(cond, Predicate):
        if cond.field not in schema and cond.field in COLUMNS:
            return  # the record column (see `Retention.condition`)
        where = f"{path}.{cond.field}"
        schema_error(schema, cond.field, where)
        if cond.op in ("missing", "present"):
            return
        field = schema.field(cond.field)
        values = cond.value if cond.op == "in" else (cond.value,)
        for value in values:
            try:
                if field.coerce(value) is None:
                    raise ValueError("no value; use {missing: true} for none")
            except (ValueError, TypeError) as exc:
                raise SchemaError(shorten(str(exc), 200), path=where) from None


def _columns(cond: Condition, schema: Schema) -> Condition:
    """
    *cond* with bare column names (``stage``) that are not fields turned into columns.
    """
    if isinstance(cond, AllOf):
        return AllOf([_columns(c, schema) for c in cond.conditions])
    if isinstance(cond, AnyOf):
        return AnyOf([_columns(c, schema) for c in cond.conditions])
    if isinstance(cond, Not):
        return Not(_columns(cond.condition, schema))
    if isinstance(cond, Predicate) and cond.field not in schema and cond.field in COLUMNS:
        return RecordPredicate(cond.field, cond.op, cond.value)
    return cond


def retention_from_data(value: object, schema: Schema | None = None) -> tuple[Retention, ...]:
    """
    Retention rules from a ``retention:`` list (rules or their mappings).

    Checked against *schema* when given; names must be unique.

    Raises:
        SchemaError: malformed, unknown or duplicate, naming the path
            (``governance.retention[0].erase_after``).
    """
    if value is None:
        return ()
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise SchemaError(f"retention is a list of rules, got {shorten(value)}", path=ROOT)
    rules: list[Retention] = []
    for i, item in enumerate(value):
        path = f"{ROOT}[{i}]"
        rule = item if isinstance(item, Retention) else Retention.from_data(item, path)
        if any(r.name == rule.name for r in rules):
            raise SchemaError(f"retention rule {rule.name!r} is declared twice",
                              path=f"{path}.name")  # fmt: skip
        if schema is not None:
            rule.check(schema, path)
        rules.append(rule)
    return tuple(rules)
