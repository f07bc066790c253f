"""
Value classes and parsers that field types share.

`Money`, the not-given sentinel, and the tolerant date, number and money parsers.

Parsers here raise `_Refused` with a human reason; the field type that calls them turns that
into a `CoercionError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any, Final

import attrs

from recordkit._errors import SchemaError, ValidationError, shorten
from recordkit._time import with_utc

__all__ = ["MISSING", "NOT_GIVEN", "Money", "NotGiven"]


class _Refused(ValidationError):
    """
    A raw value cannot be coerced; the message says why (at most 300 characters).

    A `ValidationError`, so the public parsers (`parse_date`, `parse_money`), field types
    and `Money` raise nothing else; `Field.coerce` turns it into a `CoercionError` naming
    the field.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason if len(reason) <= 300 else f"{reason[:299]}…")


@attrs.frozen(repr=False)
class NotGiven:
    """
    The type of `NOT_GIVEN`: an option that was not given at all, distinct from ``None``.

    An option typed ``Lifecycle | None | NotGiven = NOT_GIVEN`` reads "not given: the
    default; ``None``: none". Test for it with ``is NOT_GIVEN``; it is falsy.

    .. versionadded:: 0.2.0
    """

    name: str

    def __repr__(self) -> str:
        return self.name

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        # Pickled by name: unpickling gives the module's singleton back, so ``is NOT_GIVEN``
        # still holds in a worker process.
        return self.name


NOT_GIVEN: Final = NotGiven("NOT_GIVEN")
"""
Marks an option that was not given at all (distinct from ``None``, which means "no value").
"""

MISSING: Final = None
"""
A field with no value holds ``None``; blank strings are coerced to it.
"""


@attrs.frozen
class Money:
    """
    An amount of money in one ISO 4217 currency.

    Examples:
        >>> Money(decimal.Decimal("12.50"), "EUR")
        Money(amount=Decimal('12.50'), currency='EUR')

    .. versionadded:: 0.1.0
    """

    amount: decimal.Decimal = attrs.field()
    currency: str = attrs.field()

    @amount.validator
    def _check_amount(self, _: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, decimal.Decimal) or not value.is_finite():
            raise _Refused(f"amount must be a finite decimal.Decimal, got {shorten(value)}")

    @currency.validator
    def _check_currency(self, _: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
            raise _Refused(
                f"currency must be an ISO 4217 code (three capital letters), got {shorten(value)}"
            )


_CURRENCY: Final = re.compile(r"[A-Z]{3}")


_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]+)\.?,?[ -](\d{4})")
_MONTH_NAME_DAY = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})")


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _Refused(f"not a calendar date ({exc})") from None


def _full_year(year: int, digits: int) -> int:
    if digits == 4:
        return year
    # Two-digit years: the window a CRM needs (birth dates and activity) is the past century.
    return 2000 + year if year <= dt.date.today().year % 100 else 1900 + year


def _is_text(value: object) -> str:
    if not isinstance(value, str):
        raise _Refused(f"expected text, got {type(value).__name__}")
    return value


def parse_date(text: str, *, dayfirst: bool | None) -> dt.date:
    """
    Parse a date written in one of the common CRM formats.

    ISO (``1985-03-07``, ``1985/03/07``), numeric (``03/07/1985``: month first unless
    *dayfirst*; with ``dayfirst=None`` an ambiguous numeric date is refused), and named months
    (``7 Mar 1985``, ``March 7, 1985``).
    """
    _is_text(text)
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise SchemaError(f"dayfirst must be true, false or None, got {shorten(dayfirst)}")
    s = " ".join(text.strip().lower().split())
    if m := _ISO.fullmatch(s):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.fullmatch(s):
        a, b, year = int(m[1]), int(m[2]), _full_year(int(m[3]), len(m[3]))
        if dayfirst is None:
            if a <= 12 and b <= 12 and a != b:
                raise _Refused("ambiguous day/month order; set dayfirst on the field")
            day_first = a > 12
        else:
            day_first = dayfirst
        day, month = (a, b) if day_first else (b, a)
        return _make_date(year, month, day)
    for pattern, order in ((_DAY_MONTH_NAME, "dmy"), (_MONTH_NAME_DAY, "mdy")):
        if m := pattern.fullmatch(s):
            parts = dict(zip(order, (m[1], m[2], m[3]), strict=True))
            named = _MONTHS.get(parts["m"])
            if named is None:
                raise _Refused(f"unknown month name {parts['m']!r}")
            return _make_date(int(parts["y"]), named, int(parts["d"]))
    raise _Refused("not a recognised date format (use YYYY-MM-DD)")


def parse_datetime(text: str) -> dt.datetime:
    """
    Parse an ISO 8601 date-time; a naive value is taken to be UTC.
    """
    s = _is_text(text).strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(s)
    except ValueError:
        raise _Refused("not an ISO 8601 date-time") from None
    return with_utc(value)


_GROUPED = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


def parse_decimal(text: str) -> decimal.Decimal:
    """
    Parse a decimal number, accepting thousands separators (``1,200.50``).
    """
    s = _is_text(text).strip().replace("_", "").replace(" ", "")
    if not _GROUPED.fullmatch(s):
        raise _Refused("not a number")
    return finite_decimal(decimal.Decimal(s.replace(",", "")))


def finite_decimal(value: decimal.Decimal) -> decimal.Decimal:
    """
    Refuse NaN and infinities, which no CRM field can hold.
    """
    if not value.is_finite():
        raise _Refused("not a finite number")
    return value


_SYMBOLS: Final = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "R$": "BRL"}
_MONEY = re.compile(
    r"(?P<pre>[A-Za-z]{3}|R\$|[$€£¥₹])?\s*(?P<num>[-+\d.,_ ]+?)\s*(?P<post>[A-Za-z]{3}|[$€£¥₹])?"
)


def parse_money(text: str, *, default_currency: str | None) -> Money:
    """
    Parse ``USD 1,200.50``, ``$1,200.50``, ``1200.50 EUR`` or, with a default, ``1200.50``.
    """
    if default_currency is not None and not isinstance(default_currency, str):
        raise SchemaError(
            f"default_currency must be an ISO 4217 code or None, got {shorten(default_currency)}"
        )
    m = _MONEY.fullmatch(_is_text(text).strip())
    if m is None:
        raise _Refused("not an amount of money")
    codes = [c for c in (m["pre"], m["post"]) if c]
    if len(codes) > 1:
        raise _Refused("two currencies given")
    code = _SYMBOLS.get(codes[0], codes[0].upper()) if codes else default_currency
    if code is None:
        raise _Refused("no currency given and the field has no default currency")
    return Money(parse_decimal(m["num"]), code)
