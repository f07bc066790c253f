"""
Reading the audit table: filters as SQL, and rows as events.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from recordkit._errors import StoreError, shorten
from recordkit.governance import AuditEvent, AuditLog
from recordkit.store.sql._codec import utc

__all__ = ["event_of", "filter_clause", "naming_any"]

_PAGE = 5000

ChainEntry = tuple[int, str, str, str, str | None]


def naming_any(table: sa.Table, ids: Sequence[str], dialect: str) -> sa.ColumnElement[bool]:
    """
    Events whose ``record_ids`` hold one of *ids*.

    PostgreSQL: JSON containment (``jsonb ?|``); SQLite: ``json_each``.
    """
    if dialect == "postgresql":
        array = sa.cast(
            sa.bindparam(None, list(ids), type_=postgresql.ARRAY(sa.Text)),
            postgresql.ARRAY(sa.Text),
        )
        found: sa.ColumnElement[bool] = sa.cast(table.c.record_ids, postgresql.JSONB).has_any(array)
        return found
    each = sa.func.json_each(table.c.record_ids).table_valued("value")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value.in_(list(ids))))


def filter_clause(table: sa.Table, dialect: str, wanted: Any) -> sa.ColumnElement[bool]:
    """
    The WHERE clause of `AuditLog.events`' checked filters (an ``EventFilter``).
    """
    parts: list[sa.ColumnElement[bool]] = []
    if wanted.record_id is not None:
        parts.append(naming_any(table, [wanted.record_id], dialect))
    for name in ("actor", "action", "schema"):
        value = getattr(wanted, name)
        if value is not None:
            parts.append(table.c[name] == value)
    if wanted.since is not None:
        parts.append(table.c.at >= wanted.since)
    if wanted.until is not None:
        parts.append(table.c.at < wanted.until)
    return sa.and_(sa.true(), *parts)


def event_of(row: Any) -> AuditEvent:
    """
    The event a stored row holds (its payload as `AuditLog._joined_changes` reads it).

    Raises:
        StoreError: the row holds data recordkit cannot read.
    """
    try:
        digest = row.payload_digest
        changes: dict[str, Any] = {}
        if digest is None:
            detail = dict(row.detail)  # written before payload digests
        elif row.redacted or row.payload is None:
            detail = {}
        else:
            payload = json.loads(row.payload)
            detail = dict(payload["detail"])
            changes = AuditLog._joined_changes(payload["before"], payload["after"])
        return AuditEvent(
            int(row.seq),
            utc(row.at),
            row.actor,
            row.action,
            row.schema,
            tuple(row.record_ids),
            tuple(row.fields),
            detail,
            row.prev_hash,
            row.hash,
            changes=changes,
            payload_digest=digest,
            redacted=bool(row.redacted),
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise StoreError(
            f"audit event {shorten(row.seq)} holds data recordkit cannot read: {exc}"
        ) from None
