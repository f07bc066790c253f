"""
`Steward`: the facade that takes every record of one schema down the same road.

The road is access check, coercion, storage and audit, for single records and for batches.

Later layers (rules, matching, lifecycle, governance policies, SQL storage) widen this road;
they never open a second one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from recordkit._errors import CoercionError, RecordkitError, ValidationError, shorten
from recordkit.engines import CellError, Columns, chunks, coerce_columns
from recordkit.governance import AccessPolicy, Action, Actor, AllowAll, AuditLog, MemoryAuditLog
from recordkit.schema import NOT_GIVEN, Provenance, Record, Schema
from recordkit.store import MemoryStore, Store

__all__ = ["BatchResult", "QuarantinedRow", "Steward"]

SYSTEM: Final = Actor("system", roles={"system"})
DEFAULT_SOURCE: Final = "default"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


@attrs.frozen
class QuarantinedRow:
    """
    A batch row that was not stored, kept whole with the reasons.

    .. versionadded:: 0.1.0
    """

    index: int
    row: Mapping[str, Any]
    errors: tuple[CellError, ...]


@attrs.frozen
class BatchResult:
    """
    What a batch did: the records stored and the rows quarantined (nothing is dropped).

    .. versionadded:: 0.1.0
    """

    records: list[Record]
    quarantined: list[QuarantinedRow]

    @property
    def total(self) -> int:
        """
        Rows read.
        """
        return len(self.records) + len(self.quarantined)

    def errors_by_field(self) -> dict[str, int]:
        """
        How many cells failed, per field.
        """
        counts: dict[str, int] = {}
        for q in self.quarantined:
            for e in q.errors:
                counts[e.field] = counts.get(e.field, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


class Steward:
    """
    The facade over one schema: capture, update and read records through one road.

    Example:
        >>> from recordkit import Steward, bundled_schema
        >>> contacts = Steward(bundled_schema("contact"))
        >>> r = contacts.capture({"first_name": "Ada", "last_name": "Lovelace"}, source="form")
        >>> contacts.get(r.id)["first_name"]
        'Ada'

    Args:
        schema: the record type this steward governs.
        store: where records live (default: a new `MemoryStore`).
        access: who may do what (default: `AllowAll`).
        audit: where events go (default: a new `MemoryAuditLog`).
        clock: returns "now" (UTC); injectable for tests and replays.
        ids: makes new record ids (default: random UUID hex).

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        schema: Schema,
        *,
        store: Store | None = None,
        access: AccessPolicy | None = None,
        audit: AuditLog | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        ids: Callable[[], str] = _new_id,
    ) -> None:
        if not isinstance(schema, Schema):
            raise RecordkitError(f"Steward needs a Schema, got {type(schema).__name__}")
        if store is not None and not isinstance(store, Store):
            raise RecordkitError(f"store must be a recordkit Store, got {type(store).__name__}")
        if access is not None and not isinstance(access, AccessPolicy):
            raise RecordkitError(
                "access must have a check(actor, action, schema, record, "
                f"fields) method, got {type(access).__name__}"
            )
        self.schema = schema
        self.store: Store = MemoryStore() if store is None else store
        self.access: AccessPolicy = AllowAll() if access is None else access
        self.audit: AuditLog = MemoryAuditLog() if audit is None else audit
        self._clock = clock
        self._ids = ids

    def __repr__(self) -> str:
        return f"Steward({self.schema.name!r}, store={type(self.store).__name__})"

    # -- reads --------------------------------------------------------------------------

    def get(self, record_id: str, *, actor: Actor = SYSTEM) -> Record:
        """
        Return the record with *record_id*.

        Raises:
            NotFound: no such record of this schema.
            AccessDenied: *actor* may not read it.
        """
        record = self._own(record_id)
        self.access.check(actor, Action.READ, self.schema, record, self.schema.field_names)
        return record

    # -- single writes ------------------------------------------------------------------

    def capture(
        self,
        raw: Mapping[str, Any],
        *,
        source: str,
        actor: Actor = SYSTEM,
        observed_at: dt.datetime | None = None,
    ) -> Record:
        """
        Take in one new record from *source*: coerce, store and audit it.

        Every field keeps its raw value in provenance. Defaults fill fields *raw* leaves
        blank.

        Raises:
            ValidationError: a value cannot become its field's type, or a key names no
                field; ``issues`` lists every problem (nothing is stored).
            AccessDenied: *actor* may not create this record.
        """
        result = self._capture_chunk([self._mapping(raw)], source, actor, observed_at, strict=True)
        return result.records[0]

    def update(
        self,
        record_id: str,
        changes: Mapping[str, Any],
        *,
        source: str,
        actor: Actor = SYSTEM,
        expected_version: int | None = None,
        observed_at: dt.datetime | None = None,
    ) -> Record:
        """
        Change some fields of a record; a ``None`` value clears a field.

        Args:
            record_id: the record to change.
            changes: field name → new raw value.
            source: the system or channel the new values come from.
            actor: who makes the change.
            observed_at: when the source saw the values (default: now).
            expected_version: refuse the write unless the record is still at this version
                (default: the version read now).

        Raises:
            ConflictError: the record changed since *expected_version*.
            ValidationError: a value cannot become its field's type.
        """
        changes = self._mapping(changes)
        self._check_source(source)
        current = self._own(record_id)
        self.access.check(actor, Action.UPDATE, self.schema, current, tuple(changes))
        coerced, errors = coerce_columns(self.schema, Columns.from_rows([changes]))
        if errors:
            raise _validation_error(errors, record_id)
        now = self._clock()
        seen = observed_at or now
        values = dict(current.values)
        provenance = dict(current.provenance)
        for name, column in coerced.items():
            values[name] = column[0]
            provenance[name] = Provenance(source, seen, changes[name])
        updated = current.evolve(
            values=values,
            provenance=provenance,
            version=current.version + 1,
            owner=self._owner(values, current.owner),
            updated_at=now,
        )
        base = current.version if expected_version is None else expected_version
        self.store.put(updated, expected_version=base)
        self.audit.append(
            at=now,
            actor=actor.id,
            action=Action.UPDATE,
            schema=self.schema.name,
            record_ids=[record_id],
            fields=coerced,
            detail={"source": source, "version": updated.version},
        )
        return updated

    # -- batches ------------------------------------------------------------------------

    def capture_many(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        source: str,
        actor: Actor = SYSTEM,
        observed_at: dt.datetime | None = None,
        chunk_size: int = 10_000,
    ) -> BatchResult:
        """
        Take in many new records, column by column and chunk by chunk.

        Rows whose values cannot be coerced are quarantined whole, with reasons; the others
        are stored together, one audit event per chunk.
        """
        if isinstance(rows, Mapping | str | bytes) or not isinstance(rows, Iterable):
            raise RecordkitError(
                f"capture_many takes an iterable of rows (mappings), got {type(rows).__name__}"
            )
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise RecordkitError(
                f"chunk_size must be a positive whole number, got {shorten(chunk_size)}"
            )
        records: list[Record] = []
        quarantined: list[QuarantinedRow] = []
        offset = 0
        for chunk in chunks(rows, chunk_size):
            result = self._capture_chunk(
                chunk, source, actor, observed_at, strict=False, offset=offset
            )
            records.extend(result.records)
            quarantined.extend(result.quarantined)
            offset += len(chunk)
        return BatchResult(records, quarantined)

    # -- the road -----------------------------------------------------------------------

    def _capture_chunk(
        self,
        rows: Sequence[Mapping[str, Any]],
        source: str,
        actor: Actor,
        observed_at: dt.datetime | None,
        *,
        strict: bool,
        offset: int = 0,
    ) -> BatchResult:
        self._check_source(source)
        columns = Columns.from_rows(rows)
        self.access.check(actor, Action.CREATE, self.schema, None, columns.names)
        coerced, errors = coerce_columns(self.schema, columns)
        if errors and strict:
            raise _validation_error(errors, None)
        bad: dict[int, list[CellError]] = {}
        for e in errors:
            bad.setdefault(e.row, []).append(e)
        now = self._clock()
        seen = observed_at or now
        defaults = {
            f.name: f.coerce(f.default) for f in self.schema.fields if f.default is not NOT_GIVEN
        }
        records: list[Record] = []
        for i in range(columns.length):
            if i in bad:
                continue
            values: dict[str, Any] = {}
            provenance: dict[str, Provenance] = {}
            for name, column in coerced.items():
                if column[i] is not None or columns.data[name][i] is not None:
                    values[name] = column[i]
                    provenance[name] = Provenance(source, seen, columns.data[name][i])
            for name, value in defaults.items():
                if values.get(name) is None:
                    values[name] = value
                    provenance[name] = Provenance(DEFAULT_SOURCE, now, None)
            records.append(
                Record(
                    self._ids(),
                    self.schema.name,
                    values,
                    provenance=provenance,
                    owner=self._owner(values, None),
                    created_at=now,
                )
            )
        if records:
            self.store.put_many(records)
            self.audit.append(
                at=now,
                actor=actor.id,
                action=Action.CREATE,
                schema=self.schema.name,
                record_ids=[r.id for r in records],
                fields=coerced,
                detail={"source": source, "count": len(records)},
            )
        quarantined = [
            QuarantinedRow(offset + i, dict(rows[i]), tuple(errs))
            for i, errs in sorted(bad.items())
        ]
        return BatchResult(records, quarantined)

    def _own(self, record_id: str) -> Record:
        if not isinstance(record_id, str):
            raise RecordkitError(f"record ids are text, got {type(record_id).__name__}")
        record = self.store.get(record_id)
        if record.schema != self.schema.name:
            raise RecordkitError(
                f"record {record_id!r} is a {record.schema!r}, not a {self.schema.name!r}"
            )
        return record

    def _owner(self, values: Mapping[str, Any], current: str | None) -> str | None:
        if self.schema.owner_field is None:
            return current
        owner = values.get(self.schema.owner_field)
        return owner if isinstance(owner, str) else current

    @staticmethod
    def _mapping(raw: object) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise ValidationError(
                f"a record is a mapping of field names to values, got {type(raw).__name__}"
            )
        for key in raw:
            if not isinstance(key, str):
                raise ValidationError(f"field names are text, got {shorten(key)}")
        return raw

    @staticmethod
    def _check_source(source: object) -> None:
        if not isinstance(source, str) or not source.strip() or len(source) > 200:
            raise RecordkitError(f"source must be a short non-blank name, got {shorten(source)}")


def _validation_error(errors: Sequence[CellError], record_id: str | None) -> ValidationError:
    issues = [CoercionError(e.field, e.value, e.reason) for e in errors]
    summary = "; ".join(f"{e.field}: {e.reason}" for e in errors[:5])
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return ValidationError(
        f"{len(errors)} value(s) refused: {summary}{more}", issues=issues, record_id=record_id
    )
