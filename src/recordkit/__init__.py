"""
recordkit: customer-record governance you embed in your own application.

Typed record schemas, rules that normalize and validate, duplicate matching, a record
lifecycle, governance (access, audit, privacy) and storage, behind one facade, `Steward`.

Example:
    >>> import recordkit as rk
    >>> contacts = rk.Steward(rk.bundled_schema("contact"))
    >>> r = contacts.capture({"first_name": "Ada", "last_name": "Lovelace",
    ...                       "email_opt_in": "yes"}, source="web_form")
    >>> r["email_opt_in"]
    True
"""

from recordkit._errors import (
    AccessDenied,
    CoercionError,
    ConflictError,
    NotFound,
    RecordkitError,
    SchemaError,
    StoreError,
    TransitionError,
    ValidationError,
)
from recordkit._steward import BatchResult, QuarantinedRow, Steward
from recordkit.engines import CellError, Columns
from recordkit.governance import (
    AccessPolicy,
    Action,
    Actor,
    AllowAll,
    AuditEvent,
    AuditLog,
    MemoryAuditLog,
)
from recordkit.match import (
    CellLineage,
    Merge,
    MergeError,
    MergePlan,
    MergePolicy,
    Survive,
    SurvivorshipStrategy,
    Unmerge,
    UnmergeConflict,
)
from recordkit.schema import (
    NOT_GIVEN,
    URL,
    Boolean,
    Catalog,
    Country,
    Date,
    DateTime,
    Decimal,
    Email,
    Field,
    FieldType,
    Integer,
    Model,
    Money,
    MoneyType,
    Phone,
    Picklist,
    Provenance,
    Record,
    Reference,
    Schema,
    Subdivision,
    Text,
    bundled_catalog,
    bundled_schema,
    dump_schema,
    field,
    load_schema,
    parse_schema,
    record_from_dict,
    record_to_dict,
    schema_from_dict,
    schema_to_dict,
)
from recordkit.store import MemoryStore, Store

__version__ = "0.1.0"

__all__ = [
    "NOT_GIVEN",
    "URL",
    "AccessDenied",
    "AccessPolicy",
    "Action",
    "Actor",
    "AllowAll",
    "AuditEvent",
    "AuditLog",
    "BatchResult",
    "Boolean",
    "Catalog",
    "CellError",
    "CellLineage",
    "CoercionError",
    "Columns",
    "ConflictError",
    "Country",
    "Date",
    "DateTime",
    "Decimal",
    "Email",
    "Field",
    "FieldType",
    "Integer",
    "MemoryAuditLog",
    "MemoryStore",
    "Merge",
    "MergeError",
    "MergePlan",
    "MergePolicy",
    "Model",
    "Money",
    "MoneyType",
    "NotFound",
    "Phone",
    "Picklist",
    "Provenance",
    "QuarantinedRow",
    "Record",
    "RecordkitError",
    "Reference",
    "Schema",
    "SchemaError",
    "Steward",
    "Store",
    "StoreError",
    "Subdivision",
    "Survive",
    "SurvivorshipStrategy",
    "Text",
    "TransitionError",
    "Unmerge",
    "UnmergeConflict",
    "ValidationError",
    "bundled_catalog",
    "bundled_schema",
    "dump_schema",
    "field",
    "load_schema",
    "parse_schema",
    "record_from_dict",
    "record_to_dict",
    "schema_from_dict",
    "schema_to_dict",
]
