"""
Field types: what kind of value a field holds and how a raw value becomes one.

Each type is a small frozen attrs class. ``coerce`` turns a raw value (from a form, a CSV
cell, an API payload) into the field's Python type or refuses it with a reason; it does not
*normalize* (phones to E.164, synonyms to canonical values): that is the rule engine's job,
so every change stays explained. Blank strings and ``None`` coerce to ``None`` (no value).

``dump`` and ``load`` convert values to and from JSON-safe data.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

import attrs
import phonenumbers
import pycountry

from recordkit._errors import SchemaError
from recordkit.schema._values import (
    Money,
    _Refused,
    finite_decimal,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_money,
    with_utc,
)

__all__ = [
    "URL",
    "Boolean",
    "Country",
    "Date",
    "DateTime",
    "Decimal",
    "Email",
    "FieldType",
    "Integer",
    "MoneyType",
    "Phone",
    "Picklist",
    "Reference",
    "Subdivision",
    "Text",
]

MAX_CHARS: Final = 65_536
"""
No field accepts a string longer than this; longer input is refused, not truncated.
"""


def _text(value: object) -> str | None:
    """
    The shared first step: ``None``/blank → ``None``, other strings checked for size.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Refused(f"expected text, got {type(value).__name__}")
    if len(value) > MAX_CHARS:
        raise _Refused(f"too long ({len(value)} characters; the limit is {MAX_CHARS})")
    if not value.strip():
        return None
    return value


def _optional(kind: type | tuple[type, ...], what: str, *, minimum: int | None = None) -> Any:
    """An attrs validator: ``None`` or a value of *kind* (bools are not numbers here)."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        wrong_bool = isinstance(value, bool) and kind is int
        if wrong_bool or not isinstance(value, kind):
            raise SchemaError(
                f"{attribute.name} must be {what}, got {type(value).__name__}", path=attribute.name
            )
        if minimum is not None and value < minimum:  # type: ignore[operator]
            raise SchemaError(
                f"{attribute.name} must be at least {minimum}, got {value!r}", path=attribute.name
            )

    return check


@attrs.frozen
class FieldType:
    """
    Base of all field types.

    Subclasses set ``kind`` (the name used in YAML) and override ``_coerce``.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = ""

    def coerce(self, value: object) -> Any:
        """
        Turn a raw value into this type, or ``None`` when it is blank.

        Raises:
            _Refused: with the reason, when the value cannot be this type; the field wraps it
                into a `CoercionError`.
        """
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and len(value) > MAX_CHARS:
            raise _Refused(f"too long ({len(value)} characters; the limit is {MAX_CHARS})")
        return self._coerce(value)

    def _coerce(self, value: object) -> Any:
        return _text(value)

    def dump(self, value: Any) -> Any:
        """
        Return *value* as JSON-safe data.
        """
        return value

    def load(self, data: Any) -> Any:
        """
        Return the value that `dump` produced *data* from.
        """
        return self.coerce(data)


@attrs.frozen
class Text(FieldType):
    """
    Free text.

    Args:
        max_length: longest accepted value, checked by the length validator.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "text"
    max_length: int | None = attrs.field(
        default=None, validator=_optional(int, "a whole number", minimum=1)
    )

    def _coerce(self, value: object) -> Any:
        if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
            return str(value)
        return _text(value)


@attrs.frozen
class Email(FieldType):
    """
    An email address (normalized and validated by the rule engine, with no network).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "email"


