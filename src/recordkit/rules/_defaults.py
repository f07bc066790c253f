"""
The rules each field type contributes by default.

A schema extends them (a field's ``rules``) or replaces them (``- defaults: false`` first in
the list, or ``RuleSet.for_schema(fields=...)``).
"""

from __future__ import annotations

from typing import Any

from recordkit.rules._checks import Validators
from recordkit.rules._compose import tuned
from recordkit.rules._normalizers import Handoff, Normalizers
from recordkit.schema import (
    URL,
    Boolean,
    Country,
    Date,
    Email,
    Field,
    MoneyType,
    Phone,
    Picklist,
    Reference,
    Schema,
    Subdivision,
    Text,
)

__all__ = ["default_rules"]


def _country_field(schema: Schema) -> str | None:
    countries = [f.name for f in schema.fields if isinstance(f.type, Country)]
    return countries[0] if len(countries) == 1 else None


def default_rules(field: Field, schema: Schema) -> list[Any]:
    """
    The default rules for *field* of *schema*, normalizers first.

    Text is cleaned (NFC, control characters, ANSI escapes, bidi controls, whitespace) and
    checked against ``max_length``; URL, subdivision and reference values are cleaned the
    same way first; emails and phones are normalized and checked (a phone's region comes
    from the record's country when the schema has one country field); picklists map
    synonyms and check membership (a warning when the picklist is not restricted);
    countries and subdivisions become ISO codes; URLs get a scheme (a bad one is a
    warning); dates, booleans and money are read from their common spellings before
    coercion. A required field that is empty is a warning: it may be saved, but not
    activated.
    """
    t = field.type
    rules: list[Any] = []
    if isinstance(t, Text):
        rules.append(Normalizers.text())
        if t.max_length is not None:
            rules.append(Validators.length(max=t.max_length))
    elif isinstance(t, Email):
        mail = Handoff()
        rules += [Normalizers.email(handoff=mail), Validators.email(handoff=mail)]
    elif isinstance(t, Phone):
        call = Handoff()
        rules += [
            Normalizers.phone(region=t.region, region_field=_country_field(schema), handoff=call),
            Validators.phone(region=t.region, handoff=call),
        ]
    elif isinstance(t, Picklist):
        rules += [
            Normalizers.picklist(t.values, t.synonyms),
            Validators.one_of(t.values, severity="error" if t.restricted else "warning"),
        ]
    elif isinstance(t, Country):
        rules += [Normalizers.country(), Validators.country()]
    elif isinstance(t, Subdivision):
        rules += [
            Normalizers.text(),
            Normalizers.subdivision(country_field=t.country_field),
            Validators.subdivision(country_field=t.country_field, severity="warning"),
        ]
    elif isinstance(t, URL):
        rules += [Normalizers.text(), Normalizers.url(), Validators.url(severity="warning")]
    elif isinstance(t, Reference):
        rules.append(Normalizers.text())
    elif isinstance(t, Date):
        rules.append(Normalizers.date(dayfirst=t.dayfirst))
    elif isinstance(t, Boolean):
        rules.append(Normalizers.boolean())
    elif isinstance(t, MoneyType):
        rules.append(Normalizers.money(currency=t.currency))
    if field.required:
        rules.append(
            tuned(
                Validators.required(severity="warning"),
                message="a value is required before the record can be activated",
            )
        )
    return rules
