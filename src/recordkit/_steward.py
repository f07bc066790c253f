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
from typing import Any

import attrs

from recordkit._errors import (
    RecordkitError,
    TransitionError,
    shorten,
)
from recordkit._steward_core import (
    DEFAULT_SOURCE,
    SYSTEM,
    _blank,
    _issue_counts,
    _validation_error,
)
from recordkit._steward_lifecycle import _LifecycleVerbs
from recordkit._steward_merge import _MergeVerbs
from recordkit.engines import Columns, chunks
from recordkit.governance import Action, Actor
from recordkit.match import (
    MERGED,
    MatchResult,
    Verdict,
)
from recordkit.rules import (
    Issue,
    Mode,
    Revalidation,
    RuleSet,
    revalidate,
    run_chunk,
)
from recordkit.schema import NOT_GIVEN, Provenance, Record
from recordkit.store import QuarantineEntry

__all__ = ["BatchResult", "QuarantinedRow", "Steward"]


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


class Steward(_MergeVerbs, _LifecycleVerbs):
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
        row = self._mapping(raw)
        return self._screen_duplicates(
            row,
            actor,
            lambda: self._capture_chunk([row], source, actor, observed_at, mode=chosen).records[0],
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
        self._flag_duplicate(record, verdict, actor)
        return record

    def _flag_duplicate(self, record: Record, verdict: Verdict, actor: Actor) -> None:
        best = verdict.best
        if verdict.action != "flag" or best is None:
            return
        self.audit.append(
            at=self._clock(),
            actor=actor.id,
            action="flag_duplicate",
            schema=self.schema.name,
            record_ids=[record.id, best.record_id],
            detail={"entity": best.entity_id, "explanation": best.explanation.to_dict()},
        )

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
            DuplicateError: the steward's `DuplicateCheck` blocks the record as it would
                become (a duplicate of another entity); nothing is stored.
            TransitionError: the record is in a final state (retired, merged).
            ValidationError: under ``block``, a value cannot become its field's type or a
                rule found an error; ``issues`` lists them.
        """
        changes = self._mapping(changes)
        self._check_source(source)
        chosen = self.enforcement.mode("update", mode)
        current = self._own(record_id)
        if self.lifecycles.closed(current):
            raise TransitionError(
                f"record {record_id!r} is {current.state}, a final state: it takes no updates"
            )
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
        verdict = None
        if self.matcher is not None and set(coerced) & set(self.matcher.index.matcher.columns):
            # an edit can make a duplicate too: checked like a capture, but never merged
            verdict = self.matcher.screen_change(updated)
            self.matcher.refuse(verdict)
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
        self._reindex([updated])
        if verdict is not None:
            self._flag_duplicate(updated, verdict, actor)
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
        per chunk; quarantined rows are kept in the store too (``store.quarantined(...)``),
        under one batch id per call, in the same transaction as their chunk. With a
        ``matcher``, the stored records join its index, so later captures are checked
        against them; `find_duplicates` reports the duplicates within the batch.
        """
        self._check_source(source)
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
        # Quarantined rows are kept in the store under one batch id per call.
        batch = f"{source}-{uuid.uuid4().hex}"
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
                batch=batch,
            )
            records.extend(result.records)
            quarantined.extend(result.quarantined)
            issues.extend(result.issues)
            offset += len(chunk)
        if self.matcher is not None:
            # Later point-of-entry checks see the batch; duplicates inside it are found by
            # find_duplicates (a batch run), not flagged one capture at a time.
            self.matcher.admit_many(records)
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
        batch: str | None = None,
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
        quarantined = [
            QuarantinedRow(row, dict(rows[row - offset]), tuple(errs), tuple(by_row[row - offset]))
            for row, errs in sorted(bad.items())
        ]
        held = [
            QuarantineEntry(
                id=f"{batch}-{q.index}",
                schema=self.schema.name,
                at=now,
                source=source,
                row=q.row,
                reasons=[(e.field or "<record>", e.message) for e in q.errors],
                batch=batch,
                index=q.index,
            )
            for q in quarantined
            if batch is not None
        ]
        if records or held:
            # The chunk's records, its audit event and its quarantined rows commit together.
            with self.store.transaction():
                if records:
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
                if held:
                    self.store.put_quarantine(held)
        return BatchResult(records, quarantined, kept)
