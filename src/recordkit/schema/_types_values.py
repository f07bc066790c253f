"""
Field types held as typed values: date, datetime, integer, decimal, money and boolean.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any, ClassVar, Final

import attrs
import pycountry

from recordkit._errors import SchemaError
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
        return None if value is None else value.isoformat()


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
        return None if value is None else value.isoformat()


@attrs.frozen
class Integer(FieldType):
    """
    A whole number.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "integer"

    def _coerce(self, value: object) -> Any:
        if isinstance(value, bool):
            raise _Refused("expected a whole number, got a boolean")
        if isinstance(value, int):
            return value
        if isinstance(value, float | decimal.Decimal):
            number = finite_decimal(decimal.Decimal(value))
        else:
            text = _text(value)
            if text is None:
                return None
            number = parse_decimal(text)
        if number != number.to_integral_value():
            raise _Refused("expected a whole number")
        return int(number)


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
        raise SchemaError(f"unknown ISO 4217 currency {value!r}"[:200], path=attribute.name)


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
