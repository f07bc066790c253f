"""
The rules each field type contributes by default.

A schema extends them (a field's ``rules``) or replaces them (``- defaults: false`` first in
the list, or ``RuleSet.for_schema(fields=...)``). A validator the field declares itself
takes the place of the default validator with the same id, so ``{required: {severity:
warning}}`` makes a missing value a warning and ``{valid_subdivision: {severity:
warning}}`` a subdivision of another country.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from recordkit._errors import SchemaError
from recordkit.rules._checks import Validators
from recordkit.rules._normalizers import Handoff, Normalizers
from recordkit.rules._rule import Validator
from recordkit.rules._spec import compile_rule
from recordkit.rules._value_checks import placeholder_check
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

NAME_ROLES: Final = frozenset({"given_name", "family_name", "full_name"})
"""
The roles of fields that hold a person's name (they need letters).
"""


def _country_field(schema: Schema) -> str | None:
    countries = [f.name for f in schema.fields if isinstance(f.type, Country)]
    return countries[0] if len(countries) == 1 else None


def _own_rules(field: Field, schema: Schema) -> list[Any]:
    """
    The rules *field* declares itself (on the field and in the schema's rules section).

    A spec that does not compile is skipped here: building the rule set reports it, with
    its place in the document.
    """
    section = schema.extensions.get("rules", {})
    more: Iterable[Any] = ()
    if isinstance(section, Mapping):
        fields = section.get("fields", {})
        if isinstance(fields, Mapping):
            found = fields.get(field.name, ())
            more = found if isinstance(found, list | tuple) else ()
    out = []
    for spec in (*field.rules, *more):
        if isinstance(spec, Mapping) and set(spec) == {"defaults"}:
            continue
        try:
            out.append(compile_rule(spec))
        except SchemaError:
            continue
    return out


NAME_LIKE: Final = ("Na", "Nan", "Nil")
"""
Placeholder words that are also given or family names: in a name field, written as a name
is (one capital, then lower case) they are names; ``NA``, ``n/a``, ``nil`` stay placeholders.
"""


def _screen(field: Field, person: bool) -> Validator:
    """
    The placeholder screen, letting through what the field type really holds.
    """
    t = field.type
    if person:
        return placeholder_check(exact=NAME_LIKE)
    if isinstance(t, Picklist):
        spellings = [*t.values, *(s for _, ss in t.synonyms for s in ss)]
        return placeholder_check(allow=spellings)
    if isinstance(t, Country):
        return placeholder_check(exact=("NA",))  # Namibia's code, as normalized
    return placeholder_check()


def _type_rules(field: Field, schema: Schema) -> list[Any]:
    t = field.type
    rules: list[Any] = []
    if isinstance(t, Text):
        rules.append(Normalizers.text())
        if t.max_length is not None:
            rules.append(Validators.length(max=t.max_length))
    elif isinstance(t, Email):
        mail = Handoff()
        rules += [
            Normalizers.email(lowercase=t.lowercase, handoff=mail),
            Validators.email(handoff=mail),
        ]
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
            Validators.subdivision(country_field=t.country_field),
        ]
    elif isinstance(t, URL):
        rules += [Normalizers.text(), Normalizers.url(), Validators.url()]
    elif isinstance(t, Reference):
        rules.append(Normalizers.text())
    elif isinstance(t, Date):
        rules.append(Normalizers.date(dayfirst=t.dayfirst, order=t.order))
    elif isinstance(t, Boolean):
        rules.append(Normalizers.boolean(true_words=t.true_words, false_words=t.false_words))
    elif isinstance(t, MoneyType):
        rules.append(Normalizers.money(currency=t.currency))
    return rules


def default_rules(field: Field, schema: Schema) -> list[Any]:
    """
    The default rules for *field* of *schema*: the placeholder screen, normalizers, checks.

    Every field's raw text is screened for placeholders first (``n/a``, ``none``, ``-``…:
    no value, an error). Text is cleaned (NFC, control characters, ANSI escapes, bidi
    controls, whitespace) and checked against ``max_length``; URL, subdivision and
    reference values are cleaned the same way first; emails and phones are normalized and
    checked (a phone's region comes from the record's country when the schema has one
    country field); picklists map synonyms and check membership (a warning when the
    picklist is not restricted); countries and subdivisions become ISO codes, and a
    subdivision must be one of the record's country; URLs get a scheme and must be web
    addresses; dates, booleans and money are read from their common spellings before
    coercion; a person's name (the name roles, or a field whose rules normalize names)
    needs letters. A required field with no value is an error.

    A validator the field declares itself replaces the default with the same id.
    """
    own = _own_rules(field, schema)
    replaced = {r.id for r in own if isinstance(r, Validator)}
    person = field.role in NAME_ROLES or any(getattr(r, "id", "") == "normalize.name" for r in own)
    rules = [_screen(field, person), *_type_rules(field, schema)]
    if person:
        rules.append(Validators.name())
    if field.required:
        rules.append(Validators.required())
    return [r for r in rules if not (isinstance(r, Validator) and r.id in replaced)]
