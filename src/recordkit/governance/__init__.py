"""
Governance: who may touch which records, and what happened to them.

Access policies (roles, record rules, masking), retention rules and the audit trail; the
facade consults them on every read and write. The record conditions (`Predicate`, `RecordPredicate`,
`AllOf`, `AnyOf`, `Not`) live here because policies compile their record rules into them
(`Policy.scope`); stores run them.
"""

from recordkit.governance._access import AccessPolicy, Action, Actor, AllowAll
from recordkit.governance._audit import AuditEntry, AuditEvent, AuditLog, MemoryAuditLog
from recordkit.governance._audit_query import replay
from recordkit.governance._audit_verify import Checkpoint, VerifyReport
from recordkit.governance._condition import (
    AllOf,
    AnyOf,
    Condition,
    Not,
    Predicate,
    RecordPredicate,
)
from recordkit.governance._crypto import DataKey, FieldEncryption
from recordkit.governance._keys import KeyProvider, LocalKeyFile
from recordkit.governance._mask import Masked
from recordkit.governance._policy import Policy
from recordkit.governance._retention import Retention
from recordkit.governance._retention_report import RetentionReport
from recordkit.governance._rules import RecordRule, Role

__all__ = [
    "AccessPolicy",
    "Action",
    "Actor",
    "AllOf",
    "AllowAll",
    "AnyOf",
    "AuditEntry",
    "AuditEvent",
    "AuditLog",
    "Checkpoint",
    "Condition",
    "DataKey",
    "FieldEncryption",
    "KeyProvider",
    "LocalKeyFile",
    "Masked",
    "MemoryAuditLog",
    "Not",
    "Policy",
    "Predicate",
    "RecordPredicate",
    "RecordRule",
    "Retention",
    "RetentionReport",
    "Role",
    "VerifyReport",
    "replay",
]
