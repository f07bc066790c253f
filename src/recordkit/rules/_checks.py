"""
The built-in validators, under the `Validators` namespace.

Field validators are not called on missing values (``None``), except `Validators.required` and
`Validators.not_blank`, whose job is exactly that (they set ``on_missing``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.rules._issue import Issue, Severity, _severity
from recordkit.rules._normalizers import Handoff, handoff_option
from recordkit.rules._options import name_option, pattern_option
from recordkit.rules._place_checks import (
    _CountryCheck,
    _EmailCheck,
    _PhoneCheck,
    _SubdivisionCheck,
    _UrlCheck,
)
from recordkit.rules._placeholders import is_placeholder
from recordkit.rules._rule import NO_ISSUES, Validator, make_issue
from recordkit.rules._text import fold_key
from recordkit.rules._value_checks import name_check, placeholder_check

__all__ = ["Validators"]


def _anything(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


def _list(values: object, what: str) -> tuple[Any, ...]:
    """*values* as a tuple: a list (or set) of them, never text, bytes or a mapping."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise SchemaError(f"{what} must be a list, got {shorten(values)}")
    return tuple(values)


def _count(value: object, what: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise SchemaError(f"{what} must be a whole number of characters, got {shorten(value)}")
    return value


def _message(value: object) -> str:
    if not isinstance(value, str):
        raise SchemaError(f"message must be text, got {shorten(value)}")
    return value


def _text_of(value: Any) -> str:
    try:
        return value if isinstance(value, str) else str(value)
    except Exception:  # a value that cannot be written out (a huge int, a hostile __str__)
        return shorten(value)


_sev = attrs.field(default=Severity.ERROR, converter=_severity)


@attrs.frozen
class _Required:
    severity: Severity = _sev
    message: str = "a value is required"
    id: ClassVar[str] = "check.required"
    version: ClassVar[int] = 1
    on_missing: ClassVar[bool] = True

    def validate(self, value: Any, /) -> Sequence[Issue]:
        if value is None or (isinstance(value, str) and not value.strip()):
            return (
                make_issue(
                    self,
                    "required",
                    self.message,
                    value,
                    hint="give a value",
                    severity=self.severity,
                ),
            )
        return NO_ISSUES


_JUNK: Final = frozenset({"test", "asdf"})
"""
Filler that is not a placeholder (`is_placeholder`) but is no real value either.
"""


@attrs.frozen
class _NotBlank:
    severity: Severity = _sev
    id: ClassVar[str] = "check.not_blank"
    version: ClassVar[int] = 1
    on_missing: ClassVar[bool] = True

    def validate(self, value: Any, /) -> Sequence[Issue]:
        if value is None or (isinstance(value, str) and not value.strip()):
            message = "is blank"
        elif isinstance(value, str) and (
            is_placeholder(value)
            or (len(value) <= 20 and fold_key(value) in _JUNK)
            or not any(c.isalnum() for c in value[:1000])
        ):
            message = f"holds a placeholder, not a value: {shorten(value)}"
        else:
            return NO_ISSUES
        return (
            make_issue(self, "not_blank", message, value, hint="give a real value",
                       severity=self.severity),
        )  # fmt: skip


@attrs.frozen
class _Pattern:
    pattern: str
    flags: int = 0
    severity: Severity = _sev
    message: str = ""
    compiled: re.Pattern[str] = attrs.field(init=False, eq=False, repr=False)
    id: ClassVar[str] = "check.pattern"
    version: ClassVar[int] = 1

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "compiled", pattern_option(self.pattern, self.flags))
        _message(self.message)

    def validate(self, value: Any, /) -> Sequence[Issue]:
        text = _text_of(value)
        if len(text) <= 10_000 and self.compiled.fullmatch(text):
            return NO_ISSUES
        message = self.message or f"does not match the pattern {shorten(self.pattern)}"
        return (
            make_issue(self, "pattern", message, value, hint=f"write it as {self.pattern}",
                       severity=self.severity),
        )  # fmt: skip


