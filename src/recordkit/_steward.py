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
from contextlib import ExitStack
from typing import Any, Final, Literal, overload

import attrs

from recordkit._errors import (
    RecordkitError,
    TransitionError,
    ValidationError,
    shorten,
)
from recordkit.engines import Columns, chunks
from recordkit.governance import AccessPolicy, Action, Actor, AllowAll, AuditLog
from recordkit.lifecycle import Lifecycles, Moved, SweepResult, Transition, became, transitions
from recordkit.match import (
    MERGED,
    DuplicateCheck,
    MatchResult,
    Merge,
    MergeError,
    MergePlan,
    MergePolicy,
    Repoint,
    Unmerge,
    find_repoints,
    plan_merge,
    plan_unmerge,
)
from recordkit.rules import (
    Enforcement,
    Issue,
    Mode,
    Revalidation,
    RuleSet,
    Severity,
    revalidate,
    run_chunk,
)
from recordkit.schema import NOT_GIVEN, Provenance, Record, Reference, Schema
from recordkit.store import Lineage, MemoryStore, Store

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

    Attributes:
        index: the row's number in the batch.
        row: the row exactly as given.
        errors: the error `Issue` objects that held it back.
        issues: every issue of the row (errors, warnings, infos).

    .. versionadded:: 0.1.0
    """

    index: int
    row: Mapping[str, Any]
    errors: tuple[Issue, ...]
    issues: tuple[Issue, ...] = ()


@attrs.frozen
class BatchResult:
    """
    What a batch did: the records stored and the rows quarantined (nothing is dropped).

    .. versionadded:: 0.1.0
    """

    records: list[Record]
    quarantined: list[QuarantinedRow]
    issues: list[Issue] = attrs.field(factory=list)
    """
    The issues of the rows that were stored (warnings; errors too under ``warn``).
    """

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
                name = e.field or "<record>"
                counts[name] = counts.get(name, 0) + 1
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
        audit: where events go (default: the store's `audit_log()`, written in the same
            transactions as the records).
        clock: returns "now" (UTC); injectable for tests and replays.
        ids: makes new record ids (default: random UUID hex).
        related: stewards of other schemas whose records refer to this one's (deals →
            contact); a merge re-points their references to the survivor and an unmerge
            puts them back.
        lifecycle: the `Lifecycle` driving ``Record.state`` (not given: the schema's
            ``lifecycle`` section, else the bundled ``governance`` one; ``None``: none).
        stages: the `Lifecycle` driving ``Record.stage`` (not given: the schema's
            ``stages`` section, else the bundled ``business`` one; ``None``: none).
        rules: the `RuleSet` every write goes through (default:
            ``RuleSet.for_schema(schema)``: the field types' defaults plus the schema's
            rules).
        enforcement: what errors do per channel (default: block on capture and update,
            quarantine on batch import); each write also takes ``mode=``.
        matcher: the point-of-entry `DuplicateCheck` (capture flags, blocks or merges
            duplicates by its thresholds) and the matcher behind `find_duplicates`.

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
        related: Iterable[Steward] = (),
        lifecycle: Any = NOT_GIVEN,
        stages: Any = NOT_GIVEN,
        rules: RuleSet | None = None,
        enforcement: Enforcement | None = None,
        matcher: DuplicateCheck | None = None,
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
        self.store.register(schema)
        self.access: AccessPolicy = AllowAll() if access is None else access
        # The store's own log by default, so events commit with the changes they describe.
        self.audit: AuditLog = self.store.audit_log() if audit is None else audit
        self._clock = clock
        self._ids = ids
        if rules is not None and (
            not isinstance(rules, RuleSet) or rules.schema.name != schema.name
        ):
            raise RecordkitError(
                f"rules must be a RuleSet for schema {schema.name!r}, got {shorten(rules)}"
            )
        if enforcement is not None and not isinstance(enforcement, Enforcement):
            raise RecordkitError(
                f"enforcement must be an Enforcement, got {type(enforcement).__name__}"
            )
        self.rules: RuleSet = RuleSet.for_schema(schema) if rules is None else rules
        self.enforcement: Enforcement = Enforcement() if enforcement is None else enforcement
        self.related: tuple[Steward, ...] = _stewards(related)
        self.lifecycles = Lifecycles(schema, lifecycle=lifecycle, stages=stages, rules=self.rules)
        self._swept_at: dt.datetime | None = None
        if matcher is not None and not isinstance(matcher, DuplicateCheck):
            raise RecordkitError(f"matcher must be a DuplicateCheck, got {shorten(matcher)}")
        self.matcher = matcher

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
        mode: Mode | str | None = None,
    ) -> Record:
        """
        Take in one new record from *source*: normalize, validate, store and audit it.

        Every field keeps its raw value in provenance. Defaults fill fields *raw* leaves
        blank. The values go through the steward's `RuleSet`.

        Args:
            raw: field name → raw value.
            source: the system or channel the values come from.
            actor: who captures it.
            observed_at: when the source saw the values (default: now).
            mode: ``block`` (the capture default) or ``warn`` (store despite errors; the
                audit event counts the issues).

        Raises:
            ValidationError: under ``block``, a value cannot become its field's type, a
                key names no field, or a rule found an error; ``issues`` lists every error
                as an `Issue` (nothing is stored).
            AccessDenied: *actor* may not create this record.
        """
        chosen = self.enforcement.mode("capture", mode)
        return self._screen_duplicates(
            self._mapping(raw),
            actor,
            lambda: self._capture_chunk(
                [self._mapping(raw)], source, actor, observed_at, mode=chosen
            ).records[0],
        )

    def _screen_duplicates(
        self, raw: Mapping[str, Any], actor: Actor, store: Callable[[], Record]
    ) -> Record:
        """
        The point-of-entry duplicate check around *store*: block, flag or auto-merge.
        """
        if self.matcher is None:
            return store()
        verdict = self.matcher.screen(raw)
        self.matcher.refuse(verdict)
        record = store()
        self.matcher.admit(record)
        best = verdict.best
        if best is None or verdict.action == "none":
            return record
        if verdict.action == "merge":
            merge = self.merge(
                [best.record_id, record.id], actor=actor, explanation=best.explanation
            )
            return self.get(merge.survivor_id, actor=actor)
        self.audit.append(
            at=self._clock(),
            actor=actor.id,
            action="flag_duplicate",
            schema=self.schema.name,
            record_ids=[record.id, best.record_id],
            detail={"entity": best.entity_id, "explanation": best.explanation.to_dict()},
        )
        return record

    def find_duplicates(self, *, previous: Mapping[str, str] | None = None) -> MatchResult:
        """
        Deduplicate every stored record of this schema in one batch run (nothing changes).

        Args:
            previous: record id → entity id from an earlier run, kept where possible
                (default: the entity ids the point-of-entry index gave).

        Raises:
            RecordkitError: the steward has no matcher.
        """
        if self.matcher is None:
            raise RecordkitError("find_duplicates needs Steward(..., matcher=DuplicateCheck(...))")
        records = [
            r for batch in self.store.iterate(self.schema.name) for r in batch if r.state != MERGED
        ]
        if previous is None:
            previous = self.matcher.index.entities
        return self.matcher.index.matcher.dedupe(records, previous=previous)

    def update(
        self,
        record_id: str,
        changes: Mapping[str, Any],
        *,
        source: str,
        actor: Actor = SYSTEM,
        expected_version: int | None = None,
        observed_at: dt.datetime | None = None,
        mode: Mode | str | None = None,
    ) -> Record:
        """
        Change some fields of a record; a ``None`` value clears a field.

        The changed values are normalized and validated by the steward's `RuleSet`; the
        record rules see the whole record as it would become.

        Args:
            record_id: the record to change.
            changes: field name → new raw value.
            source: the system or channel the new values come from.
            actor: who makes the change.
            observed_at: when the source saw the values (default: now).
            expected_version: refuse the write unless the record is still at this version
                (default: the version read now).
            mode: ``block`` (the update default) or ``warn`` (store despite errors).

        Raises:
            ConflictError: the record changed since *expected_version*.
            ValidationError: under ``block``, a value cannot become its field's type or a
                rule found an error; ``issues`` lists them.
        """
        changes = self._mapping(changes)
        self._check_source(source)
        chosen = self.enforcement.mode("update", mode)
        current = self._own(record_id)
        self.access.check(actor, Action.UPDATE, self.schema, current, tuple(changes))
        checked = self.rules.run(changes, base=current.values)
        errors = checked.errors
        if errors and chosen is not Mode.WARN:
            raise _validation_error(errors, record_id)
        now = self._clock()
        seen = observed_at or now
        values = dict(current.values)
        provenance = dict(current.provenance)
        for name in changes:
            if name in self.schema:
                values[name] = checked.values[name]
                provenance[name] = Provenance(source, seen, changes[name])
        coerced = [n for n in changes if n in self.schema]
        updated = current.evolve(
            values=values,
            provenance=provenance,
            version=current.version + 1,
            owner=self._owner(values, current.owner),
            updated_at=now,
        )
        base = current.version if expected_version is None else expected_version
        with self.store.transaction():
            self.store.put(updated, expected_version=base)
            self.audit.append(
                at=now,
                actor=actor.id,
                action=Action.UPDATE,
                schema=self.schema.name,
                record_ids=[record_id],
                fields=coerced,
                detail={
                    "source": source,
                    "version": updated.version,
                    **_issue_counts(checked.issues),
                },
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
        mode: Mode | str | None = None,
        memo_size: int = 100_000,
    ) -> BatchResult:
        """
        Take in many new records, column by column and chunk by chunk.

        The steward's `RuleSet` runs over each chunk column by column, once per distinct
        value in the whole run (memoized, at most *memo_size* values per field). Under
        ``quarantine`` (the batch default), rows with errors are held back whole, with
        their issues; ``warn`` stores them too; ``block`` raises at the first chunk with
        an error (earlier chunks stay stored). Stored rows go in together, one audit event
        per chunk.
        """
        if isinstance(rows, Mapping | str | bytes) or not isinstance(rows, Iterable):
            raise RecordkitError(
                f"capture_many takes an iterable of rows (mappings), got {type(rows).__name__}"
            )
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise RecordkitError(
                f"chunk_size must be a positive whole number, got {shorten(chunk_size)}"
            )
        chosen = self.enforcement.mode("batch", mode)
        records: list[Record] = []
        quarantined: list[QuarantinedRow] = []
        issues: list[Issue] = []
        memo: dict[Any, Any] = {}
        unique: dict[str, dict[Any, int]] = {}
        offset = 0
        for chunk in chunks(rows, chunk_size):
            result = self._capture_chunk(
                chunk,
                source,
                actor,
                observed_at,
                mode=chosen,
                offset=offset,
                memo=(memo, memo_size),
                unique=unique,
            )
            records.extend(result.records)
            quarantined.extend(result.quarantined)
            issues.extend(result.issues)
            offset += len(chunk)
        return BatchResult(records, quarantined, issues)

    def revalidate(
        self, rules: RuleSet, *, apply: bool = False, actor: Actor = SYSTEM
    ) -> Revalidation:
        """
        Re-check every stored record with a new version of the rules.

        A dry run by default: the report says which records now fail that passed before,
        which now pass, and which the new rules would normalize differently. With
        ``apply=True`` those changed records are stored as new versions (provenance keeps
        the raw values), audited as one ``update`` event, and the steward adopts *rules*.

        Raises:
            RecordkitError: *rules* are not a `RuleSet` of this steward's schema.
            AccessDenied: under ``apply``, *actor* may not update a changed record.
            ConflictError: under ``apply``, a record changed while it was re-checked.
        """
        if not isinstance(rules, RuleSet) or rules.schema.name != self.schema.name:
            raise RecordkitError(
                f"rules must be a RuleSet for schema {self.schema.name!r}, got {shorten(rules)}"
            )
        stored = (r for batch in self.store.scan(self.schema.name) for r in batch)
        report = revalidate(stored, old=self.rules, new=rules, apply=apply)
        if not apply:
            return report
        now = self._clock()
        deltas = {d.record_id: d for d in report.changed}
        for record in report.updated:
            fields = tuple({c.field for c in deltas[record.id].changes})
            self.access.check(actor, Action.UPDATE, self.schema, record, fields)
        for record in report.updated:
            self.store.put(record.evolve(updated_at=now), expected_version=record.version - 1)
        if report.updated:
            self.audit.append(
                at=now,
                actor=actor.id,
                action=Action.UPDATE,
                schema=self.schema.name,
                record_ids=[r.id for r in report.updated],
                fields=sorted({c.field for d in report.changed for c in d.changes}),
                detail={
                    "revalidated": True,
                    "rules_version": rules.version,
                    "previous_rules_version": self.rules.version,
                },
            )
        self.rules = rules
        return report

    # -- the road -----------------------------------------------------------------------

    def _capture_chunk(
        self,
        rows: Sequence[Mapping[str, Any]],
        source: str,
        actor: Actor,
        observed_at: dt.datetime | None,
        *,
        mode: Mode,
        offset: int = 0,
        memo: tuple[dict[Any, Any], int] | None = None,
        unique: dict[str, dict[Any, int]] | None = None,
    ) -> BatchResult:
        self._check_source(source)
        columns = Columns.from_rows(rows)
        self.access.check(actor, Action.CREATE, self.schema, None, columns.names)
        checked = run_chunk(
            self.rules,
            columns.data,
            columns.length,
            offset=offset,
            memo=None if memo is None else memo[0],
            memo_size=100_000 if memo is None else memo[1],
            seen=unique,
        )
        errors = checked.errors_by_row()
        if errors and mode is not Mode.WARN and (mode is Mode.BLOCK or memo is None):
            raise _validation_error([e for errs in errors.values() for e in errs], None)
        bad = {} if mode is Mode.WARN else errors
        by_row: dict[int, list[Issue]] = {}
        for issue in checked.issues:
            if issue.row is not None:
                by_row.setdefault(issue.row - offset, []).append(issue)
        now = self._clock()
        seen = observed_at or now
        defaulted = {f.name for f in self.schema.fields if f.default is not NOT_GIVEN}
        empty: list[Any] = [None] * columns.length
        raw_columns = {name: columns.data.get(name, empty) for name in checked.columns}
        records: list[Record] = []
        kept: list[Issue] = []
        for i in range(columns.length):
            if offset + i in bad:
                continue
            kept.extend(by_row.get(i, ()))
            values: dict[str, Any] = {}
            provenance: dict[str, Provenance] = {}
            for name, column in checked.columns.items():
                value, given = column[i], raw_columns[name][i]
                if value is None and given is None:
                    continue
                values[name] = value
                if name in defaulted and value is not None and _blank(given):
                    provenance[name] = Provenance(DEFAULT_SOURCE, now, None)
                else:
                    provenance[name] = Provenance(source, seen, given)
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
            with self.store.transaction():
                self.store.put_many(records)
                self.audit.append(
                    at=now,
                    actor=actor.id,
                    action=Action.CREATE,
                    schema=self.schema.name,
                    record_ids=[r.id for r in records],
                    fields=[n for n in columns.names if n in self.schema],
                    detail={"source": source, "count": len(records), **_issue_counts(kept)},
                )
        quarantined = [
            QuarantinedRow(row, dict(rows[row - offset]), tuple(errs), tuple(by_row[row - offset]))
            for row, errs in sorted(bad.items())
        ]
        return BatchResult(records, quarantined, kept)

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
        self._check_actor(actor)
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
        self._check_actor(actor)
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

    @staticmethod
    def _check_actor(actor: object) -> None:
        if not isinstance(actor, Actor):
            raise RecordkitError(f"actor must be a recordkit Actor, got {shorten(actor)}")

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
        with self.store.transaction():
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

    # -- merge and unmerge --------------------------------------------------------------

    @overload
    def merge(
        self,
        record_ids: Sequence[str],
        *,
        policy: MergePolicy | None = ...,
        picks: Mapping[str, str] | None = ...,
        actor: Actor = ...,
        dry_run: Literal[False] = ...,
        explanation: Any = ...,
    ) -> Merge: ...

    @overload
    def merge(
        self,
        record_ids: Sequence[str],
        *,
        policy: MergePolicy | None = ...,
        picks: Mapping[str, str] | None = ...,
        actor: Actor = ...,
        dry_run: Literal[True],
        explanation: Any = ...,
    ) -> MergePlan: ...

    def merge(
        self,
        record_ids: Sequence[str],
        *,
        policy: MergePolicy | None = None,
        picks: Mapping[str, str] | None = None,
        actor: Actor = SYSTEM,
        dry_run: bool = False,
        explanation: Any = None,
    ) -> Merge | MergePlan:
        """
        Merge two or more records into one, keeping the lineage of every value.

        The surviving record keeps its id and takes, field by field, the value the policy
        chooses; the others move to the ``merged`` state with their values untouched.
        References to them from this schema and from the ``related`` stewards' records are
        re-pointed to the survivor. Records, references, lineage and audit are written in
        one store transaction.

        Args:
            record_ids: the records to merge (order matters only for ``survivor="first"``).
            policy: the merge policy (default: the schema's ``matching`` section).
            picks: manual picks, field → record id, overriding the policy.
            actor: who merges.
            dry_run: compute and return the `MergePlan` without writing anything.
            explanation: the match explanation(s) behind the merge, kept in its lineage.

        Returns:
            The applied `Merge`, or the `MergePlan` on a dry run.

        Raises:
            MergeError: fewer than two records, a record listed twice, a record already
                merged, retired or erased, or a pick naming a record outside the merge.
            NotFound: an id names no record.
            AccessDenied: *actor* may not merge these records or re-point a reference.
            ConflictError: a record changed while the merge was being written (nothing is).
        """
        records = self._merge_records(record_ids)
        for record in records:
            self.access.check(actor, Action.MERGE, self.schema, record, self.schema.field_names)
        plan = plan_merge(
            self.schema,
            records,
            merge_id=self._ids(),
            at=self._clock(),
            actor=actor.id,
            lifecycle=self._state_lifecycle(),
            policy=policy,
            picks=picks,
            valid=self._passes_rules,
            explanation=explanation,
        )
        # One write per referring record, even when several of its fields move.
        moving: dict[tuple[int, str], tuple[Steward, Record]] = {}
        repoints: list[Repoint] = []
        for steward, name in self._referrers():
            where = {name: list(plan.merged_ids)}
            for batch in steward.store.iterate(steward.schema.name, where=where):
                by_id = {r.id: r for r in batch}
                for p in find_repoints(plan, steward.schema, name, batch):
                    before = by_id[p.record_id]
                    steward.access.check(actor, Action.UPDATE, steward.schema, before, (name,))
                    repoints.append(p)
                    key = (id(steward), p.record_id)
                    record = moving.get(key, (steward, before))[1]
                    after = p.apply(record, at=plan.at).evolve(version=before.version + 1)
                    moving[key] = (steward, after)
        moved = list(moving.values())
        plan = attrs.evolve(plan, repoints=repoints)
        if dry_run:
            return plan
        own: list[tuple[Record, int | None]] = [
            (r, r.version - 1) for r in (plan.survivor, *plan.tombstones)
        ]
        lineage = Lineage(
            plan.id,
            plan.schema,
            plan.survivor_id,
            plan.merged_ids,
            plan.at,
            actor.id,
            detail=plan.to_dict(self.schema),
        )
        with self._transactions(moved):
            own.extend(self._write_elsewhere(moved))
            self.store.put_merge(lineage, own)
            self._audit_merge("merge", plan.id, plan.at, actor, plan.record_ids, moved, {
                "survivor": plan.survivor_id,
                "merged": list(plan.merged_ids),
                "fields": {c.field: list(c.record_ids) for c in plan.lineage},
                "policy": plan.policy.to_dict(),
                "explanations": len(plan.explanations),
            })
        return Merge(plan, actor.id)

    def unmerge(
        self,
        merge_id: str,
        *,
        actor: Actor = SYSTEM,
        on_conflict: Literal["refuse", "reconcile"] = "refuse",
    ) -> Unmerge:
        """
        Undo a merge: the records and the references it moved come back as they were.

        Undo chained merges newest first (A+B, then AB+C: undo the second, then the first).
        Restored records keep their content exactly; their version moves on.

        Args:
            merge_id: the merge (``Merge.id``).
            actor: who undoes it.
            on_conflict: when a record was edited after the merge in a way the unmerge would
                overwrite: ``refuse`` (raise `UnmergeConflict`) or ``reconcile`` (keep the
                later edit on the record with the same id, and report it).

        Raises:
            NotFound: no merge with that id.
            MergeError: the merge was undone already, a later merge involves its records,
                it belongs to another schema, or a record is gone (erased since).
            UnmergeConflict: later edits are in the way and *on_conflict* is ``refuse``.
            AccessDenied: *actor* may not merge these records.
        """
        merge = self.get_merge(merge_id)
        if not merge.active:
            raise MergeError(
                f"merge {merge.id!r} was undone already (at {merge.undone_at})",
                record_ids=merge.record_ids,
            )
        later = self._later_merges(merge)
        if later:
            raise MergeError(
                f"records of merge {merge.id!r} were merged again since; undo "
                f"{', '.join(map(repr, later))} first (newest first)",
                record_ids=merge.record_ids,
            )
        ids = list(merge.record_ids)
        current = dict(zip(ids, self.store.get_many(ids), strict=True))
        for record in current.values():
            if record is not None:
                self.access.check(actor, Action.MERGE, self.schema, record, self.schema.field_names)
        references: dict[tuple[str, str], Record | None] = {}
        for p in merge.repoints:
            store = self._steward_for(p.schema).store
            references[(p.schema, p.record_id)] = store.get_many([p.record_id])[0]
        now = self._clock()
        undo = plan_unmerge(merge.plan, current, references, at=now, on_conflict=on_conflict)
        moved = [(self._steward_for(r.schema), r) for r in undo.references]
        for steward, record in moved:
            fields = tuple(
                dict.fromkeys(
                    p.field
                    for p in merge.repoints
                    if (p.schema, p.record_id) == (record.schema, record.id)
                )
            )
            steward.access.check(actor, Action.UPDATE, steward.schema, record, fields)
        own: list[tuple[Record, int | None]] = [(r, r.version - 1) for r in undo.restored]
        with self._transactions(moved):
            own.extend(self._write_elsewhere(moved))
            self.store.put_unmerge(merge.id, own, at=now, actor=actor.id)
            self._audit_merge("unmerge", merge.id, now, actor, undo.record_ids, moved, {
                "conflicts": [str(c) for c in undo.conflicts],
                "on_conflict": on_conflict,
            })
        return undo

    def get_merge(self, merge_id: str) -> Merge:
        """
        The merge with *merge_id*, with its lineage and whether it was undone.

        Raises:
            NotFound: no such merge.
            MergeError: it merged records of another schema.
        """
        if not isinstance(merge_id, str):
            raise MergeError(f"merge ids are text, got {shorten(merge_id)}")
        lineage = self.store.get_lineage(merge_id)
        if lineage.schema != self.schema.name:
            raise MergeError(
                f"merge {merge_id!r} merged {lineage.schema!r} records, not {self.schema.name!r}"
            )
        plan = MergePlan.from_dict(lineage.detail, self.schema)
        return Merge(plan, lineage.actor, lineage.undone_at, lineage.undone_by)

    def merges(self, record_id: str) -> list[Merge]:
        """
        Every merge *record_id* took part in (as survivor or merged away), oldest first.
        """
        return [self.get_merge(g.id) for g in self.store.lineage(record_id)]

    def resolve(self, record_id: str, *, actor: Actor = SYSTEM) -> Record:
        """
        The live record *record_id* now lives on as.

        That is the record itself, or the survivor it was merged into (following chained
        merges), so an id kept by another system still leads somewhere.

        Raises:
            NotFound: no such record.
        """
        seen = {record_id}
        current = self.get(record_id, actor=actor)
        while current.state == MERGED:
            into = self._merged_into(current.id)
            if into is None or into in seen:
                break
            seen.add(into)
            current = self.get(into, actor=actor)
        return current

    def _passes_rules(self, name: str, value: Any) -> bool:
        """
        Whether a stored *value* of field *name* passes this steward's rules.

        Used by ``validated_only``: no error-severity issue may name the field.
        """
        try:
            outcome = self.rules.run({name: value}, base={})
        except Exception:  # a rule that cannot run on the value cannot vouch for it
            return False
        return not any(i.field == name and i.severity == Severity.ERROR for i in outcome.issues)

    def _later_merges(self, merge: Merge) -> list[str]:
        """
        The active merges that took *merge*'s records in after it (to be undone first).

        "After" is told by versions, not clocks: a later merge read a record at or past the
        version this merge wrote.
        """
        written = {r.id: r.version for r in (merge.plan.survivor, *merge.plan.tombstones)}
        found: set[str] = set()
        for rid in merge.record_ids:
            for g in self.store.lineage(rid):
                if g.id == merge.id or g.undone_at is not None or g.id in found:
                    continue
                originals = self.get_merge(g.id).plan.originals
                if any(r.version >= written.get(r.id, r.version + 1) for r in originals):
                    found.add(g.id)
        return sorted(found)

    def _merged_into(self, record_id: str) -> str | None:
        for g in reversed(self.store.lineage(record_id)):
            if g.undone_at is None and record_id in g.merged_ids:
                return g.survivor_id
        return None

    def _merge_records(self, record_ids: object) -> list[Record]:
        if isinstance(record_ids, str | bytes | Mapping) or not isinstance(record_ids, Iterable):
            raise MergeError(
                f"merge takes a list of record ids, got {type(record_ids).__name__}"
            )
        ids = list(record_ids)
        for rid in ids:
            if not isinstance(rid, str):
                raise MergeError(f"record ids are text, got {shorten(rid)}")
        records = [self._own(rid) for rid in ids]
        for r in records:
            into = self._merged_into(r.id) if r.state == MERGED else None
            if into is not None:
                raise MergeError(
                    f"record {r.id!r} was merged into {into!r} already; merge {into!r} instead",
                    record_ids=[r.id],
                )
            if r.state != MERGED and self.lifecycles.closed(r):
                raise MergeError(
                    f"only live records merge: {r.id!r} is {r.state} (a final state)",
                    record_ids=[r.id],
                )
        return records

    def _state_lifecycle(self) -> str:
        """
        The name of the lifecycle driving ``state`` (named in the merged records' history).
        """
        for attribute, machine in self.lifecycles:
            if attribute == "state":
                return machine.lifecycle.name
        return ""

    def _referrers(self) -> list[tuple[Steward, str]]:
        """
        The (steward, reference field) pairs whose records can point at this schema.
        """
        out: list[tuple[Steward, str]] = []
        seen: set[int] = set()
        for steward in (self, *self.related):
            if id(steward) in seen:
                continue
            seen.add(id(steward))
            out.extend(
                (steward, f.name)
                for f in steward.schema.references
                if isinstance(f.type, Reference) and f.type.to == self.schema.name
            )
        return out

    def _steward_for(self, schema: str) -> Steward:
        for steward in (self, *self.related):
            if steward.schema.name == schema:
                return steward
        raise MergeError(
            f"this merge re-pointed {schema!r} records; give the {schema!r} steward to "
            f"Steward(..., related=[...]) to restore them"
        )

    def _transactions(self, moved: Sequence[tuple[Steward, Record]]) -> ExitStack:
        stack = ExitStack()
        stack.enter_context(self.store.transaction())
        stores = {id(s.store): s.store for s, _ in moved if s.store is not self.store}
        for store in stores.values():
            stack.enter_context(store.transaction())
        return stack

    def _write_elsewhere(
        self, moved: Sequence[tuple[Steward, Record]]
    ) -> list[tuple[Record, int | None]]:
        """
        Write the re-pointed records kept in other stores; return those kept in this one.
        """
        here: list[tuple[Record, int | None]] = []
        for steward, record in moved:
            if steward.store is self.store:
                here.append((record, record.version - 1))
            else:
                steward.store.put(record, expected_version=record.version - 1)
        return here

    def _audit_merge(
        self,
        action: str,
        merge_id: str,
        at: dt.datetime,
        actor: Actor,
        record_ids: Sequence[str],
        moved: Sequence[tuple[Steward, Record]],
        detail: Mapping[str, Any],
    ) -> None:
        repointed: dict[str, list[str]] = {}
        for steward, record in moved:
            repointed.setdefault(steward.schema.name, []).append(record.id)
        self.audit.append(
            at=at,
            actor=actor.id,
            action=Action.MERGE if action == "merge" else action,
            schema=self.schema.name,
            record_ids=record_ids,
            fields=self.schema.field_names,
            detail={"merge": merge_id, **detail, "repointed": repointed},
        )
        pending = {k: list(v) for k, v in repointed.items()}
        for steward, _ in moved:
            ids = pending.pop(steward.schema.name, None)
            if ids:
                steward.audit.append(
                    at=at,
                    actor=actor.id,
                    action=Action.UPDATE,
                    schema=steward.schema.name,
                    record_ids=ids,
                    fields=[f for s, f in self._referrers() if s is steward],
                    detail={"merge": merge_id, "reason": f"{action}: references re-pointed"},
                )


def _stewards(value: Iterable[Steward]) -> tuple[Steward, ...]:
    if isinstance(value, Steward) or not isinstance(value, Iterable):
        raise RecordkitError(f"related takes a list of stewards, got {type(value).__name__}")
    out = tuple(value)
    for s in out:
        if not isinstance(s, Steward):
            raise RecordkitError(f"related takes stewards, got {type(s).__name__}")
    return out


def _validation_error(errors: Sequence[Issue], record_id: str | None) -> ValidationError:
    summary = "; ".join(f"{e.field or 'record'}: {e.message}" for e in errors[:5])
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return ValidationError(
        f"{len(errors)} problem(s): {summary}{more}", issues=errors, record_id=record_id
    )


def _issue_counts(issues: Iterable[Issue]) -> dict[str, int]:
    """
    Issue counts by severity for an audit event's detail (empty when there are none).
    """
    counts: dict[str, int] = {}
    for issue in issues:
        key = f"{issue.severity.value}s"
        counts[key] = counts.get(key, 0) + 1
    return counts


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
