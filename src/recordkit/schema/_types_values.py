"""
Field types held as typed values: date, datetime, integer, decimal, money and boolean.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

import attrs
import pycountry

from recordkit._errors import SchemaError, shorten
from recordkit._time import with_utc
from recordkit.schema._dates import read_date_text
from recordkit.schema._field_type import FieldType, _optional, _text
from recordkit.schema._values import (
    Money,
    _Refused,
    finite_decimal,
    parse_datetime,
    parse_decimal,
    parse_money,
)

__all__ = ["Boolean", "Date", "DateTime", "Decimal", "Integer", "MoneyType"]


DATE_ORDERS: Final = ("mdy", "dmy", "ymd")
_ORDER_NAMES: Final = {
    "mdy": "month-first", "dmy": "day-first", "ymd": "year-first",
    "month-first": "mdy", "day-first": "dmy", "year-first": "ymd",
}  # fmt: skip


def _order(value: object) -> str | None:
    """
    ``mdy``/``dmy``/``ymd`` from those or from ``month-first``/``day-first``/``year-first``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        key = value.strip().lower().replace("_", "-")
        if key in DATE_ORDERS:
            return key
        if key in _ORDER_NAMES:
            return _ORDER_NAMES[key]
    raise SchemaError(
        f"order must be 'mdy' (month-first), 'dmy' (day-first) or 'ymd' (year-first), "
        f"got {shorten(value)}",
        path="order",
    )


@attrs.frozen
class Date(FieldType):
    """
    A calendar date, read strictly in the field's order (see "How values are normalized").

    ISO 8601 (``2024-03-12``), named months (``12 March 2024``, ``March 12, 2024``), RFC
    2822 (``Tue, 12 Mar 2024 10:00:00 +0000``), compact ``20240312`` and date-times (the
    date as written, the time dropped) are read in every order. A numeric date
    (``03/12/2024``) is read in the field's order only: under month-first ``31/12/2023``
    is refused with a hint, never read day-first. A month, a quarter or a year
    (``March 2024``, ``Q1 2024``, ``2024``) is not a date.

    Examples:
        >>> Date(order="dmy").coerce("03/12/2024")
        datetime.date(2024, 12, 3)

    Args:
        dayfirst: the older spelling of the order: ``False`` month-first (the default),
            ``True`` day-first, ``None`` only numeric dates with one reading.
        order: ``"mdy"`` (month-first), ``"dmy"`` (day-first) or ``"ymd"`` (year-first;
            ``month-first``… are accepted too); it wins over *dayfirst*.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``order``; numeric dates are strict under it; RFC 2822 and date-times are read.
    """

    kind: ClassVar[str] = "date"
    dayfirst: bool | None = attrs.field(
        default=False, validator=_optional(bool, "true, false or null")
    )
    order: str | None = attrs.field(default=None, converter=_order)

    def __attrs_post_init__(self) -> None:
        if self.order is not None and self.dayfirst is True and self.order != "dmy":
            raise SchemaError(
                f"dayfirst=true contradicts order={self.order!r}; give only order", path="order"
            )

    @property
    def reading_order(self) -> str | None:
        """
        The order numeric dates are read in: ``mdy``, ``dmy``, ``ymd`` or ``None``.

        ``None`` reads only the numeric dates that have one reading.

        .. versionadded:: 0.2.0
        """
        if self.order is not None:
            return self.order
        return None if self.dayfirst is None else ("dmy" if self.dayfirst else "mdy")

    def _coerce(self, value: object) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        return None if text is None else read_date_text(text, self.reading_order)

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


_FOLD: Final = re.compile(r"[\W_]+")


def boolean_token(text: str) -> str:
    """
    *text* folded as boolean words are compared: case-folded, accents and punctuation dropped.
    """
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _FOLD.sub(" ", bare.casefold()).strip()


def _tokens(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise SchemaError(f"boolean tokens must be a list of text, got {shorten(value)}")
    items = tuple(value)
    if not items:
        raise SchemaError("boolean tokens must not be an empty list")
    for item in items:
        if not isinstance(item, str) or not boolean_token(item):
            raise SchemaError(f"a boolean token must be a word, got {shorten(item)}")
    return items


@attrs.frozen
class Boolean(FieldType):
    """
    True or false, from a documented set of words (``DEFAULT_TRUE``, ``DEFAULT_FALSE``).

    Words are compared ignoring case, accents and punctuation. By default ``true``, ``t``, ``yes``,
    ``y``, ``1``, ``on``, ``x``, ``checked``, ``si``, ``oui``, ``ja`` are true and
    ``false``, ``f``, ``no``, ``n``, ``0``, ``off``, ``unchecked``, ``non``, ``nein`` are
    false; anything else is refused.

    Examples:
        >>> Boolean(true_words=("vrai",), false_words=("faux",)).coerce("Vrai")
        True

    Args:
        true_words: the words read as true, replacing the default set.
        false_words: the words read as false, replacing the default set.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``true_words`` and ``false_words``; the default sets are those the boolean
       normalizer reads.
    """

    kind: ClassVar[str] = "boolean"
    DEFAULT_TRUE: ClassVar[frozenset[str]] = frozenset(
        {"true", "t", "yes", "y", "1", "on", "x", "checked", "si", "oui", "ja"}
    )
    DEFAULT_FALSE: ClassVar[frozenset[str]] = frozenset(
        {"false", "f", "no", "n", "0", "off", "unchecked", "non", "nein"}
    )
    true_words: tuple[str, ...] | None = attrs.field(default=None, converter=_tokens)
    false_words: tuple[str, ...] | None = attrs.field(default=None, converter=_tokens)

    def __attrs_post_init__(self) -> None:
        both = self.true_tokens & self.false_tokens
        if both:
            raise SchemaError(
                f"{sorted(both)[0]!r} is both a true and a false word", path="true_words"
            )

    @property
    def true_tokens(self) -> frozenset[str]:
        """
        The folded words read as true.

        .. versionadded:: 0.2.0
        """
        if self.true_words is None:
            return self.DEFAULT_TRUE
        return frozenset(boolean_token(t) for t in self.true_words)

    @property
    def false_tokens(self) -> frozenset[str]:
        """
        The folded words read as false.

        .. versionadded:: 0.2.0
        """
        if self.false_words is None:
            return self.DEFAULT_FALSE
        return frozenset(boolean_token(t) for t in self.false_words)

    def _coerce(self, value: object) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = _text(value)
        if text is None:
            return None
        token = boolean_token(text)
        if token in self.true_tokens:
            return True
        if token in self.false_tokens:
            return False
        shown = "/".join(sorted(self.true_tokens)[:3] + sorted(self.false_tokens)[:3])
        raise _Refused(f"not a yes/no word (this field reads {shown}…)")
