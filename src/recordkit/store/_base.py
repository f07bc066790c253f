"""
The `Store` port: where records, and the facts kept about them, live.

recordkit talks to storage only through it, so the in-memory default and database adapters
are interchangeable behind the facade. The port covers:

- records: `get`, `get_many`, `put` (optimistic concurrency), `put_many`, `upsert_many`
  (bulk, with per-field resolution), `delete`;
- reads: `query` (field predicates, stage and state: segments), `iterate` and `scan` in
  batches, `count`;
- history: merge lineage (`put_merge`, `put_unmerge`, `lineage`), consent
  (`put_consent`, `consents`), quarantine
  (`put_quarantine`, `quarantined`, `release_quarantine`), and an `audit_log` whose events
  are written in the same transaction as the change they describe (a record's lifecycle
  moves travel with it, in ``Record.history``);
- erasure: `erase` (every copy of some records, in one transaction) and the suppression
  entries that recognize an erased person later (`put_suppressions`, `suppressions`);
- health scores: `put_health` (in the transaction writing the records), `health`,
  `health_ranked` (least healthy first), `iterate_health`, and `open_duplicates` (the open
  review items naming each record);
- profiles of imports: `put_profile` (one `ProfileEntry` per ``capture_many`` run of a
  steward that keeps them) and `profiles` (newest first);
- `transaction`: a block in which every call above commits together or not at all;
- `audited`: a block whose writes the caller records in the audit trail itself (the
  facade's); outside one, every write made straight on a store appends its own event
  (action ``store.put``, ``store.put_many``, ``store.upsert_many``, ``store.delete``,
  ``store.put_merge``, ``store.put_unmerge``; actor ``"store"`` unless the write names
  one) with the values it wrote (``store.erase`` holds ids and counts, never a value).
"""

from __future__ import annotations

import datetime as dt
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any

from recordkit._errors import StoreError, shorten
from recordkit.governance import AuditLog
from recordkit.match.index import IndexRows
from recordkit.schema import Record, Schema
from recordkit.store._entries import (
    ConsentEntry,
    Lineage,
    QuarantineEntry,
    UpsertResult,
    Write,
)
from recordkit.store._erasure import ErasureMethods
from recordkit.store._health import HealthMethods
from recordkit.store._profiles import ProfileMethods
from recordkit.store._query import Condition, conditions
from recordkit.store._review import ReviewMethods

__all__ = ["Store", "run_all"]

Where = Condition | Iterable[Condition] | Mapping[str, Any]

STORE_ACTOR = "store"
"""
The actor of an event a store appends for a write made straight on it.
"""

_CALLER_AUDITS: ContextVar[tuple[object, ...]] = ContextVar("recordkit_caller_audits", default=())
"""
The stores whose writes, in this thread or task, the caller records in the audit trail.
"""

Changes = dict[str, dict[str, Any]]


def _read_arguments(schema: object, where: object, stage: object, state: object) -> Where:
    """
    Check the arguments every read takes; return *where* as conditions, read once.
    """
    if not isinstance(schema, str) or not schema:
        raise StoreError(f"schema must be a schema name, got {shorten(schema)}")
    for name, value in (("stage", stage), ("state", state)):
        if value is not None and not isinstance(value, str):
            raise StoreError(f"{name} must be text or None, got {shorten(value)}")
    return conditions(where)  # a generator of conditions is read here, and only here


def _check_batch_size(size: object) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= sys.maxsize:
        raise StoreError(f"batch_size must be a positive whole number, got {shorten(size)}")


