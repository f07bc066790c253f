"""
Verifying the audit table: its events' stored text walked through a `Chain`, oldest first.

`verify` hashes what the database holds (the header's JSON columns and the payload as
stored), so a byte changed anywhere in a row changes a hash; a row that cannot be read is
reported, not raised. The events and the head row are read through one connection (one
snapshot on SQLite).

On SQLite the events stream from one query in batches, and a batch of well-formed events
is checked column by column (types and times checked over whole columns, the header texts
built in one comprehension, every SHA-256 taken by mapping and its raw digest joined into
one hex text per column, compared with the stored hashes joined), without a Python step
per event; a batch where anything differs from the common case is walked
event by event, so the report names the first bad event exactly as the general walk does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, NamedTuple, Protocol

import sqlalchemy as sa

from recordkit._errors import shorten
from recordkit._gc import collector_paused
from recordkit.governance import AuditEvent, Checkpoint
from recordkit.store.sql._codec import utc
from recordkit.store.sql._engine import translate

__all__ = ["Chain", "head_of", "walk_chain"]

ChainEntry = tuple[int, str, str, str, str | None]


class Chain(Protocol):
    """
    The walk `AuditLog.verify` runs over the events (what this module uses of it).
    """

    seq: int
    prev: str
    checkpoint: Checkpoint | None

    def walk(self, entries: Iterable[ChainEntry]) -> bool:
        """
        Check *entries* in order; false when a problem stops the walk.
        """

    def leap(self, seq: int, head_hash: str, count: int) -> None:
        """
        Move on over *count* events checked in bulk, the last number *seq*, hash *head_hash*.
        """


_PAGE: Final = 5000
_BATCH: Final = 10_000

_TIME: Final = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}"
_SQLITE_TIME: Final = re.compile(_TIME, re.ASCII)
"""
A time exactly as SQLAlchemy writes it in SQLite (UTC): read without parsing.
"""
_SQLITE_TIMES: Final = re.compile(rf"(?:{_TIME}\n)*{_TIME}", re.ASCII)
"""
Such times, one a line (a batch's, joined: every one of them 26 characters long).
"""
_SHA256: Final = hashlib.sha256
_DIGEST: Final = type(hashlib.sha256()).digest
"""
A SHA-256 object's raw digest, as a function (to map over a batch's hashes).
"""


def walk_chain(
    conn: sa.Connection,
    table: sa.Table,
    chain: Chain,
    header_hash: Callable[..., str],
    digest_of: Callable[[str], str],
) -> None:
    """
    Walk *chain* over the events of *table*, oldest first, until it finds a problem.
    """
    if conn.dialect.name == "sqlite":
        # batches of rows, hashes and texts, and no reference cycles: nothing for the
        # cyclic collector to find, however often the batches would have it look
        with collector_paused():
            _walk_sqlite(conn, table, chain, header_hash, digest_of)
        return
    cols = _columns(table, sqlite=False)
    last: Any = None
    while True:
        stmt = sa.select(*cols).order_by(table.c.seq).limit(_PAGE)
        if last is not None:
            stmt = stmt.where(table.c.seq > last)
        rows = conn.execute(stmt).all()
        if not chain.walk(_entry(row, None, header_hash, digest_of) for row in rows):
            return
        if len(rows) < _PAGE:
            return
        last = rows[-1].order


def head_of(conn: sa.Connection, head_t: sa.Table) -> tuple[int, str]:
    """
    The head row's sequence number and hash; ``-1`` and the problem when it is unusable.
    """
    row = conn.execute(sa.select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)).first()
    if row is None:
        return (-1, "the head row is missing")
    try:
        return (int(row.seq), str(row.hash))
    except (TypeError, ValueError):
        return (-1, f"the head row holds {shorten(row.seq)}")


def _columns(t: sa.Table, *, sqlite: bool) -> tuple[sa.ColumnElement[Any], ...]:
    """
    The columns `_entry` reads of an event (JSON and, on SQLite, times as stored text).
    """
    text = sa.Text
    return (
        sa.type_coerce(t.c.seq, sa.Integer).label("seq"),
        sa.cast(t.c.at, text).label("at") if sqlite else t.c.at,
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


class _Row(NamedTuple):
    """
    A row of `_columns` (but ``order``) as the SQLite driver gives it: what `_entry` reads.
    """

    seq: Any
    at: Any
    actor: Any
    action: Any
    schema: Any
    record_ids: Any
    fields: Any
    detail: Any
    prev_hash: Any
    hash: Any
    payload: Any
    payload_digest: Any
    redacted: Any


class _Names(dict[tuple[object, object, object], str]):
    """
    Actor, action and schema → their part of the header text, quoted by ``json.dumps``.
    """

    def __missing__(self, key: tuple[object, object, object]) -> str:
        dumps = json.dumps
        text = self[key] = f"{dumps(key[0])}, {dumps(key[1])}, {dumps(key[2])}"
        return text


def _walk_sqlite(
    conn: sa.Connection,
    table: sa.Table,
    chain: Chain,
    header_hash: Callable[..., str],
    digest_of: Callable[[str], str],
) -> None:
    """
    `walk_chain` on SQLite: one streaming read of the driver's rows, batch by batch.
    """
    stmt = sa.select(*_columns(table, sqlite=True)[:-1]).order_by(table.c.seq)
    result = conn.execute(stmt)
    cursor = result.cursor
    errors = conn.dialect.loaded_dbapi.Error
    names = _Names()
    render = _sqlite_time()
    try:
        while True:
            try:
                rows = cursor.fetchmany(_BATCH)
            except errors as exc:
                raise translate(exc, "verifying the audit trail") from exc
            if not rows:
                return
            if _leap(chain, rows, names):
                continue
            if not chain.walk(_entries(rows, names, render, header_hash, digest_of)):
                return
    finally:
        result.close()


def _leap(chain: Chain, rows: Sequence[tuple[Any, ...]], names: _Names) -> bool:
    """
    Check a batch of well-formed events with their payloads at once; false for any other.

    True only when every event of *rows* passes every check `_entries` and `Chain.walk`
    make of it (the chain then stands after the batch); false leaves the chain as it was.
    """
    (seqs, ats, actors, actions, schemas, ids, fields, details, prevs, stored, payloads,
     digests, redacted) = zip(*rows, strict=True)  # fmt: skip
    first = chain.seq + 1
    count = len(rows)
    checkpoint = chain.checkpoint
    if not (
        set(details) == {"{}"}
        and set(redacted) == {0}
        and set(map(type, seqs)) == {int}
        and seqs == tuple(range(first, first + count))
        and (checkpoint is None or not first <= checkpoint.seq < first + count)
        and prevs[0] == chain.prev
        and prevs[1:] == stored[:-1]
    ):
        return False
    try:
        # ``join`` takes text only (a TypeError for anything else): with the lengths, it
        # makes whole-column comparisons as exact as comparing event by event. Record ids
        # and fields are read cast to text, as the event by event walk hashes them.
        times = "\n".join(ats)
        hashes = "".join(stored)
        sums = "".join(digests)
        if not (
            set(map(len, stored)) == {64}
            and set(map(len, digests)) == {64}
            and len(times) == 27 * count - 1  # every time 26 characters (the pattern's)
            and _SQLITE_TIMES.fullmatch(times)
        ):
            return False
        # one SHA-256 per payload and per header, mapped (no Python step per event), as
        # raw digests: their hex is made once for the batch
        if b"".join(map(_DIGEST, map(_SHA256, map(str.encode, payloads)))).hex() != sums:
            return False
        # a time's "YYYY-MM-DD HH:MM:SS.ffffff" as isoformat writes it: a space and a
        # period occur nowhere else in the batch's times, so whole-text replacements
        # give each its T, and drop the microseconds exactly where they are zero
        whens = times.replace(".000000", "").replace(" ", "T").split("\n")
        quoted = map(names.__getitem__, zip(actors, actions, schemas, strict=True))
        headers = [
            f'[{n}, "{w}+00:00", {q}, {i}, {f}, "{d}", "{p}"]'
            for n, w, q, i, f, d, p in zip(
                seqs, whens, quoted, ids, fields, digests, prevs, strict=True
            )
        ]
        if b"".join(map(_DIGEST, map(_SHA256, map(str.encode, headers)))).hex() != hashes:
            return False
    except (TypeError, UnicodeEncodeError):
        # a value not text, or text with lone surrogates: the event by event walk reads it
        return False
    chain.leap(seqs[-1], stored[-1], count)
    return True


def _entries(
    rows: Sequence[tuple[Any, ...]],
    names: _Names,
    render: Callable[[dt.datetime], str],
    header_hash: Callable[..., str],
    digest_of: Callable[[str], str],
) -> list[ChainEntry]:
    """
    What `Chain.walk` checks of each of *rows*, one by one.

    The common case is hashed from the stored text (as `AuditEvent.content_hash` builds
    it), any other row by `_entry`.
    """
    sha256 = hashlib.sha256
    timely = _SQLITE_TIME.fullmatch
    out: list[ChainEntry] = []
    for row in rows:
        (seq, at, actor, action, schema, ids, fields, detail, prev, stored, payload, digest,
         redacted) = row  # fmt: skip
        # A digest or prev_hash that is not hex needs no check of its own: it cannot equal
        # the SHA-256 it is compared with, so the payload or link check fails.
        if (
            redacted != 0
            or detail != "{}"
            or seq.__class__ is not int
            or payload.__class__ is not str
            or digest.__class__ is not str
            or prev.__class__ is not str
            or ids.__class__ is not str
            or fields.__class__ is not str
            or at.__class__ is not str
            or not timely(at)
        ):
            out.append(_entry(_Row._make(row), render, header_hash, digest_of))
            continue
        when = f"{at[:10]}T{at[11:19]}{'' if at.endswith('.000000') else at[19:]}+00:00"
        quoted = names[actor, action, schema]
        text = f'[{seq}, "{when}", {quoted}, {ids}, {fields}, "{digest}", "{prev}"]'
        computed = sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if sha256(payload.encode("utf-8", "surrogatepass")).hexdigest() == digest:
            out.append((seq, prev, stored, computed, None))
        else:
            problem = f"the payload of event {seq} does not match its digest (altered)"
            out.append((seq, prev, stored, computed, problem))
    return out


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
