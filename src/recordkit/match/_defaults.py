"""
Default match settings for a schema, read from its field types and names.

A schema's ``matching`` section (``comparisons``, ``blocking``…) wins when it has one;
otherwise email, phone, name, date, postcode and address fields get the library
comparisons, and blocking uses the contact points plus name and place keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from recordkit._errors import SchemaError
from recordkit.match._blocking import BlockingRule
from recordkit.match._prepare import Prep
from recordkit.match._settings import MatchSettings
from recordkit.match.comparison import (
    Comparison,
    address_comparison,
    date_comparison,
    email_comparison,
    first_name_comparison,
    name_comparison,
    phone_comparison,
    postcode_comparison,
    text_comparison,
)
from recordkit.schema import Date, Email, Phone, Schema, Text

__all__ = ["settings_for_schema"]

S = TypeVar("S", bound=MatchSettings)

_FIRST: Final = ("first_name", "given_name", "firstname", "forename")
_LAST: Final = ("last_name", "surname", "family_name", "lastname")
_POSTCODE: Final = ("postcode", "postal_code", "zip", "zip_code", "zipcode")
_STREET: Final = ("street", "address", "address_1", "address_line_1", "street_address")
_TEXT: Final = ("city", "company", "company_name", "name", "suburb")
_SETTINGS: Final = frozenset(
    {"comparisons", "blocking", "prepare", "must_match", "never_match", "threshold",
     "max_pairs", "chain_guard", "sample_pairs", "seed"}
)  # fmt: skip


def _pick(schema: Schema, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in schema and isinstance(schema.field(n).type, Text)), None)


def settings_for_schema(cls: type[S], schema: Schema, **overrides: Any) -> S:
    """
    The default settings for *schema*, built as a *cls* (a `Matcher`, not fitted).

    *overrides* replace settings.

    Raises:
        SchemaError: the schema has no field the defaults know how to compare, or its
            ``matching`` section is wrong.

    .. versionadded:: 0.1.0
    """
    if not isinstance(schema, Schema):
        raise SchemaError(f"expected a Schema, got {type(schema).__name__}")
    section = schema.extensions.get("matching")
    if isinstance(section, Mapping) and "comparisons" in section:
        settings = {k: v for k, v in section.items() if k in _SETTINGS}
        settings.update(overrides)
        try:
            return cls.from_dict({**settings, "schema": schema.name})
        except SchemaError as exc:
            raise exc.at("matching", source=schema.name) from None
    comparisons: list[Comparison] = []
    blocking: list[BlockingRule] = []
    prep: dict[str, Prep] = {}
    birth: str | None = None
    first, last = _pick(schema, _FIRST), _pick(schema, _LAST)
    code, street = _pick(schema, _POSTCODE), _pick(schema, _STREET)
    for f in schema.fields:
        if isinstance(f.type, Email):
            prep[f.name] = Prep("email")
            comparisons.append(email_comparison(f.name))
            blocking.append(BlockingRule([f"{f.name}|email_key"]))
        elif isinstance(f.type, Phone):
            prep[f.name] = Prep("phone", region=f.type.region)
            comparisons.append(phone_comparison(f.name))
            blocking.append(BlockingRule([f.name]))
        elif isinstance(f.type, Date) and "birth" in f.name:
            prep[f.name] = Prep("date")
            comparisons.append(date_comparison(f.name))
            birth = f.name
    if first:
        prep[first] = Prep("name")
        comparisons.append(first_name_comparison(first, last=last))
    if last:
        prep[last] = Prep("name")
        comparisons.append(name_comparison(last))
    city = "city" if "city" in schema and isinstance(schema.field("city").type, Text) else None
    if first and last:
        # a name alone is shared by too many people in a large file: add the city
        blocking.append(BlockingRule([first, last, city] if city else [first, last]))
    if code:
        prep[code] = Prep("postcode")
        comparisons.append(postcode_comparison(code))
        if last:
            blocking.append(BlockingRule([code, f"{last}[:2]"]))
    if birth:
        blocking.extend(BlockingRule([n, birth]) for n in (last, first) if n)
    if street:
        prep[street] = Prep("name")
        comparisons.append(address_comparison(street))
        if last:
            blocking.append(BlockingRule([street, last]))
    for n in _TEXT:
        if n in schema and isinstance(schema.field(n).type, Text) and n not in prep:
            prep[n] = Prep("name")
            comparisons.append(text_comparison(n, term_frequency=True))
    if not comparisons or not blocking:
        raise SchemaError(
            f"no default matching for schema {schema.name!r}: it needs an email, phone or "
            "name field; give comparisons and blocking in its 'matching' section",
            source=schema.name,
        )
    options: dict[str, Any] = {"prepare": prep, "schema": schema.name, **overrides}
    return cls(comparisons, blocking, **options)