@attrs.frozen
class _Length:
    min: int | None = None
    max: int | None = None
    severity: Severity = _sev
    id: ClassVar[str] = "check.length"
    version: ClassVar[int] = 1

    def validate(self, value: Any, /) -> Sequence[Issue]:
        try:
            size = len(value)
        except TypeError:
            size = len(_text_of(value))
        if self.min is not None and size < self.min:
            message = f"is {size} characters long; at least {self.min} needed"
        elif self.max is not None and size > self.max:
            message = f"is {size} characters long; at most {self.max} allowed"
        else:
            return NO_ISSUES
        return (make_issue(self, "length", message, value, severity=self.severity),)


@attrs.frozen
class _Range:
    min: Any = None
    max: Any = None
    severity: Severity = _sev
    id: ClassVar[str] = "check.range"
    version: ClassVar[int] = 1

    def validate(self, value: Any, /) -> Sequence[Issue]:
        amount = getattr(value, "amount", value)  # Money compares by its amount
        try:
            low = self.min is not None and amount < _like(self.min, amount)
            high = self.max is not None and amount > _like(self.max, amount)
        except (TypeError, ValueError, ArithmeticError):
            return (
                make_issue(self, "range.type", f"cannot be compared with {shorten(self.min)}"
                           f"..{shorten(self.max)}", value, severity=self.severity),
            )  # fmt: skip
        if not (low or high):
            return NO_ISSUES
        bound = f"at least {self.min}" if low else f"at most {self.max}"
        return (make_issue(self, "range", f"must be {bound}", value, severity=self.severity),)


def _like(bound: Any, value: Any) -> Any:
    """
    Read a bound from plain data as the value's type (dates from ISO text, decimals).
    """
    if isinstance(value, dt.date) and isinstance(bound, str):
        return dt.date.fromisoformat(bound)
    if isinstance(value, decimal.Decimal) and isinstance(bound, int | float | str):
        return decimal.Decimal(str(bound))
    return bound


@attrs.frozen
class _OneOf:
    values: tuple[Any, ...] = attrs.field(converter=_anything)
    severity: Severity = _sev
    allowed: frozenset[Any] = attrs.field(init=False, eq=False, repr=False)
    id: ClassVar[str] = "check.one_of"
    version: ClassVar[int] = 1

    def __attrs_post_init__(self) -> None:
        try:
            object.__setattr__(self, "allowed", frozenset(self.values))
        except TypeError:
            raise SchemaError(
                f"values must be plain values (text, numbers), got {shorten(self.values)}"
            ) from None

    def validate(self, value: Any, /) -> Sequence[Issue]:
        try:
            if value in self.allowed:
                return NO_ISSUES
        except TypeError:
            pass
        shown = ", ".join(shorten(v, 30) for v in self.values[:8])
        shown += "…" if len(self.values) > 8 else ""
        return (
            make_issue(self, "one_of", f"is not one of the allowed values ({shown})", value,
                       hint="pick one of the listed values", severity=self.severity),
        )  # fmt: skip


@attrs.frozen
class _Unique:
    """
    Unique within a batch: the batch runner tracks values it has seen (``batch_only``).
    """

    severity: Severity = _sev
    id: ClassVar[str] = "check.unique"
    version: ClassVar[int] = 1
    batch_only: ClassVar[bool] = True

    def validate(self, value: Any, /) -> Sequence[Issue]:
        return NO_ISSUES

    def duplicate(self, value: Any, first_row: int) -> Issue:
        """
        The issue for a value already seen at *first_row* of the same batch.
        """
        return make_issue(
            self, "unique", f"repeats the value of row {first_row}", value,
            hint="each record needs its own value here", severity=self.severity,
        )  # fmt: skip


