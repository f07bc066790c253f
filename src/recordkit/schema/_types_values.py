"""
Field types held as typed values: date, datetime, integer, decimal, money and boolean.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Mapping
from typing import Any, ClassVar, Final

import attrs
import pycountry

from recordkit._errors import SchemaError, shorten
from recordkit._time import with_utc
from recordkit.schema._field_type import FieldType, _optional, _text
from recordkit.schema._values import (
    Money,
    _Refused,
    finite_decimal,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_money,
)

__all__ = ["Boolean", "Date", "DateTime", "Decimal", "Integer", "MoneyType"]


@attrs.frozen
class Date(FieldType):
    """
    A calendar date.

    Args:
        dayfirst: how to read ``03/07/1985``: ``True`` day first, ``False`` month first,
            ``None`` refuse when ambiguous.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "date"
    dayfirst: bool | None = attrs.field(
        default=False, validator=_optional(bool, "true, false or null")
    )

    def _coerce(self, value: object) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        return None if text is None else parse_date(text, dayfirst=self.dayfirst)

    def dump(self, value: Any) -> Any:
        """
        Return the ISO 8601 date.
        """
        if value is None:
            return None
        if not isinstance(value, dt.date):
            raise _Refused(f"a date field holds dates, got {type(value).__name__}")
        return value.isoformat()


@attrs.frozen
class DateTime(FieldType):
    """
    An instant; values without a time zone are taken as UTC.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "datetime"

    def _coerce(self, value: object) -> Any:
        if isinstance(value, dt.datetime):
            return with_utc(value)
        text = _text(value)
        return None if text is None else parse_datetime(text)

    def dump(self, value: Any) -> Any:
        """
        Return the ISO 8601 date-time.
        """
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise _Refused(f"a datetime field holds datetimes, got {type(value).__name__}")
        return value.isoformat()


@attrs.frozen
class Integer(FieldType):
    """
    A whole number that every store holds: a signed 64-bit integer.

    Values outside ``-2**63`` to ``2**63 - 1`` are refused, and refused at once whatever
    their size (``10**100000``, ``Decimal("1e999999")``, ``1e308``): the magnitude is read
    from the bit length or the exponent before anything is converted.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "integer"

    def _coerce(self, value: object) -> Any:
        if isinstance(value, bool):
            raise _Refused("expected a whole number, got a boolean")
        if isinstance(value, int):
            return _int64(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _Refused("not a finite number")
            if not -_LIMIT <= value < _LIMIT:
                raise _Refused(_OUT_OF_RANGE)
            if not value.is_integer():
                raise _Refused("expected a whole number")
            return int(value)
        if isinstance(value, decimal.Decimal):
            number = finite_decimal(value)
        else:
            text = _text(value)
            if text is None:
                return None
            number = parse_decimal(text)
        if number.is_zero():
            return 0
        if number.adjusted() >= _DIGITS:  # at least 10**19: past 2**63 before any rounding
            raise _Refused(_OUT_OF_RANGE)
        if number != number.to_integral_value():
            raise _Refused("expected a whole number")
        return _int64(int(number))


INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
_LIMIT: Final = 2**63
_DIGITS: Final = 19
_OUT_OF_RANGE: Final = (
    f"outside the whole numbers every store holds ({INT64_MIN} to {INT64_MAX}, 64 bits)"
)


def _int64(value: int) -> int:
    # Comparing with the bounds looks at the sizes first: constant time however big *value*.
    if not INT64_MIN <= value <= INT64_MAX:
        raise _Refused(_OUT_OF_RANGE)
    return value


@attrs.frozen
class Decimal(FieldType):
    """
    An exact decimal number (never a float).

    Args:
        places: digits after the point, checked by validators.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "decimal"
    places: int | None = attrs.field(
        default=None, validator=_optional(int, "a whole number", minimum=0)
    )

    def _coerce(self, value: object) -> Any:
        if isinstance(value, bool):
            raise _Refused("expected a number, got a boolean")
        if isinstance(value, int | decimal.Decimal):
            return finite_decimal(decimal.Decimal(value))
        if isinstance(value, float):
            # repr round-trips the float the user wrote (0.1 → Decimal('0.1')).
            return finite_decimal(decimal.Decimal(repr(value)))
        text = _text(value)
        return None if text is None else parse_decimal(text)

    def dump(self, value: Any) -> Any:
        """
        Return the number as a string, so no precision is lost in JSON.
        """
        return None if value is None else str(value)

    def load(self, data: Any) -> Any:
        """
        Return the number that `dump` wrote (exponent notation included).
        """
        if isinstance(data, str):
            try:
                return finite_decimal(decimal.Decimal(data))
            except decimal.InvalidOperation:
                raise _Refused("not a number") from None
        return self.coerce(data)


def _check_currency(_: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (
        not isinstance(value, str) or pycountry.currencies.get(alpha_3=value) is None
    ):
        raise SchemaError(f"unknown ISO 4217 currency {shorten(value)}", path=attribute.name)


@attrs.frozen
class MoneyType(FieldType):
    """
    An amount with its ISO 4217 currency (a `Money` value).

    Args:
        currency: assumed when a raw amount has none.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "money"
    currency: str | None = attrs.field(default=None, validator=_check_currency)

    def _coerce(self, value: object) -> Any:
        if isinstance(value, Money):
            money = value
        elif isinstance(value, Mapping):
            if set(value) != {"amount", "currency"}:
                raise _Refused("expected a mapping with 'amount' and 'currency'")
            amount = Decimal().coerce(value["amount"])
            currency = value["currency"]
            if amount is None or not isinstance(currency, str):
                raise _Refused("amount and currency are both needed")
            money = Money(amount, currency.strip().upper())
        elif isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
            if self.currency is None:
                raise _Refused("a bare number needs a currency, and the field has no default")
            money = Money(Decimal().coerce(value), self.currency)
        else:
            text = _text(value)
            if text is None:
                return None
            money = parse_money(text, default_currency=self.currency)
        if pycountry.currencies.get(alpha_3=money.currency) is None:
            raise _Refused(f"unknown currency {money.currency!r}")
        return money

    def load(self, data: Any) -> Any:
        """
        Return the `Money` that `dump` wrote.
        """
        if isinstance(data, Mapping) and set(data) == {"amount", "currency"}:
            return Money(Decimal().load(data["amount"]), data["currency"])
        return self.coerce(data)

    def dump(self, value: Any) -> Any:
        """
        Return ``{"amount": "12.50", "currency": "EUR"}``.
        """
        if value is None:
            return None
        if not isinstance(value, Money):
            raise _Refused(f"a money field holds Money values, got {type(value).__name__}")
        return {"amount": str(value.amount), "currency": value.currency}


_TRUE: Final = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE: Final = frozenset({"false", "f", "no", "n", "0", "off"})


@attrs.frozen
class Boolean(FieldType):
    """
    True or false, from ``yes/no``, ``y/n``, ``true/false``, ``1/0``, ``on/off``.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "boolean"

    def _coerce(self, value: object) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = _text(value)
        if text is None:
            return None
        token = text.strip().lower()
        if token in _TRUE:
            return True
        if token in _FALSE:
            return False
        raise _Refused("expected yes/no, true/false or 1/0")
