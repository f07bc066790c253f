"""
Bulk upsert through SQLAlchemy Core: read what is stored, resolve per field, write in bulk.

The stored rows' versions and provenance are read in chunks, each incoming record's fields
are weighed against them (`Resolver`), and the result goes back as one ``executemany`` INSERT
for new records and one ``executemany`` UPDATE per statement shape (usually one) for the
rest. Each UPDATE is guarded by the version it read (optimistic locking, no row locks): if a
concurrent writer changed a row in between, the whole upsert rolls back with a
`ConflictError` and can be retried, so nothing is overwritten unseen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import sqlalchemy as sa

from recordkit._errors import ConflictError, StoreError, shorten
from recordkit.rules._chunk import collector_paused
from recordkit.schema import Record
from recordkit.store._entries import UpsertResult
from recordkit.store._resolve import Resolver
from recordkit.store._sqlalchemy_codec import RecordCodec, utc
from recordkit.store._sqlalchemy_tables import id_in

__all__ = ["upsert"]

CHUNK: Final = 5000
"""
Ids per SELECT … IN (…): below SQLite's and PostgreSQL's bound-parameter limits.
"""


def _extras(old: Any, won: Sequence[str], new: Any, record_id: str) -> Any:
    if old is None and new is None:
        return None
    try:
        old_map = dict(old or {})
        new_map = dict(new or {})
        skip = set(won)
        nulls = [str(n) for n in old_map.get("nulls", ()) if n not in skip]
        nulls.extend(new_map.get("nulls", ()))
        unknown = {k: v for k, v in dict(old_map.get("unknown", {})).items() if k not in skip}
        unknown.update(new_map.get("unknown", {}))
    except (TypeError, ValueError, AttributeError):
        raise StoreError(
            f"record {shorten(record_id)} column 'rk_extras' holds data recordkit cannot read"
        ) from None
    out: dict[str, Any] = {}
    if nulls:
        out["nulls"] = nulls
    if unknown:
        out["unknown"] = unknown
    return out or None


Plan = tuple[
    list[str],
    list[str],
    list[str],
    list[dict[str, Any]],
    dict[tuple[str, ...], list[dict[str, Any]]],
]


def _plan(
    codec: RecordCodec, records: Sequence[Record], existing: dict[str, Any], resolver: Resolver
) -> Plan:
    """
    Resolve *records* against the *existing* rows.

    Returns the ids by outcome, the rows to insert, and the rows to update grouped by
    statement shape.
    """
    owner_field = codec.schema.owner_field
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    inserts: list[dict[str, Any]] = []
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in records:
        stored = existing.get(r.id)
        if stored is None:
            inserts.append(codec.encode(r))
            created.append(r.id)
            continue
        old_prov = stored[2]
        won = resolver.winners(r, codec.stamps(old_prov, r.id))
        if not won:
            unchanged.append(r.id)
            continue
        version = int(stored[1])
        row: dict[str, Any] = {"b_id": r.id, "b_version": version, "rk_version": version + 1}
        new_extras = codec.encode_fields(r, won, row)
        incoming = r.provenance
        names = r.values.keys()
        if len(won) == len(names) and old_prov.keys() <= names and incoming.keys() <= names:
            prov = codec.provenance(incoming, r.id)  # every stored field is replaced
        else:
            prov = dict(old_prov)
            for name in won:
                prov.pop(name, None)
            prov.update(codec.provenance({n: incoming[n] for n in won if n in incoming}, r.id))
        row["rk_provenance"] = prov
        row["rk_extras"] = _extras(stored[3], won, new_extras, r.id)
        row["rk_updated_at"] = max(utc(stored[4]), utc(r.updated_at))
        if owner_field is not None and owner_field in won:
            row["rk_owner"] = r.owner
        shapes.setdefault(tuple(row), []).append(row)  # same fields, same order: one shape
        updated.append(r.id)
    return created, updated, unchanged, inserts, shapes


def upsert(
    conn: sa.Connection,
    codec: RecordCodec,
    records: Sequence[Record],
    precedence: Sequence[str],
    dialect: str,
) -> UpsertResult:
    """
    Upsert *records* (all of *codec*'s schema, distinct ids) inside *conn*'s transaction.

    Raises:
        ConflictError: a stored row changed between the read and the write.
        StoreError: a stored row's provenance or extras cannot be read.
    """
    # A batch makes hundreds of thousands of short-lived, acyclic objects (rows, JSON
    # tuples, driver parameters); scanning them for cycles cost as much as encoding them.
    with collector_paused():
        return _upsert(conn, codec, records, precedence, dialect)


def _upsert(
    conn: sa.Connection,
    codec: RecordCodec,
    records: Sequence[Record],
    precedence: Sequence[str],
    dialect: str,
) -> UpsertResult:
    resolver = Resolver(precedence)
    t = codec.table
    existing: dict[str, Any] = {}
    ids = [r.id for r in records]
    cols = (t.c.rk_id, t.c.rk_version, t.c.rk_provenance, t.c.rk_extras, t.c.rk_updated_at)
    for start in range(0, len(ids), CHUNK):
        stmt = sa.select(*cols).where(id_in(t.c.rk_id, ids[start : start + CHUNK], dialect))
        try:
            existing.update((row[0], row) for row in conn.execute(stmt))
        except (ValueError, TypeError) as exc:
            raise StoreError(
                f"table {t.name}: a stored row's provenance or extras cannot be read "
                f"({shorten(str(exc), 160)})"
            ) from None
    created, updated, unchanged, inserts, shapes = _plan(codec, records, existing, resolver)
    if inserts:
        conn.execute(t.insert(), inserts)
    guard = sa.and_(t.c.rk_id == sa.bindparam("b_id"), t.c.rk_version == sa.bindparam("b_version"))
    for rows in shapes.values():
        result = conn.execute(t.update().where(guard), rows)
        if conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(rows):
            raise ConflictError(
                str(rows[0]["b_id"]), expected=int(rows[0]["b_version"]), actual=None
            )
    return UpsertResult(tuple(created), tuple(updated), tuple(unchanged))