class Store(ErasureMethods, ReviewMethods, HealthMethods, ProfileMethods, ABC):
    """
    A repository of records with optimistic concurrency and atomic multi-record changes.

    Every write names the version it was based on: ``put(record, expected_version=n)``
    succeeds only while the stored record is at version *n* (``None``: the record must not
    exist yet), else it raises `ConflictError` and writes nothing. The caller sets the new
    record's ``version`` (usually ``n + 1``).

    Multi-step changes (a merge: survivor, merged records, lineage, audit event) run inside
    ``with store.transaction():``; an exception anywhere in the block leaves none of it.
    Calls outside a block are each atomic on their own.

    .. versionadded:: 0.1.0
    """

    # -- wiring ---------------------------------------------------------------------------

    def register(self, schema: Schema) -> None:
        """
        Tell the store about *schema* before records of it are written.

        Stores that derive tables from schemas create or check them here; the default does
        nothing. The facade calls it for the schema it governs.

        Raises:
            StoreError: the stored layout of *schema* does not match it (with the
                migration path).
        """

    @abstractmethod
    def index_rows(self, name: str) -> IndexRows:
        """
        The rows of the persistent duplicate index *name* (`PersistentIndex`), kept here.

        Its writes join the store's open transaction, so they commit and roll back with
        the records they describe; erasing a record takes its rows out of every index.

        Raises:
            StoreError: *name* is not a name, or the store cannot keep an index (an
                encrypting store: the rows would hold values in clear).

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Any]:
        """
        A block whose store calls (and audit events) commit together, or not at all.

        Blocks nest; an inner block that fails rolls back only itself when the backend has
        savepoints, and the exception still propagates.
        """

    def on_commit(self, callback: Callable[[], object]) -> None:
        """
        Run *callback* once the current transaction commits (now, outside one).

        Callbacks registered inside a block run, in order, after the outermost block
        commits; if it rolls back they never run. This is how caches held in memory (the
        duplicate index) follow only what was really committed. A callback that raises
        does not undo the commit; the error propagates after the others ran.

        The default runs *callback* at once: for stores without transactions.
        """
        callback()

    @abstractmethod
    def audit_log(self) -> AuditLog:
        """
        The audit trail kept in this store, written inside the caller's transaction.
        """

    @contextmanager
    def audited(self) -> Iterator[None]:
        """
        A block whose writes the caller records in the audit trail itself.

        Outside one, each write made straight on the store (`put`, `put_many`,
        `upsert_many`, `delete`, `put_merge`, `put_unmerge`) appends an event with the
        values it wrote, in the same transaction. The `Steward` facade writes its own,
        richer events, so it makes its writes inside ``with store.audited():`` and nothing
        is logged twice. The block holds for the current thread (or asyncio task) and this
        store object only; blocks nest.

        Examples:
            >>> with store.audited(), store.transaction():  # doctest: +SKIP
            ...     store.put(record, expected_version=None)
            ...     store.audit_log().append(...)  # the caller's own event

        .. versionadded:: 0.2.0
        """
        token = _CALLER_AUDITS.set((*_CALLER_AUDITS.get(), self))
        try:
            yield
        finally:
            _CALLER_AUDITS.reset(token)

    def _logs_writes(self) -> bool:
        """
        Whether a write now appends its own event (not inside `audited`).
        """
        return not any(s is self for s in _CALLER_AUDITS.get())

    def _log_writes(
        self,
        action: str,
        by_schema: Mapping[str, Changes],
        *,
        actor: str = STORE_ACTOR,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """
        Append one event per schema for a write made straight on the store.

        *by_schema* maps each schema to record id → field → ``(before, after)``.
        """
        log = self.audit_log()
        at = dt.datetime.now(dt.UTC)
        for schema, changes in by_schema.items():
            fields = sorted({name for row in changes.values() for name in row})
            log.append(
                at=at,
                actor=actor,
                action=action,
                schema=schema,
                record_ids=list(changes),
                fields=fields,
                detail=detail,
                changes=changes,
            )

    # -- records --------------------------------------------------------------------------

    @abstractmethod
    def get(self, record_id: str) -> Record:
        """
        Return the record with *record_id*.

        Raises:
            NotFound: no such record.
            StoreError: the stored row cannot be read back as a record.
        """

    @abstractmethod
    def get_many(self, record_ids: Sequence[str]) -> list[Record | None]:
        """
        Return the records for *record_ids*, in order, ``None`` where absent.
        """

    @abstractmethod
    def put(self, record: Record, *, expected_version: int | None) -> None:
        """
        Create (``expected_version=None``) or replace a record.

        Raises:
            ConflictError: the stored version is not *expected_version*; nothing is written.
        """

    @abstractmethod
    def put_many(self, records: Sequence[Record]) -> None:
        """
        Create many new records at once, all or none.

        Raises:
            ConflictError: one of the ids exists already (nothing is written).
        """

    @abstractmethod
    def upsert_many(
        self, records: Sequence[Record], *, precedence: Sequence[str] = ()
    ) -> UpsertResult:
        """
        Create new records and fold the others into what is stored, in one transaction.

        For a record that exists, each incoming field is weighed against the stored one by
        provenance: the source ranked higher in *precedence* (most trusted first) wins, then
        the more recent ``observed_at``; ties go to the incoming value. Stored fields the
        incoming record does not hold are kept. An updated record's version becomes the
        stored version + 1; its state, stage and ``created_at`` are kept.

        Returns:
            The ids created, updated and left unchanged.
        """

    @abstractmethod
    def delete(self, record_id: str, *, expected_version: int) -> None:
        """
        Remove a record; its lineage, consent and audit events stay (`erase` removes them).

        Raises:
            ConflictError: the stored version is not *expected_version*.
        """

    # -- reads ----------------------------------------------------------------------------

    @abstractmethod
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
        Yield the matching records of *schema* in batches of at most *batch_size*, by id.

        Args:
            schema: the record type.
            where: a condition (`Predicate`, `RecordPredicate`, `AllOf`, `AnyOf`, `Not`),
                a list of them (all must hold), or a mapping of field names (value: equal;
                ``None``: no value; list: one of).
            stage: only records at this business stage.
            state: only records in this lifecycle state.
            batch_size: records per batch.

        Raises:
            SchemaError: a predicate names an unknown field (stores that know the schema).
            StoreError: a predicate value cannot be compared.
        """

    def query(
        self,
        schema: str,
        *,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        """
        The matching records of *schema* (a segment), by id, at most *limit* of them.

        Example: all MQLs in US-NY with no phone::

            store.query("contact", stage="mql", where={"state": "US-NY", "phone": None})

        Raises:
            StoreError: *schema* is not a name, *where* is neither conditions nor a mapping,
                *stage* or *state* is not text, or *limit* is not a whole number (none is
                read before the arguments are checked).
        """
        where = _read_arguments(schema, where, stage, state)
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            raise StoreError(
                f"limit must be a whole number of records or None, got {shorten(limit)}"
            )
        if limit == 0:
            return []
        out: list[Record] = []
        size = 10_000 if limit is None else max(1, min(limit, 10_000))
        for batch in self.iterate(schema, where=where, stage=stage, state=state, batch_size=size):
            out.extend(batch)
            if limit is not None and len(out) >= limit:
                return out[:limit]
        return out

    def scan(self, schema: str, *, batch_size: int = 10_000) -> Iterator[list[Record]]:
        """
        Yield all records of *schema* in batches of at most *batch_size*.

        Raises:
            StoreError: *schema* is not a name or *batch_size* not a positive whole number.
        """
        _read_arguments(schema, (), None, None)
        _check_batch_size(batch_size)
        return self.iterate(schema, batch_size=batch_size)

    @abstractmethod
    def count(
        self,
        schema: str,
        *,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
    ) -> int:
        """
        How many records of *schema* match (all of them by default).
        """

    # -- merge lineage ------------------------------------------------------------------

    @abstractmethod
    def put_merge(self, lineage: Lineage, writes: Sequence[Write]) -> None:
        """
        Record a merge: apply *writes* and keep *lineage*, all or nothing.

        *writes* are ``(record, expected_version)`` pairs: typically the survivor (created
        or updated) and each merged record moved to a ``merged`` state. Each is checked
        like `put`.

        Raises:
            ConflictError: a write was based on a stale version (nothing is written).
            StoreError: a lineage with this id exists already.
        """

    @abstractmethod
    def put_unmerge(
        self, lineage_id: str, writes: Sequence[Write], *, at: dt.datetime, actor: str
    ) -> Lineage:
        """
        Undo a merge: apply *writes* (the restored records) and mark the lineage undone.

        Args:
            lineage_id: the merge to undo.
            writes: ``(record, expected_version)`` pairs restoring the records.
            at: when it is undone (UTC).
            actor: who undoes it.

        Returns:
            The lineage, marked undone.

        Raises:
            NotFound: no lineage with this id.
            StoreError: the merge was undone already.
            ConflictError: a write was based on a stale version (nothing is written).
        """

    @abstractmethod
    def get_lineage(self, lineage_id: str) -> Lineage:
        """
        The merge with *lineage_id*.

        Raises:
            NotFound: no such lineage.
        """

    @abstractmethod
    def lineage(self, record_id: str) -> list[Lineage]:
        """
        Every merge *record_id* took part in (as survivor or merged), oldest first.
        """

    # -- consent ------------------------------------------------------------------------

    @abstractmethod
    def put_consent(self, entry: ConsentEntry) -> None:
        """
        Append a consent decision.
        """

    @abstractmethod
    def consents(self, record_id: str) -> list[ConsentEntry]:
        """
        The consent history of *record_id*, oldest first (the last per purpose is in force).
        """

    # -- quarantine ---------------------------------------------------------------------

    @abstractmethod
    def put_quarantine(self, entries: Sequence[QuarantineEntry]) -> None:
        """
        Keep refused rows with their reasons.

        Raises:
            StoreError: an entry id exists already (nothing is written).
        """

    @abstractmethod
    def quarantined(self, schema: str, *, batch: str | None = None) -> list[QuarantineEntry]:
        """
        The rows of *schema* still in quarantine (of one *batch* when given), oldest first.
        """

    @abstractmethod
    def release_quarantine(self, entry_ids: Sequence[str]) -> int:
        """
        Take entries out of quarantine (fixed or given up on); returns how many were there.
        """


def run_all(callbacks: Sequence[Callable[[], object]]) -> None:
    """
    Run every callback in order; if any raised, raise the first error after the rest ran.
    """
    error: BaseException | None = None
    for callback in callbacks:
        try:
            callback()
        except Exception as exc:
            error = error or exc
    if error is not None:
        raise error