def _check_region(_: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (
        not isinstance(value, str) or value not in phonenumbers.SUPPORTED_REGIONS
    ):
        raise SchemaError(f"unknown phone region {value!r}"[:200], path=attribute.name)


@attrs.frozen
class Phone(FieldType):
    """
    A telephone number.

    Args:
        region: ISO 3166-1 alpha-2 region assumed for numbers written without a country code.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "phone"
    region: str | None = attrs.field(default=None, validator=_check_region)


def _freeze_values(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise SchemaError(
            f"values must be a list of text, got {type(value).__name__}", path="values"
        )
    return tuple(value)


def _freeze_synonyms(
    value: Mapping[str, Iterable[str]] | Iterable[tuple[str, Iterable[str]]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    try:
        items: Iterable[Any] = value.items() if isinstance(value, Mapping) else value
        out = []
        for k, v in items:
            spellings = (v,) if isinstance(v, str) else tuple(v)
            if not isinstance(k, str) or not all(isinstance(s, str) for s in spellings):
                raise TypeError
            out.append((k, spellings))
    except (TypeError, ValueError):
        raise SchemaError(
            "synonyms map each value to a list of spellings (text)", path="synonyms"
        ) from None
    return tuple(out)


@attrs.frozen
class Picklist(FieldType):
    """
    One of a fixed list of values, with synonyms that mean the same value.

    Example:
        >>> p = Picklist(values=("Technology",), synonyms={"Technology": ("Software", "SaaS")})
        >>> p.synonym_map
        {'Software': 'Technology', 'SaaS': 'Technology'}

    Args:
        values: the canonical values.
        synonyms: canonical value → other spellings that mean it.
        restricted: refuse values outside the list (``False`` keeps them, flagged).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "picklist"
    values: tuple[str, ...] = attrs.field(converter=_freeze_values)
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(
        factory=tuple, converter=_freeze_synonyms
    )
    restricted: bool = attrs.field(default=True, validator=_optional(bool, "true or false"))

    def __attrs_post_init__(self) -> None:
        if not self.values:
            raise SchemaError("a picklist needs at least one value", path="values")
        seen: set[str] = set()
        for value in self.values:
            if not isinstance(value, str) or not value.strip():
                raise SchemaError(
                    f"picklist values must be non-blank text, got {value!r}", path="values"
                )
            if value in seen:
                raise SchemaError(f"value {value!r} is listed twice", path="values")
            seen.add(value)
        owners: dict[str, str] = {}
        for canonical, spellings in self.synonyms:
            if canonical not in seen:
                raise SchemaError(
                    f"synonyms given for {canonical!r}, which is not one of the values",
                    path=f"synonyms.{canonical}",
                )
            for spelling in spellings:
                other = owners.setdefault(spelling, canonical)
                if other != canonical:
                    raise SchemaError(
                        f"synonym {spelling!r} means both {other!r} and {canonical!r}",
                        path=f"synonyms.{canonical}",
                    )

    @property
    def synonym_map(self) -> dict[str, str]:
        """
        Every synonym mapped to its canonical value.
        """
        return {s: canonical for canonical, spellings in self.synonyms for s in spellings}


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


@attrs.frozen
class URL(FieldType):
    """
    A web address.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "url"


@attrs.frozen
class Country(FieldType):
    """
    A country, stored as its ISO 3166-1 alpha-2 code once normalized.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "country"


@attrs.frozen
class Subdivision(FieldType):
    """
    A state, province or region, stored as its ISO 3166-2 code (``US-NY``) once normalized.

    Args:
        country_field: the field that says which country the subdivision is in.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "subdivision"
    country_field: str | None = attrs.field(
        default="country", validator=_optional(str, "a field name")
    )


_SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]*")


@attrs.frozen
class Reference(FieldType):
    """
    A link to a record of another schema, held as that record's id.

    Args:
        to: the name of the referenced schema (``company`` for a contact's employer).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "reference"
    to: str = attrs.field()

    @to.validator
    def _check_to(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not _SCHEMA_NAME.fullmatch(value):
            raise SchemaError(f"not a schema name: {value!r}", path=attribute.name)


FIELD_TYPES: Final[Mapping[str, type[FieldType]]] = {
    cls.kind: cls
    for cls in (
        Text,
        Email,
        Phone,
        Picklist,
        Date,
        DateTime,
        Integer,
        Decimal,
        MoneyType,
        Boolean,
        URL,
        Country,
        Subdivision,
        Reference,
    )
}
"""
The built-in field types by the name a YAML document uses for them.
"""
