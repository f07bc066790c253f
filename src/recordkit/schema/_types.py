"""
Field types: what kind of value a field holds and how a raw value becomes one.

Each type is a small frozen attrs class. ``coerce`` turns a raw value (from a form, a CSV
cell, an API payload) into the field's Python type or refuses it with a reason; it does not
*normalize* (phones to E.164, synonyms to canonical values): that is the rule engine's job,
so every change stays explained. Blank strings and ``None`` coerce to ``None`` (no value).

``dump`` and ``load`` convert values to and from JSON-safe data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from recordkit.schema._field_type import MAX_CHARS, FieldType
from recordkit.schema._types_text import (
    URL,
    Country,
    Email,
    Phone,
    Picklist,
    Reference,
    Subdivision,
    Text,
)
from recordkit.schema._types_values import Boolean, Date, DateTime, Decimal, Integer, MoneyType

__all__ = [
    "FIELD_TYPES",
    "MAX_CHARS",
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
