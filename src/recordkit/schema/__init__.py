"""
Typed record schemas and records: the lowest layer of recordkit.

It knows what a record of each type may hold and how raw values become typed ones; it does
no I/O beyond reading schema documents it is asked to read, and holds no global state.
"""

from recordkit.schema._field import INVALID_ACTIONS, ROLES, Field, field
from recordkit.schema._io import (
    bundled_catalog,
    bundled_schema,
    dump_schema,
    load_schema,
    parse_schema,
    schema_from_dict,
    schema_to_dict,
)
from recordkit.schema._json import JSONObject, JSONValue
from recordkit.schema._record import Record, record_from_dict, record_to_dict
from recordkit.schema._record_parts import Provenance, Transition
from recordkit.schema._schema import Catalog, Model, Schema
from recordkit.schema._types import (
    FIELD_TYPES,
    MAX_CHARS,
    URL,
    Boolean,
    Country,
    Date,
    DateTime,
    Decimal,
    Email,
    FieldType,
    Integer,
    MoneyType,
    Phone,
    Picklist,
    Reference,
    Subdivision,
    Text,
)
from recordkit.schema._values import NOT_GIVEN, Money, NotGiven, parse_date, parse_money
from recordkit.schema._vocabulary import VOCABULARIES, vocabulary

__all__ = [
    "FIELD_TYPES",
    "INVALID_ACTIONS",
    "MAX_CHARS",
    "NOT_GIVEN",
    "ROLES",
    "URL",
    "VOCABULARIES",
    "Boolean",
    "Catalog",
    "Country",
    "Date",
    "DateTime",
    "Decimal",
    "Email",
    "Field",
    "FieldType",
    "Integer",
    "JSONObject",
    "JSONValue",
    "Model",
    "Money",
    "MoneyType",
    "NotGiven",
    "Phone",
    "Picklist",
    "Provenance",
    "Record",
    "Reference",
    "Schema",
    "Subdivision",
    "Text",
    "Transition",
    "bundled_catalog",
    "bundled_schema",
    "dump_schema",
    "field",
    "load_schema",
    "parse_date",
    "parse_money",
    "parse_schema",
    "record_from_dict",
    "record_to_dict",
    "schema_from_dict",
    "schema_to_dict",
    "vocabulary",
]
