"""
Default match settings for a schema, read from its fields' roles, types and names.

A schema's ``matching`` section (``comparisons``, ``blocking``…) wins when it has one;
otherwise each field is given a comparison kind: from its declared ``role`` first, then
from its type (every email and phone field), then from common names (``dob``,
``forename``, ``zip``…). Blocking uses the contact points plus name, birth date and place
keys, and the model is the shipped prior (`prior_model`), so the matcher scores from its
first record; fit it on data once there is enough (see `RefitPolicy`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from recordkit._errors import SchemaError
from recordkit.match._blocking import BlockingRule
from recordkit.match._prepare import Prep
from recordkit.match._priors import kind_comparison, prior_model
from recordkit.match._settings import MatchSettings
from recordkit.match.comparison import Comparison
from recordkit.schema import Country, Date, Email, Field, FieldType, Phone, Schema, Text

__all__ = ["NAMES", "settings_for_schema"]

S = TypeVar("S", bound=MatchSettings)

NAMES: Final[dict[str, tuple[str, ...]]] = {
    "given_name": ("first_name", "given_name", "firstname", "forename", "givenname",
                   "forenames", "given_names", "first", "fname"),
    "family_name": ("last_name", "surname", "family_name", "lastname", "familyname",
                    "last", "lname"),
    "full_name": ("full_name", "fullname", "contact_name", "person_name"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate", "birthday", "born",
                   "born_on", "dateofbirth", "birth"),
    "postcode": ("postcode", "postal_code", "zip", "zip_code", "zipcode", "post_code"),
    "street": ("street", "address", "address_1", "address_line_1", "street_address",
               "address1"),
    "city": ("city", "suburb", "town", "locality"),
    "company": ("company", "company_name", "organisation", "organization", "employer",
                "name"),
    "country": ("country", "country_code"),
}  # fmt: skip
"""
Role → the field names that take that role when no field declares it (in order of
preference). A ``date`` field whose name contains ``birth`` is a birth date too.
"""

_SETTINGS: Final = frozenset(
    {"comparisons", "blocking", "prepare", "must_match", "never_match", "threshold",
     "max_pairs", "chain_guard", "sample_pairs", "seed"}
)  # fmt: skip


_GUESSED: Final[dict[str, tuple[type[FieldType], ...]]] = {
    "birth_date": (Date,),
    "country": (Country, Text),
}
"""
The field types a field must have to take a role by its name alone (text by default).
"""


def _fits(f: Field, role: str) -> bool:
    return f.role is None and isinstance(f.type, _GUESSED.get(role, (Text,)))


def _by_role(schema: Schema, role: str) -> Field | None:
    """
    The field with *role*: the first declaring it, else the first of its common names.
    """
    declared = schema.with_role(role)
    if declared:
        return declared[0]
    for name in NAMES[role]:
        if name in schema:
            f = schema.field(name)
            if _fits(f, role):
                return f
    if role == "birth_date":
        return next(
            (f for f in schema.fields if _fits(f, role) and "birth" in f.name),
            None,
        )
    return None


def settings_for_schema(cls: type[S], schema: Schema, **overrides: Any) -> S:
    """
    The default settings for *schema*, built as a *cls* (a `Matcher` with the prior model).

    *overrides* replace settings (``model=None`` leaves it unfitted).

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
    kinds: dict[str, str] = {}

    def add(kind: str, column: str, **options: Any) -> None:
        comparison, how = kind_comparison(kind, column, **options)
        comparisons.append(comparison)
        prep[column] = how
        kinds[comparison.name] = kind

    picked = {role: _by_role(schema, role) for role in NAMES}
    name_of = {role: f.name if f else None for role, f in picked.items()}
    country = name_of["country"]
    for f in schema.fields:
        if f.role == "email" or (f.role is None and isinstance(f.type, Email)):
            add("email", f.name)
            blocking.append(BlockingRule([f"{f.name}|email_key"]))
        elif f.role == "phone" or (f.role is None and isinstance(f.type, Phone)):
            region = f.type.region if isinstance(f.type, Phone) else None
            add("phone", f.name, region=region, region_from=country)
            blocking.append(BlockingRule([f.name]))
    birth = name_of["birth_date"]
    if birth:
        add("birth_date", birth)
    first, last, full = name_of["given_name"], name_of["family_name"], name_of["full_name"]
    if first:
        if last:
            add("given_name", first, family_name=last)
        else:
            add("given_name_alone", first)
    if last:
        add("family_name", last)
    if full:
        add("full_name", full)
    city = name_of["city"]
    names = [first, last] if first and last else [full] if full else []
    if names:
        # a name alone is shared by too many people in a large file: add the city
        blocking.append(BlockingRule([*names, city] if city else names))
    code, street = name_of["postcode"], name_of["street"]
    family = last or full
    if code:
        add("postcode", code)
        if family:
            blocking.append(BlockingRule([code, f"{family}[:2]"]))
    if birth:
        blocking.extend(BlockingRule([n, birth]) for n in (last, first, full) if n)
    if street:
        add("street", street)
        if family:
            blocking.append(BlockingRule([street, family]))
    for role in ("city", "company"):
        if name_of[role]:
            add(role, str(name_of[role]))
    if not comparisons or not blocking:
        raise SchemaError(
            f"no default matching for schema {schema.name!r}: it needs an email, phone or "
            "name field; give comparisons and blocking in its 'matching' section",
            source=schema.name,
        )
    options: dict[str, Any] = {"prepare": prep, "schema": schema.name, **overrides}
    if "model" not in overrides:
        options["model"] = prior_model(kinds, comparisons)
    return cls(comparisons, blocking, **options)
