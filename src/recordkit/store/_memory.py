"""
`MemoryStore`: the default store, thread-safe dictionaries of immutable values.

Transactions keep an undo journal (`Journal`): every change a block makes is undone, newest
first, when the block raises. One lock serializes writers (and a whole transaction), so the
store is safe to share between threads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager

import attrs

from recordkit._errors import ConflictError, NotFound, StoreError, shorten
from recordkit._resolve import Resolver
from recordkit.governance import MemoryAuditLog
from recordkit.match.index import IndexRows
from recordkit.quality import HealthScore
from recordkit.schema import Record, Schema
from recordkit.store._base import Store, Where
from recordkit.store._checks import (
    check_batch,
    check_callback,
    check_expected,
    check_ids,
    check_list,
    check_name,
    check_record,
    check_writes,
)
from recordkit.store._entries import (
    ConsentEntry,
    Lineage,
    QuarantineEntry,
    UpsertResult,
    Write,
    record_changes,
)
from recordkit.store._erasure import Suppression
from recordkit.store._journal import Journal
from recordkit.store._memory_audit import StoreAuditLog
from recordkit.store._memory_erase import MemoryErasure
from recordkit.store._memory_health import MemoryHealth
from recordkit.store._memory_index import MemoryIndexData, MemoryIndexRows
from recordkit.store._memory_profiles import MemoryProfiles
from recordkit.store._memory_review import MemoryReviews
from recordkit.store._profiles import ProfileEntry
from recordkit.store._query import coerce_conditions, conditions, selects
from recordkit.store._review import Review

__all__ = ["MemoryStore"]


class MemoryStore(MemoryErasure, MemoryReviews, MemoryHealth, MemoryProfiles, Store):
    """
    Records kept in process memory; fast, shared by threads, gone when the process ends.

    Args:
        schemas: record types whose predicate values are coerced to field types and whose
            field names are checked in queries (the facade registers its own).

    .. versionadded:: 0.1.0
    """

    def __init__(self, *, schemas: Iterable[Schema] = ()) -> None:
        schemas = check_list("schemas", schemas)  # type: ignore[assignment]
        self._records: dict[str, Record] = {}
        self._lineage: dict[str, Lineage] = {}
        self._consents: dict[str, list[ConsentEntry]] = {}
        self._quarantine: dict[str, QuarantineEntry] = {}
        self._suppressions: dict[str, Suppression] = {}
        self._indexes: dict[str, MemoryIndexData] = {}
        self._reviews: dict[str, Review] = {}
        self._health: dict[str, dict[str, HealthScore]] = {}
        self._profiles: dict[str, ProfileEntry] = {}
        self._schemas: dict[str, Schema] = {}
        self._journal = Journal()
        self._lock = self._journal.lock
        self._local = self._journal.local  # the thread's open transaction, if any
        self._audit = StoreAuditLog(self._journal)
        for schema in schemas:
            self.register(schema)

    def __len__(self) -> int:
        return len(self._records)

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._records)} records)"

    # -- wiring ---------------------------------------------------------------------------

    def register(self, schema: Schema) -> None:
        """
        Know *schema*, so queries check field names and coerce predicate values.
        """
        if not isinstance(schema, Schema):
            raise StoreError(f"register takes a Schema, got {type(schema).__name__}")
        self._schemas[schema.name] = schema

    def index_rows(self, name: str) -> IndexRows:
        """
        The rows of the persistent duplicate index *name*, kept with the records.

        Raises:
            StoreError: *name* is not a name.
        """
        name = check_name("index_rows: the index name", name)
        with self._lock:
            data = self._indexes.setdefault(name, MemoryIndexData())
        return MemoryIndexRows(name, data, self._journal)

    def transaction(self) -> AbstractContextManager[None]:
        """
        A block whose changes are all undone when it raises; blocks nest.
        """
        return self._journal.transaction()

    def on_commit(self, callback: Callable[[], object]) -> None:
        """
        Run *callback* after the current transaction commits (at once outside one).
        """
        check_callback(callback)
        self._journal.on_commit(callback)

    def audit_log(self) -> MemoryAuditLog:
        """
        The audit log kept beside the records; its appends roll back with transactions.
        """
        return self._audit

    # -- records --------------------------------------------------------------------------

    def get(self, record_id: str) -> Record:
        """
        Return the record with *record_id*; raise `NotFound` when absent.
        """
        try:
            return self._records[record_id]
        except (KeyError, TypeError):
            raise NotFound(record_id) from None

    def get_many(self, record_ids: Sequence[str]) -> list[Record | None]:
        """
        Return the records for *record_ids*, in order, ``None`` where absent.
        """
        ids = check_ids(record_ids)
        records = self._records
        return [records.get(i) if isinstance(i, str) else None for i in ids]

    def _check_and_set(self, record: Record, expected: int | None) -> Record | None:
        current = self._records.get(record.id)
        actual = None if current is None else current.version
        if actual != expected:
            raise ConflictError(record.id, expected=expected or 0, actual=actual)
        self._journal.assign(self._records, record.id, record)
        return current

    def _log(
        self,
        action: str,
        pairs: Iterable[tuple[Record | None, Record | None]],
        *,
        actor: str = "store",
    ) -> None:
        """
        The event of a write made straight on the store (not inside `audited`).
        """
        by_schema: dict[str, dict[str, dict[str, object]]] = {}
        for before, after in pairs:
            some = after if after is not None else before
            assert some is not None
            by_schema.setdefault(some.schema, {})[some.id] = record_changes(before, after)  # type: ignore[assignment]
        self._log_writes(action, by_schema, actor=actor)

    def put(self, record: Record, *, expected_version: int | None) -> None:
        """
        Create or replace *record* if the stored version is *expected_version*.
        """
        check_record(record)
        expected_version = check_expected(expected_version)
        with self.transaction():
            before = self._check_and_set(record, expected_version)
            if self._logs_writes():
                self._log("store.put", [(before, record)])

    def put_many(self, records: Sequence[Record]) -> None:
        """
        Create all *records*, or none if any id exists already.
        """
        records = check_list("records", records)  # type: ignore[assignment]
        with self.transaction():
            for r in records:
                check_record(r)
                if r.id in self._records:
                    raise ConflictError(r.id, expected=0, actual=self._records[r.id].version)
                self._journal.assign(self._records, r.id, r)
            if records and self._logs_writes():
                self._log("store.put_many", [(None, r) for r in records])

    def upsert_many(
        self, records: Sequence[Record], *, precedence: Sequence[str] = ()
    ) -> UpsertResult:
        """
        Create new records and resolve the others field by field (see `Store.upsert_many`).
        """
        records = check_list("records", records)  # type: ignore[assignment]
        precedence = check_list("precedence", precedence)  # type: ignore[assignment]
        resolver = Resolver(precedence)
        created: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        seen: set[str] = set()
        for r in records:
            check_record(r)
            if r.id in seen:
                raise StoreError(f"record {shorten(r.id)} appears twice in one upsert")
            seen.add(r.id)
        written: list[tuple[Record | None, Record]] = []
        with self.transaction():
            for r in records:
                current = self._records.get(r.id)
                if current is None:
                    self._journal.assign(self._records, r.id, r)
                    created.append(r.id)
                    written.append((None, r))
                    continue
                won = resolver.winners(r, resolver.stamps(current))
                if not won:
                    unchanged.append(r.id)
                    continue
                merged = fold(current, r, won, self._schemas.get(r.schema))
                self._journal.assign(self._records, r.id, merged)
                updated.append(r.id)
                written.append((current, merged))
            if written and self._logs_writes():
                self._log("store.upsert_many", written)
        return UpsertResult(tuple(created), tuple(updated), tuple(unchanged))

    def delete(self, record_id: str, *, expected_version: int) -> None:
        """
        Remove a record if it is at *expected_version*.
        """
        check_name("record_id", record_id)
        check_expected(expected_version, required=True)
        with self.transaction():
            current = self._records.get(record_id) if isinstance(record_id, str) else None
            if current is None or current.version != expected_version:
                actual = None if current is None else current.version
                raise ConflictError(str(record_id), expected=expected_version, actual=actual)
            self._journal.remove(self._records, record_id)
            self._drop_health([record_id])
            if self._logs_writes():
                self._log("store.delete", [(current, None)])

    # -- reads ----------------------------------------------------------------------------

    def _matching(
        self, schema: str, where: Where, stage: str | None, state: str | None
    ) -> list[Record]:
        preds = conditions(where)
        known = self._schemas.get(schema)
        if known is not None:
            preds = coerce_conditions(preds, known)
        with self._lock:
            snapshot = list(self._records.values())
        return sorted(
            (r for r in snapshot if r.schema == schema and selects(r, preds, stage, state)),
            key=lambda r: r.id,
        )

    def iterate(
        self,
        schema: str,
        *,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
        batch_size: int = 10_000,
    ) -> Iterator[list[Record]]:
        """
        Yield the matching records of *schema* in batches, by id.
        """
        check_name("schema", schema)
        check_batch(batch_size)
        matching = self._matching(schema, where, stage, state)
        return (matching[i : i + batch_size] for i in range(0, len(matching), batch_size))

    def count(
        self,
        schema: str,
        *,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
    ) -> int:
        """
        How many records of *schema* match.
        """
        check_name("schema", schema)
        return len(self._matching(schema, where, stage, state))

    # -- lineage, consent, quarantine ----------------------------------------

    def put_merge(self, lineage: Lineage, writes: Sequence[Write]) -> None:
        """
        Apply *writes* and keep *lineage*, all or nothing.
        """
        if not isinstance(lineage, Lineage):
            raise StoreError(f"put_merge takes a Lineage, got {type(lineage).__name__}")
        checked = check_writes(writes)
        with self.transaction():
            if lineage.id in self._lineage:
                raise StoreError(f"a merge with id {lineage.id!r} is stored already")
            pairs = [(self._check_and_set(r, expected), r) for r, expected in checked]
            self._journal.assign(self._lineage, lineage.id, lineage)
            if pairs and self._logs_writes():
                self._log("store.put_merge", pairs, actor=lineage.actor)

    def put_unmerge(
        self, lineage_id: str, writes: Sequence[Write], *, at: dt.datetime, actor: str
    ) -> Lineage:
        """
        Apply *writes* and mark the merge undone, all or nothing.
        """
        checked = check_writes(writes)
        with self.transaction():
            current = self.get_lineage(lineage_id)
            if current.undone_at is not None:
                raise StoreError(f"merge {lineage_id!r} was undone already")
            pairs = [(self._check_and_set(r, expected), r) for r, expected in checked]
            undone = attrs.evolve(current, undone_at=at, undone_by=actor)
            self._journal.assign(self._lineage, lineage_id, undone)
            if pairs and self._logs_writes():
                self._log("store.put_unmerge", pairs, actor=actor)
            return undone

    def get_lineage(self, lineage_id: str) -> Lineage:
        """
        The merge with *lineage_id*; `NotFound` when absent.
        """
        try:
            return self._lineage[lineage_id]
        except (KeyError, TypeError):
            raise NotFound(lineage_id) from None

    def lineage(self, record_id: str) -> list[Lineage]:
        """
        Every merge *record_id* took part in, oldest first.
        """
        with self._lock:
            found = [g for g in self._lineage.values() if record_id in g.record_ids]
        return sorted(found, key=lambda g: (g.at, g.id))

    def put_consent(self, entry: ConsentEntry) -> None:
        """
        Append a consent decision.
        """
        if not isinstance(entry, ConsentEntry):
            raise StoreError(f"put_consent takes a ConsentEntry, got {type(entry).__name__}")
        with self.transaction():
            self._journal.append(self._consents, entry.record_id, entry)

    def consents(self, record_id: str) -> list[ConsentEntry]:
        """
        The consent history of *record_id*, oldest first.
        """
        check_name("record_id", record_id)
        with self._lock:
            return list(self._consents.get(record_id, ()))

    def put_quarantine(self, entries: Sequence[QuarantineEntry]) -> None:
        """
        Keep refused rows with their reasons; all or none.
        """
        entries = check_list("entries", entries)  # type: ignore[assignment]
        with self.transaction():
            for e in entries:
                if not isinstance(e, QuarantineEntry):
                    raise StoreError(f"expected QuarantineEntry objects, got {type(e).__name__}")
                if e.id in self._quarantine:
                    raise StoreError(f"quarantine entry {e.id!r} is stored already")
                self._journal.assign(self._quarantine, e.id, e)

    def quarantined(self, schema: str, *, batch: str | None = None) -> list[QuarantineEntry]:
        """
        The rows of *schema* still in quarantine, oldest first.
        """
        with self._lock:
            found = [
                e
                for e in self._quarantine.values()
                if e.schema == schema and (batch is None or e.batch == batch)
            ]
        return sorted(found, key=lambda e: (e.at, e.index or 0, e.id))

    def release_quarantine(self, entry_ids: Sequence[str]) -> int:
        """
        Take entries out of quarantine; returns how many were there.
        """
        entry_ids = check_list("entry_ids", entry_ids)  # type: ignore[assignment]
        released = 0
        with self.transaction():
            for i in entry_ids:
                if isinstance(i, str) and i in self._quarantine:
                    self._journal.remove(self._quarantine, i)
                    released += 1
        return released


def fold(current: Record, incoming: Record, won: Iterable[str], schema: Schema | None) -> Record:
    """
    *current* with the won fields of *incoming* (values and provenance), one version on.
    """
    values = dict(current.values)
    provenance = dict(current.provenance)
    owner = current.owner
    for name in won:
        values[name] = incoming.values[name]
        if name in incoming.provenance:
            provenance[name] = incoming.provenance[name]
        else:
            provenance.pop(name, None)
        if schema is not None and name == schema.owner_field:
            owner = incoming.owner
    return current.evolve(
        values=values,
        provenance=provenance,
        owner=owner,
        version=current.version + 1,
        updated_at=max(current.updated_at, incoming.updated_at),
    )