class Validators:
    """
    The built-in validators, by named constructor.

    Every constructor takes ``severity`` (``"error"`` by default).

    Examples:
        >>> Validators.length(max=3).validate("abcd")[0].message
        'is 4 characters long; at most 3 allowed'

    .. versionadded:: 0.1.0
    """

    @staticmethod
    def required(*, severity: Severity | str = Severity.ERROR, message: str = "") -> Validator:
        """
        The field must have a value.
        """
        return _Required(_severity(severity), _message(message) or "a value is required")

    @staticmethod
    def not_blank(*, severity: Severity | str = Severity.ERROR) -> Validator:
        """
        The field must hold a real value: not blank, not a placeholder like ``N/A``.
        """
        return _NotBlank(_severity(severity))

    @staticmethod
    def placeholder(
        *, allow: Iterable[str] = (), severity: Severity | str = Severity.ERROR
    ) -> Validator:
        """
        The raw value must not be a placeholder (``n/a``, ``none``, ``tbd``, ``-``…).

        It runs first, on the value as given: a placeholder reads as no value (the
        field is left empty, so no normalizer reads ``n.a`` as a code) and raises
        ``value.placeholder``. Every field type has it by default; see `PLACEHOLDERS`.

        Args:
            allow: values this field really takes though they look like placeholders
                (``Unknown`` in a picklist), compared ignoring case and punctuation.
            severity: of the issue (``"error"``: the value is refused).

        .. versionadded:: 0.2.0
        """
        return placeholder_check(allow=allow, severity=severity)

    @staticmethod
    def name(*, severity: Severity | str = Severity.ERROR) -> Validator:
        """
        A person's name must hold at least one letter (``123`` and ``.`` are no names).

        Name fields (the ``given_name``, ``family_name`` and ``full_name`` roles, and
        fields whose rules normalize names) have it by default.

        .. versionadded:: 0.2.0
        """
        return name_check(severity=severity)

    @staticmethod
    def pattern(
        regex: str, *, flags: int = 0, severity: Severity | str = Severity.ERROR, message: str = ""
    ) -> Validator:
        """
        The whole value must match the regular expression *regex*.
        """
        return _Pattern(regex, flags, _severity(severity), message)

    @staticmethod
    def length(
        *, min: int | None = None, max: int | None = None, severity: Severity | str = "error"
    ) -> Validator:
        """
        The value's length must lie within *min* and *max* (each optional).
        """
        return _Length(_count(min, "min"), _count(max, "max"), _severity(severity))

    @staticmethod
    def range(*, min: Any = None, max: Any = None, severity: Severity | str = "error") -> Validator:
        """
        The value (a number, a date, an amount of money) must lie within *min*..*max*.
        """
        return _Range(min, max, _severity(severity))

    @staticmethod
    def one_of(values: Iterable[object], *, severity: Severity | str = "error") -> Validator:
        """
        The value must be one of *values* (picklist membership).
        """
        return _OneOf(_list(values, "values"), _severity(severity))

    @staticmethod
    def phone(
        *,
        region: str | None = None,
        types: Iterable[str] = (),
        severity: Severity | str = "error",
        handoff: Handoff | None = None,
    ) -> Validator:
        """
        The value must be a valid phone number, optionally of given *types*.

        Types are phonenumbers' names in lower case: ``mobile``, ``fixed_line``,
        ``fixed_line_or_mobile``, ``toll_free``, ``voip``…
        """
        return _PhoneCheck(
            region, _list(types, "types"), _severity(severity), handoff_option(handoff)
        )

    @staticmethod
    def email(*, severity: Severity | str = "error", handoff: Handoff | None = None) -> Validator:
        """
        The value must be a syntactically valid email address (no network check).
        """
        return _EmailCheck(_severity(severity), handoff_option(handoff))

    @staticmethod
    def country(*, severity: Severity | str = "error") -> Validator:
        """
        The value must be an ISO 3166-1 alpha-2 country code.
        """
        return _CountryCheck(_severity(severity))

    @staticmethod
    def subdivision(
        *, country_field: str | None = None, severity: Severity | str = "error"
    ) -> Validator:
        """
        The value must be an ISO 3166-2 code, within the record's country if one is given.
        """
        return _SubdivisionCheck(name_option(country_field, "country_field"), _severity(severity))

    @staticmethod
    def url(*, severity: Severity | str = "error") -> Validator:
        """
        The value must be a web address in normal form.
        """
        return _UrlCheck(_severity(severity))

    @staticmethod
    def unique(*, severity: Severity | str = "error") -> Validator:
        """
        No two rows of one batch may share a value (a no-op on single records).
        """
        return _Unique(_severity(severity))
