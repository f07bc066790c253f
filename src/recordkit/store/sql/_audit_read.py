"""
Reading the audit table: filters as SQL, rows as events, and the stored text `verify` hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from recordkit._errors import StoreError, shorten
from recordkit.governance import AuditEvent, AuditLog
from recordkit.store.sql._codec import utc

if TYPE_CHECKING:
    from recordkit.store.sql._session import Database

__all__ = ["chain_entries", "event_of", "filter_clause", "naming_any"]

_PAGE = 5000

_SQLITE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
"""
A time exactly as SQLAlchemy writes it in SQLite (UTC): read without parsing.
"""


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


def chain_entries(
    db: Database,
    table: sa.Table,
    header_hash: Callable[..., str],
    digest_of: Callable[[str], str],
) -> Iterator[ChainEntry]:
    """
    What `verify` checks of each event, from the stored text, oldest first.

    The header's JSON columns and the payload are hashed as stored, so a byte changed
    anywhere in a row changes a hash; a row that cannot be read is reported, not raised.
    """
    sqlite = db.dialect == "sqlite"
    t = table
    text = sa.Text
    at = sa.cast(t.c.at, text).label("at") if sqlite else t.c.at
    cols = (
        sa.type_coerce(t.c.seq, sa.Integer).label("seq"),
        at,
        t.c.actor,
        t.c.action,
        t.c.schema,
        sa.cast(t.c.record_ids, text).label("record_ids"),
        sa.cast(t.c.fields, text).label("fields"),
        sa.cast(t.c.detail, text).label("detail"),
        t.c.prev_hash,
        t.c.hash,
        t.c.payload,
        t.c.payload_digest,
        sa.type_coerce(t.c.redacted, sa.Integer).label("redacted"),
        t.c.seq.label("order"),
    )
    render = _sqlite_time() if sqlite else None
    last: Any = None
    while True:
        stmt = sa.select(*cols).order_by(t.c.seq).limit(_PAGE)
        if last is not None:
            stmt = stmt.where(t.c.seq > last)
        with db.reader("verifying the audit trail") as conn:
            rows = conn.execute(stmt).all()
        fast = _Fast()
        for row in rows:
            entry = fast.entry(row) if sqlite else None
            yield entry or _entry(row, render, header_hash, digest_of)
        if len(rows) < _PAGE:
            return
        last = rows[-1].order


class _Fast:
    """
    The common case on SQLite, without decoding: a well-formed event with its payload.

    Builds the same header text as `AuditEvent.content_hash` (``header_hash``): the time
    rewritten from SQLite's text to ISO form, names quoted by ``json.dumps`` (memoized:
    they repeat), hex digests quoted as they are. Anything else takes `_entry`.
    """

    def __init__(self) -> None:
        self.quoted: dict[tuple[object, object, object], str] = {}

    def names(self, actor: object, action: object, schema: object) -> str:
        key = (actor, action, schema)
        found = self.quoted.get(key)
        if found is None:
            found = f"{json.dumps(actor)}, {json.dumps(action)}, {json.dumps(schema)}"
            self.quoted[key] = found
        return found

    def entry(self, row: Any) -> ChainEntry | None:
        # A digest or prev_hash that is not hex needs no check of its own: it cannot
        # equal the SHA-256 it is compared with, so the payload or link check fails.
        (seq, at, actor, action, schema, ids, fields, detail, prev, stored, payload, digest,
         redacted, _) = row  # fmt: skip
        if (
            digest.__class__ is not str
            or payload.__class__ is not str
            or redacted != 0
            or detail != "{}"
            or seq.__class__ is not int
            or at.__class__ is not str
            or not _SQLITE_TIME.fullmatch(at)
            or prev.__class__ is not str
            or ids.__class__ is not str
            or fields.__class__ is not str
        ):
            return None
        micro = "" if at.endswith(".000000") else at[19:]
        when = f"{at[:10]}T{at[11:19]}{micro}+00:00"
        names = self.names(actor, action, schema)
        text = f'[{seq}, "{when}", {names}, {ids}, {fields}, "{digest}", "{prev}"]'
        computed = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        problem = None
        if hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest() != digest:
            problem = f"the payload of event {seq} does not match its digest (altered)"
        return (seq, prev, stored, computed, problem)


def _sqlite_time() -> Callable[[dt.datetime], str]:
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    process = sa.DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    return process


def _entry(
    row: Any,
    render: Callable[[dt.datetime], str] | None,
    header_hash: Callable[..., str],
    digest_of: Callable[[str], str],
) -> ChainEntry:
    seq = row.seq
    if not isinstance(seq, int) or isinstance(seq, bool):
        return (-1, "", "", "", f"an event's seq holds {shorten(seq)}, not a number")
    try:
        if render is not None:
            raw = row.at
            when = dt.datetime.fromisoformat(raw)
            if render(when) != raw:
                raise ValueError(f"time {shorten(raw)} is not as recordkit writes it")
            at = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
        else:
            at = utc(row.at)
        digest = row.payload_digest
        if digest is None:  # written before payload digests: the hash covers detail
            event = AuditEvent(
                seq,
                at,
                row.actor,
                row.action,
                row.schema,
                tuple(json.loads(row.record_ids)),
                tuple(json.loads(row.fields)),
                dict(json.loads(row.detail)),
                row.prev_hash,
                row.hash,
                payload_digest=None,
            )
            return (seq, row.prev_hash, row.hash, event.content_hash(), None)
        problem = None
        redacted = row.redacted
        if row.detail != "{}":
            problem = f"event {seq} holds data in column detail, outside its payload"
        elif redacted not in (0, 1, None):
            problem = f"event {seq}'s redacted flag holds {shorten(redacted)}"
        elif redacted:
            if row.payload is not None:
                problem = f"event {seq} is marked redacted but still holds a payload"
        elif row.payload is None:
            problem = f"event {seq} lost its payload without being redacted"
        elif digest_of(row.payload) != digest:
            problem = f"the payload of event {seq} does not match its digest (altered)"
        computed = header_hash(
            seq,
            at.isoformat(),
            row.actor,
            row.action,
            row.schema,
            row.record_ids,
            row.fields,
            digest,
            row.prev_hash,
        )
        return (seq, row.prev_hash, row.hash, computed, problem)
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        return (seq, "", "", "", f"event {seq} cannot be read: {shorten(str(exc), 120)}")
