"""
Record-level (cross-field) rules and the conditions that select records.

A record rule is a `Validator` whose value is the mapping of a record's normalized values:
"a phone or an email is required" is ``require_any("phone", "email")``; "a deal cannot be
Closed Won without a contract link" is
``when(where("stage", equals="Closed Won"), require("contract_link"))``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.rules._issue import Issue, Severity, _severity
from recordkit.rules._options import pattern_option
from recordkit.rules._rule import NO_ISSUES, Validator, Wrapping, make_issue
from recordkit.schema import NOT_GIVEN

__all__ = ["on_field", "require", "require_any", "where"]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _field_name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SchemaError(f"a field name is non-blank text, got {shorten(value)}")
    return value


def _field_names(values: tuple[object, ...]) -> tuple[str, ...]:
    if not values:
        raise SchemaError("name at least one field")
    return tuple(_field_name(v) for v in values)


@attrs.frozen
class _Where:
    field: str
    equals: Any = NOT_GIVEN
    one_of: tuple[Any, ...] | None = None
    present: bool | None = None
    matches: str | None = None
    compiled: re.Pattern[str] | None = attrs.field(default=None, eq=False, repr=False)

    def __call__(self, values: Any, /, *context: Any) -> bool:
        if not isinstance(values, Mapping):
            return False
        value = values.get(self.field)
        if self.present is not None and self.present == _blank(value):
            return False
        try:
            if self.equals is not NOT_GIVEN and value != self.equals:
                return False
            if self.one_of is not None and value not in self.one_of:
                return False
        except (TypeError, ValueError, ArithmeticError):  # a value that cannot be compared
            return False
        return not (
            self.compiled is not None
            and not (isinstance(value, str) and self.compiled.fullmatch(value[:10_000]))
        )


def where(
    field: str,
    *,
    equals: object = NOT_GIVEN,
    one_of: Iterable[object] | None = None,
    present: bool | None = None,
    matches: str | None = None,
) -> Callable[..., bool]:
    """
    A condition on one field of a record, for `when`: all given tests must hold.

    Examples:
        >>> closed = where("stage", one_of=["Closed Won", "Closed Lost"])
        >>> closed({"stage": "Closed Won"}), closed({"stage": "Proposal"})
        (True, False)

    Args:
        field: the field to test.
        equals: the value must equal this.
        one_of: the value must be one of these.
        present: ``True``: the field has a value; ``False``: it has none.
        matches: the value must be text matching this regular expression.

    .. versionadded:: 0.1.0
    """
    compiled = None if matches is None else pattern_option(matches)
    if one_of is not None and (
        isinstance(one_of, str | bytes | Mapping) or not isinstance(one_of, Iterable)
    ):
        raise SchemaError(f"one_of must be a list of values, got {shorten(one_of)}")
    if present is not None and not isinstance(present, bool):
        raise SchemaError(f"present must be true, false or null, got {shorten(present)}")
    return _Where(
        _field_name(field),
        equals,
        None if one_of is None else tuple(one_of),
        present,
        matches,
        compiled,
    )


@attrs.frozen
class _Require:
    fields: tuple[str, ...]
    severity: Severity = Severity.ERROR
    message: str = ""
    version: int = 1

    @property
    def id(self) -> str:
        return "record.require"

    def validate(self, values: Any, /) -> Sequence[Issue]:
        if not isinstance(values, Mapping):
            return NO_ISSUES
        return tuple(
            make_issue(self, "required", self.message or "a value is required", None,
                       hint=f"give {name} a value", severity=self.severity, field=name)
            for name in self.fields
            if _blank(values.get(name))
        )  # fmt: skip


def require(
    *fields: str, severity: Severity | str = Severity.ERROR, message: str = ""
) -> Validator:
    """
    A record rule: each of *fields* must have a value (use with `when` for conditions).

    .. versionadded:: 0.1.0
    """
    if not isinstance(message, str):
        raise SchemaError(f"message must be text, got {shorten(message)}")
    return _Require(_field_names(fields), _severity(severity), message)


@attrs.frozen
class _RequireAny:
    fields: tuple[str, ...]
    severity: Severity = Severity.ERROR
    version: int = 1

    @property
    def id(self) -> str:
        return "record.require_any"

    def validate(self, values: Any, /) -> Sequence[Issue]:
        if not isinstance(values, Mapping) or any(not _blank(values.get(f)) for f in self.fields):
            return NO_ISSUES
        names = " or ".join(self.fields)
        return (
            make_issue(self, "required_any", f"a value is required in {names}", None,
                       hint=f"give {names}", severity=self.severity),
        )  # fmt: skip


def require_any(*fields: str, severity: Severity | str = Severity.ERROR) -> Validator:
    """
    A record rule: at least one of *fields* must have a value ("a phone or an email").

    .. versionadded:: 0.1.0
    """
    return _RequireAny(_field_names(fields), _severity(severity))


@attrs.frozen
class _On(Wrapping):
    field: str
    rule: Validator

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,)

    def validate(self, values: Any, /) -> Sequence[Issue]:
        if not isinstance(values, Mapping):
            return NO_ISSUES
        value = values.get(self.field)
        if value is None and not getattr(self.rule, "on_missing", False):
            return NO_ISSUES
        return tuple(attrs.evolve(i, field=self.field) for i in self.rule.validate(value))


def on_field(field: str, rule: Validator) -> Validator:
    """
    Lift a field validator to a record rule about *field* (to combine it with `when`).

    Examples:
        >>> from recordkit.rules import Validators, when
        >>> amount = on_field("amount", Validators.range(min=1))
        >>> big = when(where("stage", equals="Closed Won"), amount)
        >>> [i.field for i in big.validate({"stage": "Closed Won", "amount": 0})]
        ['amount']

    .. versionadded:: 0.1.0
    """
    if not isinstance(rule, Validator):
        raise SchemaError(f"on_field() lifts a field validator, got {shorten(rule)}")
    return _On(_field_name(field), rule)
