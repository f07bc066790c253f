"""
Bulk upsert through SQLAlchemy Core: read what is stored, resolve per field, write in bulk.

The stored rows' versions and provenance summaries (``rk_stamps``) are read in chunks, each
incoming record's fields are weighed against them (`Resolver`), and the result goes back as
one ``executemany`` INSERT for new records and one ``executemany`` UPDATE per statement shape
(usually one) for the rest. When every incoming observation beats every stored one, the
summary settles the record and its stored provenance JSON is not even read; otherwise (a
field that loses, the stored observation imported again, a row with no summary) it is read
in a second pass with the row's version (which must not have moved since the first: else
`ConflictError`), decoded, checked against the summary, and resolved field by field.

Each UPDATE is guarded by the version it read (optimistic locking, no row locks): if a
concurrent writer changed a row in between, the whole upsert rolls back with a
`ConflictError` and can be retried, so nothing is overwritten unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from recordkit._errors import ConflictError, StoreError, shorten
from recordkit._gc import collector_paused
from recordkit._resolve import Resolver
from recordkit.schema import Record
from recordkit.store._entries import UpsertResult
from recordkit.store.sql._bulk import executemany
from recordkit.store.sql._codec import RecordCodec, utc
from recordkit.store.sql._sealed import SEAL_ROWS, Unsealed
from recordkit.store.sql._sqlite_batch import indexes_after, page_cache
from recordkit.store.sql._stamps import Group
from recordkit.store.sql._tables import IDS_PER_SELECT, id_in

__all__ = ["upsert"]


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


class Stored(NamedTuple):
    """
    What the first read gives of a stored row: enough to settle most records.

    Attributes:
        id: ``rk_id``.
        version: ``rk_version``, as the driver gives it (checked before it guards an UPDATE).
        stamps: ``rk_stamps``, the summary of the row's provenance (``None``: none kept).
        extras: ``rk_extras``, fields present with no value and values of undeclared fields.
        updated_at: ``rk_updated_at``.
    """

    id: str
    version: Any
    stamps: Any
    extras: Any
    updated_at: Any


class Encoded(NamedTuple):
    """
    A stored record's incoming provenance, encoded, and whether the stamps settle it.

    Attributes:
        provenance: the JSON data (``{field: (source, observed_at, raw)}``).
        stamps: its ``rk_stamps`` text.
        settled: every incoming observation beats every stored one, so every field wins
            without reading the stored provenance.
    """

    provenance: dict[str, Any]
    stamps: str
    settled: bool


class Plan(NamedTuple):
    """
    What an upsert writes: the ids by outcome, the new rows, the changed rows by shape.

    Attributes:
        created: ids of the records inserted.
        updated: ids of the stored records that changed.
        unchanged: ids of the stored records every field of which lost.
        inserts: the rows to insert.
        updates: the rows to update, grouped by statement shape (their keys, in order).
    """

    created: list[str]
    updated: list[str]
    unchanged: list[str]
    inserts: list[dict[str, Any]]
    updates: dict[tuple[str, ...], list[dict[str, Any]]]


def _settle(
    codec: RecordCodec,
    records: Sequence[Record],
    existing: dict[str, Stored],
    resolver: Resolver,
) -> dict[str, Encoded]:
    """
    Encode the provenance of the *records* that are stored, and settle what the stamps can.

    The common case: every incoming observation beats every stored one, and every stored
    stamp is replaced, so every field wins without looking at the stored provenance.
    """
    summaries = codec.summaries
    beats = resolver.beats
    out: dict[str, Encoded] = {}
    for r in records:
        stored = existing.get(r.id)
        if stored is None:
            continue
        values = r.values
        incoming = r.provenance
        prov, stamps, groups = codec.provenance(incoming, r.id, values)
        settled = False
        if stored.stamps is not None and incoming.keys() == values.keys():
            known = summaries.parse(stored.stamps, r.id)
            settled = known.fields <= values.keys() and _beat_all(beats, groups, known.groups)
        out[r.id] = Encoded(prov, stamps, settled)
    return out


def _plan(
    codec: RecordCodec,
    records: Sequence[Record],
    existing: dict[str, Stored],
    encoded: dict[str, Encoded],
    provenance: dict[str, Any],
    resolver: Resolver,
    written: dict[str, dict[str, Any]] | None = None,
) -> Plan:
    """
    Resolve *records* against the *existing* rows.

    *encoded* is what `_settle` made of the stored records, and *provenance* holds the
    stored provenance (as text) of those it did not settle. *written*, when given, gets
    each written record's fields (field → value; a created record's unset fields left out).
    """
    owner_field = codec.schema.owner_field
    sealed = (
        None if codec.sealer is None else {n: codec.st.columns[n][0] for n in codec.sealer.fields}
    )
    # encrypted fields are sealed SEAL_ROWS rows at a time, together (one pass)
    unsealed: list[Unsealed] | None = None if sealed is None else []
    # the written records whose audit values are the sealed text their rows get: each
    # one's id, row and the fields an update wrote (None: created)
    sealed_later: list[tuple[str, dict[str, Any], list[str] | None]] = []
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    inserts: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for r in records:
        stored = existing.get(r.id)
        if unsealed is not None and len(unsealed) >= SEAL_ROWS:
            _seal_pass(codec, unsealed, written, sealed_later, sealed)
        if stored is None:
            row = codec.encode(r, unsealed)
            inserts.append(row)
            created.append(r.id)
            if written is not None:
                written[r.id] = {n: v for n, v in r.values.items() if v is not None}
                if sealed is not None:
                    sealed_later.append((r.id, row, None))
            continue
        values = r.values
        prov, stamps, settled = encoded[r.id]
        if settled:
            won = list(values)
        else:
            old = provenance[r.id]
            won, prov, stamps = _resolve(codec, r, stored.stamps, old, resolver, prov, stamps)
        if not won:
            unchanged.append(r.id)
            continue
        version = stored.version
        if version.__class__ is not int:
            raise StoreError(
                f"table {codec.table.name}: record {shorten(r.id)} column 'rk_version' holds "
                f"{shorten(version)}, not a whole number"
            )
        row = {"b_id": r.id, "b_version": version, "rk_version": version + 1}
        everything = len(won) == len(values)
        new_extras = codec.fields(
            r, values if everything else {n: values[n] for n in won}, row, unsealed=unsealed
        )
        row["rk_provenance"] = prov
        row["rk_stamps"] = stamps
        row["rk_extras"] = _extras(stored.extras, won, new_extras, r.id)
        row["rk_updated_at"] = max(utc(stored.updated_at), utc(r.updated_at))
        if owner_field is not None and owner_field in won:
            row["rk_owner"] = r.owner
        changed.append(row)
        updated.append(r.id)
        if written is not None:
            written[r.id] = {n: values[n] for n in won}
            if sealed is not None:
                sealed_later.append((r.id, row, won))
    if unsealed:
        _seal_pass(codec, unsealed, written, sealed_later, sealed)
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in changed:  # a row's sealed columns are in it now
        shapes.setdefault(tuple(row), []).append(row)  # same fields, same order: one shape
    return Plan(created, updated, unchanged, inserts, shapes)


def _seal_pass(
    codec: RecordCodec,
    unsealed: list[Unsealed],
    written: dict[str, dict[str, Any]] | None,
    later: list[tuple[str, dict[str, Any], list[str] | None]],
    sealed: Mapping[str, str] | None,
) -> None:
    """
    Seal the rows of one pass, and give their records' audit values the sealed text.

    The audit values are taken while the pass's rows are at hand: a batch of 100,000 rows
    walked again at the end reads each row back from main memory.
    """
    codec.seal(unsealed)
    unsealed.clear()
    if written is not None and sealed is not None:
        _seal_written(written, later, sealed)
        later.clear()


def _seal_written(
    written: dict[str, dict[str, Any]],
    later: Sequence[tuple[str, dict[str, Any], list[str] | None]],
    sealed: Mapping[str, str],
) -> None:
    """
    Put the sealed text each encrypted field's column got into *written* (the audit event).

    *later* holds each written record's id, row, and the fields an update wrote (None: a
    created record, whose fields without a value are left out).
    """
    sealed_columns = tuple(sealed.items())
    for record_id, row, won in later:
        done = written[record_id]
        if won is not None:
            written[record_id] = _written(sealed, row, done, won, nulls=True)
            continue
        for n, column in sealed_columns:
            if n in done:
                done[n] = row[column]


def _written(
    sealed: Mapping[str, str] | None,
    row: dict[str, Any],
    values: Mapping[str, Any],
    names: Iterable[str],
    *,
    nulls: bool,
) -> dict[str, Any]:
    """
    What a record's audit event holds of the fields *names* it wrote.

    With encryption (*sealed*: encrypted field → its column), an encrypted field's value
    is the sealed text its column got, never the value. *nulls*: keep fields set to None.
    """
    out: dict[str, Any] = {}
    for n in names:
        v = values[n]
        if v is None:
            if nulls:
                out[n] = None
        elif sealed is not None and n in sealed:
            out[n] = row[sealed[n]]
        else:
            out[n] = v
    return out


def _beat_all(
    beats: Callable[[str, str, str, str], bool | None],
    groups: Sequence[Group],
    stored: Sequence[tuple[str, str, Any]],
) -> bool:
    """
    Whether every incoming observation (*groups*) beats every *stored* one outright.
    """
    for their_source, their_at, _ in stored:
        for source, at in groups:
            if beats(source, at, their_source, their_at) is not True:
                return False
    return True


def _resolve(
    codec: RecordCodec,
    r: Record,
    stored_stamps: Any,
    stored_provenance: Any,
    resolver: Resolver,
    prov: dict[str, Any],
    stamps: str,
) -> tuple[list[str], dict[str, Any], str]:
    """
    Resolve *r* field by field against the stored provenance (JSON text) and its stamps.

    *prov* and *stamps* are *r*'s own, encoded. Returns the winning fields, and the
    provenance and stamps the row gets.

    Raises:
        StoreError: the stored provenance cannot be read, or its summary disagrees with it.
    """
    old = codec.stored_provenance(stored_provenance, r.id)
    summaries = codec.summaries
    summaries.check(stored_stamps, old, r.id)
    sealer = codec.sealer
    won = resolver.winners(r, old if sealer is None else sealer.open_provenance(r.id, old))
    names = r.values.keys()
    if not won or (len(won) == len(names) and old.keys() <= names and prov.keys() <= names):
        return won, prov, stamps  # every stored field is replaced
    merged = dict(old)
    for name in won:
        merged.pop(name, None)
    merged.update((n, prov[n]) for n in won if n in prov)
    return won, merged, summaries.text(merged)[0]


def _read(
    conn: sa.Connection,
    t: sa.Table,
    cols: Sequence[sa.ColumnElement[Any]],
    ids: Sequence[str],
    dialect: str,
) -> list[Sequence[Any]]:
    """
    The rows with *ids* (those stored), *cols* of each.

    Raises:
        StoreError: a value cannot be read.
    """
    found: list[Sequence[Any]] = []
    for start in range(0, len(ids), IDS_PER_SELECT):
        chunk = ids[start : start + IDS_PER_SELECT]
        stmt = sa.select(*cols).where(id_in(t.c.rk_id, chunk, dialect))
        try:
            found.extend(conn.execute(stmt).all())
        except (ValueError, TypeError) as exc:
            raise StoreError(
                f"table {t.name}: a stored row's extras or times cannot be read "
                f"({shorten(str(exc), 160)})"
            ) from None
    return found


def upsert(
    conn: sa.Connection,
    codec: RecordCodec,
    records: Sequence[Record],
    precedence: Sequence[str],
    dialect: str,
    written: dict[str, dict[str, Any]] | None = None,
) -> UpsertResult:
    """
    Upsert *records* (all of *codec*'s schema, distinct ids) inside *conn*'s transaction.

    When *written* is given, it is filled with what was written, for the audit event:
    record id → field → value (the stored value an update replaced is not read).

    Raises:
        ConflictError: a stored row changed between the read and the write.
        StoreError: a stored row's provenance, its summary or its extras cannot be read,
            or the summary disagrees with the provenance.
    """
    # A batch makes hundreds of thousands of short-lived, acyclic objects (rows, JSON
    # tuples, driver parameters); scanning them for cycles cost as much as encoding them.
    with collector_paused(), page_cache(conn, len(records)):
        return _upsert(conn, codec, records, precedence, dialect, written)


def _upsert(
    conn: sa.Connection,
    codec: RecordCodec,
    records: Sequence[Record],
    precedence: Sequence[str],
    dialect: str,
    written: dict[str, dict[str, Any]] | None,
) -> UpsertResult:
    resolver = Resolver(precedence)
    t = codec.table
    ids = [r.id for r in records]
    cols = (t.c.rk_id, t.c.rk_version, t.c.rk_stamps, t.c.rk_extras, t.c.rk_updated_at)
    existing = {row[0]: Stored._make(row) for row in _read(conn, t, cols, ids, dialect)}
    sealer = codec.sealer
    if sealer is None:
        return _write(conn, codec, records, existing, resolver, dialect, written)
    fresh = {i for i in ids if i not in existing}
    with sealer.keyring.scope(conn, ids, create=True, fresh=fresh):
        return _write(conn, codec, records, existing, resolver, dialect, written)


def _write(
    conn: sa.Connection,
    codec: RecordCodec,
    records: Sequence[Record],
    existing: dict[str, Stored],
    resolver: Resolver,
    dialect: str,
    written: dict[str, dict[str, Any]] | None,
) -> UpsertResult:
    """
    Resolve *records* against the *existing* rows and write them (inside a key scope).
    """
    t = codec.table
    encoded = _settle(codec, records, existing, resolver)
    # The provenance of the rows the stamps did not settle, as text: read again with the
    # version, which must not have moved since the first read.
    unsettled = [i for i, e in encoded.items() if not e.settled]
    provenance: dict[str, Any] = {}
    if unsettled:
        text = sa.cast(t.c.rk_provenance, sa.Text)
        for record_id, version, stored_provenance in _read(
            conn, t, (t.c.rk_id, t.c.rk_version, text), unsettled, dialect
        ):
            provenance[record_id] = stored_provenance
            first = existing[record_id].version
            if version != first:
                raise ConflictError(record_id, expected=int(first), actual=version)
        gone = next((i for i in unsettled if i not in provenance), None)
        if gone is not None:
            raise ConflictError(gone, expected=int(existing[gone].version), actual=None)
    plan = _plan(codec, records, existing, encoded, provenance, resolver, written)
    if plan.inserts:
        blind = () if codec.sealer is None else codec.sealer.index.values()
        with indexes_after(conn, t, frozenset(blind), len(plan.inserts)):
            executemany(conn, t.insert(), plan.inserts)
    guard = sa.and_(t.c.rk_id == sa.bindparam("b_id"), t.c.rk_version == sa.bindparam("b_version"))
    for rows in plan.updates.values():
        result = executemany(conn, t.update().where(guard), rows)
        if conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(rows):
            raise ConflictError(
                str(rows[0]["b_id"]), expected=int(rows[0]["b_version"]), actual=None
            )
    return UpsertResult(tuple(plan.created), tuple(plan.updated), tuple(plan.unchanged))
