"""
Governance: who may touch which records, and what happened to them.

Access policies and the audit trail; the facade consults both on every read and write.
"""

from recordkit.governance._access import AccessPolicy, Action, Actor, AllowAll
from recordkit.governance._audit import AuditEvent, AuditLog, MemoryAuditLog

__all__ = [
    "AccessPolicy",
    "Action",
    "Actor",
    "AllowAll",
    "AuditEvent",
    "AuditLog",
    "MemoryAuditLog",
]
