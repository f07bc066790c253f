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

from recordkit._errors import (
    CoercionError,
    RecordkitError,
    TransitionError,
    ValidationError,
    shorten,
)
from recordkit.engines import CellError, Columns, chunks, coerce_columns
from recordkit.governance import AccessPolicy, Action, Actor, AllowAll, AuditLog, MemoryAuditLog
from recordkit.lifecycle import Lifecycles, Moved, SweepResult, Transition, became, transitions
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
        lifecycle: the `Lifecycle` driving ``Record.state`` (not given: the schema's
            ``lifecycle`` section, else the bundled ``governance`` one; ``None``: none).
        stages: the `Lifecycle` driving ``Record.stage`` (not given: the schema's
            ``stages`` section, else the bundled ``business`` one; ``None``: none).

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
        lifecycle: Any = NOT_GIVEN,
        stages: Any = NOT_GIVEN,
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
        self.lifecycles = Lifecycles(schema, lifecycle=lifecycle, stages=stages)
        self._swept_at: dt.datetime | None = None

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

    # -- lifecycle ----------------------------------------------------------------------

    def advance(
        self,
        record_id: str,
        to: str,
        *,
        actor: Actor,
        reason: str | None = None,
        override: bool = False,
        on: str | None = None,
        expected_version: int | None = None,
    ) -> Record:
        """
        Move a record to state or stage *to*, through guards and hooks, with history.

        The move, its hooks' field changes and its history entry are stored together (one
        new version) and audited as one ``transition`` event; a refused move changes
        nothing.

        Args:
            record_id: the record to move.
            to: the target state (``active``) or business stage (``customer``).
            actor: who moves it.
            reason: why; an override needs one of the lifecycle's reason codes.
            override: go backwards in a forward-only lifecycle (an audited regression).
            on: ``"state"`` or ``"stage"`` when *to* names both.
            expected_version: refuse unless the record is still at this version.

        Raises:
            TransitionError: unknown target, no such transition, a retired record, a guard
                refused (``issues`` says why) or a hook failed.
            AccessDenied: *actor* may not move it (or may not write a hook's fields).
            ConflictError: the record changed meanwhile.
        """
        current = self._own(record_id)
        attribute = self.lifecycles.attribute_for(to, on)
        self.lifecycles.refuse_if_closed(current)
        self.access.check(actor, Action.TRANSITION, self.schema, current, (attribute,))
        now = self._clock()
        moved = self.lifecycles.machine(attribute).move(
            current, to, actor=actor.id, at=now, reason=reason, override=override
        )
        return self._commit_moves(current, [moved], actor, now, expected_version)

    def retire(
        self,
        record_id: str,
        *,
        actor: Actor,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Record:
        """
        Move a record to the governance lifecycle's final ``retired`` state.

        Raises:
            TransitionError: no state lifecycle runs here, or the record cannot be retired
                from where it is (already retired, or merged).
        """
        return self.advance(
            record_id,
            self.lifecycles.retire_target(),
            actor=actor,
            reason=reason,
            on="state",
            expected_version=expected_version,
        )

    def sweep(
        self, now: dt.datetime, *, actor: Actor = SYSTEM, batch_size: int = 10_000
    ) -> SweepResult:
        """
        Take every time-based move due at *now* (stale, proposed for retirement…).

        Nothing runs in the background: call this from your scheduler. Each record's moves
        are checked, stored and audited like `advance`; a due move a guard refuses is
        reported and the record stays put. Sweeping again at the same *now* moves nothing.

        Raises:
            TransitionError: *now* is not a datetime, or is earlier than the last sweep's
                (the clock went backwards); nothing is moved.
        """
        now = self.lifecycles.sweep_time(now, self._swept_at)
        due: list[str] = []
        for batch in self.store.scan(self.schema.name, batch_size=batch_size):
            due.extend(r.id for r in batch if self.lifecycles.due(r, now))
        moved: dict[str, tuple[Transition, ...]] = {}
        refused: dict[str, tuple[TransitionError, ...]] = {}
        for record_id in due:
            current = record = self._own(record_id)
            steps: list[Moved] = []
            for attribute, machine in self.lifecycles:
                if self.lifecycles.closed(record):
                    break
                swept = machine.sweep(record, now, actor=actor.id)
                if swept.refused:
                    errors = tuple(exc for _, exc in swept.refused)
                    refused[record_id] = (*refused.get(record_id, ()), *errors)
                if swept.moves:
                    self.access.check(actor, Action.TRANSITION, self.schema, current, (attribute,))
                    steps.extend(swept.moves)
                    record = swept.record
            if steps:
                self._commit_moves(current, steps, actor, now, None)
                moved[record_id] = tuple(s.transition for s in steps)
        self._swept_at = now
        return SweepResult(now, moved, refused)

    def history(
        self, record_id: str, *, actor: Actor = SYSTEM, on: str | None = None
    ) -> tuple[Transition, ...]:
        """
        The lifecycle moves of a record, oldest first.

        Only the ``state`` or ``stage`` ones when *on* says so.
        """
        on = self.lifecycles.check_attribute(on)
        return transitions(self.get(record_id, actor=actor), on)

    def became(
        self, record_id: str, stage: str, *, actor: Actor = SYSTEM, first: bool = False
    ) -> dt.datetime | None:
        """
        When a record entered *stage* (or state): ``steward.became(id, "customer")``.

        Returns the latest entry (the first with ``first=True``), or ``None`` if it never
        did.

        Raises:
            TransitionError: *stage* is in neither lifecycle.
        """
        attribute = self.lifecycles.attribute_for(stage)
        return became(self.get(record_id, actor=actor), stage, attribute=attribute, first=first)

    def _commit_moves(
        self,
        current: Record,
        steps: Sequence[Moved],
        actor: Actor,
        now: dt.datetime,
        expected_version: int | None,
    ) -> Record:
        changed = tuple(dict.fromkeys(f for s in steps for f in s.changed))
        if changed:
            self.access.check(actor, Action.UPDATE, self.schema, current, changed)
        updated = steps[-1].record.evolve(
            version=current.version + 1,
            updated_at=now if changed else current.updated_at,
        )
        base = current.version if expected_version is None else expected_version
        self.store.put(updated, expected_version=base)
        for step in steps:
            t = step.transition
            self.audit.append(
                at=t.at,
                actor=t.actor,
                action=Action.TRANSITION,
                schema=self.schema.name,
                record_ids=[current.id],
                fields=(t.attribute, *step.changed),
                detail={
                    "lifecycle": t.lifecycle,
                    "attribute": t.attribute,
                    "from": t.source,
                    "to": t.target,
                    "event": t.event,
                    "reason": t.reason,
                    "override": t.override,
                    "rules": dict(t.rules),
                    "version": updated.version,
                },
            )
        return updated


def _validation_error(errors: Sequence[CellError], record_id: str | None) -> ValidationError:
    issues = [CoercionError(e.field, e.value, e.reason) for e in errors]
    summary = "; ".join(f"{e.field}: {e.reason}" for e in errors[:5])
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return ValidationError(
        f"{len(errors)} value(s) refused: {summary}{more}", issues=issues, record_id=record_id
    )
