"""
The batch verbs of `Steward`: `capture_many` and `revalidate`, and the rows they cannot store.

A batch is the road of one record taken by many at once: each chunk is prepared column by
column (`_prepare_chunk`), screened by the access policy row by row, and handed to the one
commit path; rows that cannot be stored for any reason are quarantined with it.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from typing import IO, Any

import attrs

from recordkit._errors import AccessDenied, RecordkitError, StoreError, ValidationError, shorten
from recordkit._gc import collector_paused
from recordkit._resolve import DEFAULT_SOURCE
from recordkit._steward_change import Change, Event, Write
from recordkit._steward_core import (
    SYSTEM,
    _blank,
    _issue_counts,
    _validation_error,
)
from recordkit._steward_erase import SUPPRESSED, suppressed_ids
from recordkit._steward_merge import _MergeVerbs
from recordkit._steward_rows import (
    BatchResult,
    QuarantinedRow,
    held,
    keepable,
    quarantine_entry,
    row_problem,
)
from recordkit._steward_source import pieces, unreadable_row
from recordkit.engines import Columns
from recordkit.governance import Action, Actor
from recordkit.match import MERGED, DuplicateError
from recordkit.rules import EnforcementMode, Issue, Revalidation, RuleSet, revalidate, run_chunk
from recordkit.schema import NOT_GIVEN, Provenance, Record
from recordkit.sources import CsvSource, UnreadableRow
from recordkit.store import QuarantineEntry, Review

__all__: list[str] = []


class _BatchVerbs(_MergeVerbs):
    """
    Batches through the one commit path: capture_many and revalidate.
    """

    def _created_event(
        self, names: Sequence[str], source: str, issues: Sequence[Issue]
    ) -> Callable[[Sequence[Write]], list[Event]]:
        """
        The ``create`` audit event of the records a change stores (none when none are).
        """
        fields = [n for n in names if n in self.schema]

        def events(writes: Sequence[Write]) -> list[Event]:
            ids = [w.after.id for w in writes if w.before is None and w.owner is self]
            if not ids:
                return []
            detail = {"source": source, "count": len(ids), **_issue_counts(issues)}
            return [Event(self, Action.CREATE, ids, fields, detail)]

        return events

    def capture_many(
        self,
        rows: Iterable[Mapping[str, Any]]
        | CsvSource
        | str
        | os.PathLike[str]
        | IO[bytes]
        | IO[str]
        | object,
        *,
        source: str,
        actor: Actor = SYSTEM,
        observed_at: dt.datetime | None = None,
        chunk_size: int = 10_000,
        mode: EnforcementMode | str | None = None,
        memo_size: int = 100_000,
    ) -> BatchResult:
        """
        Take in many new records, column by column and chunk by chunk.

        The steward's `RuleSet` runs over each chunk column by column, once per distinct
        value in the whole run (memoized, at most *memo_size* values per field). Under
        ``quarantine`` (the batch default), rows with errors are held back whole, with
        their issues; ``warn`` stores them too; ``block`` raises at the first chunk with
        an error. A row that is not a mapping, that the access policy refuses, or that
        the database cannot hold is quarantined too, with its reason, and never costs its
        neighbours: every row read is either stored or quarantined. Each chunk commits
        on its own through the one commit path (its records, one audit event and its
        quarantined rows, under one batch id per call). With enrichers, the stored records
        are enriched in that commit (once per distinct input in the whole run), and what
        the enrichers could not do joins the result's issues at its row (warnings: it
        never holds a row back). With a ``matcher``, the stored
        records join its index, so later captures are checked against them;
        `find_duplicates` reports the duplicates within the batch. A steward opened with
        ``keep_profiles=True`` then keeps the profile of the rows the run read (`profiles`);
        a run that fails keeps none.

        *rows* are mappings, a table (a pandas or polars DataFrame, a pyarrow ``Table``,
        ``RecordBatch`` or ``RecordBatchReader``: read a chunk at a time, numbers reaching
        text fields as their text), or a delimited text file: a
        `recordkit.sources.CsvSource`, or a path or an open file read as
        ``CsvSource(rows)``. A file's columns are matched to the schema's fields as the
        source says; a row of it that cannot be read (bytes not in the file's encoding,
        more or fewer cells than the header) is quarantined with the issue
        ``row.unreadable`` and its raw bytes or cells; a quarantined row of a file keeps
        its line under ``"<line>"`` (and the unknown columns of ``unknown="keep"``). What
        the reading chose (encoding, delimiter, columns) is the source's ``layout``.

        Raises:
            RecordkitError: a chunk failed (a `StoreError` from the database, a
                `ValidationError` under ``block``, an `AccessDenied`); earlier chunks
                stay committed, and the error's ``partial`` is their `BatchResult`, so
                the caller can resume after ``partial.total`` rows.
        """
        self._check_source(source)
        self._check_actor(actor)
        seen = self._check_time("observed_at", observed_at)
        for name, value in (("chunk_size", chunk_size), ("memo_size", memo_size)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 10**9:
                raise RecordkitError(
                    f"{name} must be a whole number from 1 to 10**9, got {shorten(value)}"
                )
        read_in = pieces(rows, chunk_size, self.schema)
        chosen = self.enforcement.mode("batch", mode)
        result = BatchResult([], [], [])
        memo: dict[Any, Any] = {}
        unique: dict[str, dict[Any, int]] = {}
        # Quarantined rows are kept in the store under one batch id per call.
        batch = f"{source[:40]}-{uuid.uuid4().hex}"
        offset = 0
        try:
            for chunk, read in read_in:
                # a chunk builds many objects and no cycles: the collector waits (see `_gc`)
                with collector_paused():
                    done = self._capture_chunk(
                        chunk, source, actor, seen, chosen, offset, (memo, memo_size), unique,
                        batch, read=read,
                    )  # fmt: skip
                result.records.extend(done.records)
                result.quarantined.extend(done.quarantined)
                result.issues.extend(done.issues)
                offset += len(chunk)
        except RecordkitError as exc:
            exc.partial = self._sight(actor).batch(result)
            raise
        self._imported(result, source, actor)
        return self._sight(actor).batch(result)

    def _imported(self, result: BatchResult, source: str, actor: Actor) -> None:
        """
        A `capture_many` run completed with *result* (what the steward keeps of it: a hook).
        """

    def revalidate(
        self,
        rules: RuleSet,
        *,
        apply: bool = False,
        actor: Actor = SYSTEM,
        batch_size: int = 10_000,
    ) -> Revalidation:
        """
        Re-check every stored record with a new version of the rules.

        A dry run by default: the report says which records now fail that passed before,
        which now pass, and which the new rules would normalize differently. With
        ``apply=True`` the changed records are stored as new versions (provenance keeps
        the raw values), batch by batch through the one commit path (one ``update`` audit
        event per batch; the duplicate index follows), and the steward adopts *rules*.
        Records in a final state (retired, merged away) are left as they are.

        Raises:
            RecordkitError: *rules* are not a `RuleSet` of this steward's schema.
            AccessDenied: under ``apply``, *actor* may not update a changed record (the
                batches before it stay applied).
            ConflictError: under ``apply``, a record changed while it was re-checked.
        """
        if not isinstance(rules, RuleSet) or rules.schema.name != self.schema.name:
            raise RecordkitError(
                f"rules must be a RuleSet for schema {self.schema.name!r}, got {shorten(rules)}"
            )
        if not isinstance(apply, bool):
            raise RecordkitError(f"apply must be True or False, got {shorten(apply)}")
        self._check_actor(actor)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise RecordkitError(
                f"batch_size must be a positive whole number, got {shorten(batch_size)}"
            )
        reports: list[Revalidation] = []
        for page in self.store.scan(self.schema.name, batch_size=batch_size):
            live = [r for r in page if r.state != MERGED and not self.lifecycles.closed(r)]
            report = revalidate(live, old=self.rules, new=rules, apply=apply)
            if apply and report.updated:
                report = self._apply_revalidation(report, rules, actor, {r.id: r for r in live})
            reports.append(report)
        if apply:
            self.rules = rules
        return _combine(reports, self.rules.version if not apply else rules.version, rules, apply)

    def _apply_revalidation(
        self, report: Revalidation, rules: RuleSet, actor: Actor, before: Mapping[str, Record]
    ) -> Revalidation:
        now = self._now()
        fields = {d.record_id: tuple(sorted({c.field for c in d.changes})) for d in report.changed}
        stored = [r.evolve(updated_at=now) for r in report.updated]
        writes = [Write(self, r, before[r.id], Action.UPDATE, fields[r.id]) for r in stored]
        detail = {
            "revalidated": True,
            "rules_version": rules.version,
            "previous_rules_version": self.rules.version,
        }
        names = sorted({f for w in writes for f in w.fields})

        def events(done: Sequence[Write]) -> list[Event]:
            return [Event(self, Action.UPDATE, [w.after.id for w in done], names, detail)]

        done = self._commit(Change(actor, now, writes, events))
        return attrs.evolve(report, updated=[w.after for w in done.writes])

    # -- the road -----------------------------------------------------------------------

    def _capture_chunk(
        self,
        rows: Sequence[object],
        source: str,
        actor: Actor,
        observed_at: dt.datetime | None,
        mode: EnforcementMode,
        offset: int,
        memo: tuple[dict[Any, Any], int],
        unique: dict[str, dict[Any, int]],
        batch: str,
        *,
        read: Sequence[object] | None = None,
    ) -> BatchResult:
        """
        One chunk of a batch: prepared, screened by the policy, committed.

        *rows* are the rows as given (kept when quarantined); *read*, when they differ
        (a file's), what the rules see.
        """
        now = self._now()
        prepared = self._prepare_chunk(
            rows, source, observed_at, now, mode=mode, offset=offset, memo=memo, unique=unique,
            read=read,
        )  # fmt: skip
        known = [n for n in prepared.names if n in self.schema]  # unknown keys are issues
        self.access.check(actor, Action.CREATE, self.schema, None, known, after=None)
        quarantined = list(prepared.quarantined)
        records: list[Record] = []
        writes: list[Write] = []
        for index, record in zip(prepared.rows, prepared.records, strict=True):
            write = Write(self, record, None, Action.CREATE, tuple(record.values))
            try:
                self._permit(actor, write)
            except AccessDenied as exc:
                quarantined.append(held(index, rows[index - offset], str(exc), "<access>"))
                continue
            writes.append(write)
            records.append(record)
        erased = suppressed_ids(self.store, self.schema, self._key, records)
        if erased:
            for index, record in zip(prepared.rows, prepared.records, strict=True):
                if record.id in erased:
                    quarantined.append(held(index, rows[index - offset], SUPPRESSED, "<erased>"))
            writes = [w for w in writes if w.after.id not in erased]
            records = [r for r in records if r.id not in erased]
        position = {r.id: i for i, r in zip(prepared.rows, prepared.records, strict=True)}

        def isolate(write: Write, exc: StoreError) -> QuarantineEntry:
            index = position[write.after.id]
            row = held(index, rows[index - offset], str(exc), "<store>")
            quarantined.append(row)
            return quarantine_entry(row, self.schema.name, now, source, batch)

        created = self._created_event(prepared.names, source, prepared.issues)
        with self._screening(None) if self.matcher is not None and writes else nullcontext():
            flags: list[dict[str, Any]] = []
            merging: list[tuple[str, str]] = []  # (best match, new record)
            reviews: list[Review] = []
            if self.matcher is not None and writes:
                # against the stored records and the batch's own earlier rows, all at once
                verdicts = self.matcher.screen_many([w.after for w in writes])
                admitted: list[Write] = []
                for write, verdict in zip(writes, verdicts, strict=True):
                    if verdict.action == "block":
                        index = position[write.after.id]
                        reason = str(DuplicateError(verdict))
                        quarantined.append(held(index, rows[index - offset], reason, "<duplicate>"))
                        continue
                    admitted.append(write)
                    flag = self._flagged(write.after, verdict, now)
                    if flag is not None:
                        flags.append(flag[0])
                        reviews.append(flag[1])
                    best = verdict.best
                    if verdict.action == "merge" and best is not None:
                        merging.append((best.record_id, write.after.id))
                writes = admitted
            entries = [
                quarantine_entry(q, self.schema.name, now, source, batch) for q in quarantined
            ]

            def events(written: Sequence[Write]) -> list[Event]:
                ids = {w.after.id for w in written}
                kept = [f for f in flags if f["record"] in ids]
                return [*created(written), *self._flag_events(kept)]

            done = self._commit(
                Change(
                    actor,
                    now,
                    writes,
                    events,
                    quarantine=entries,
                    isolate=isolate,
                    reviews=reviews,
                )
            )
            stored = [w.after for w in done.writes]
            self._merge_admitted(merging, {r.id for r in stored}, actor)
        quarantined.sort(key=lambda q: q.index)
        issues = list(prepared.issues)
        if done.enrichment:  # at the rows of the records they are about
            for (_, rid), found in done.enrichment.items():
                issues += [attrs.evolve(i, row=position[rid]) for i in found]
        return BatchResult(stored, quarantined, issues)

    def _merge_admitted(
        self, merging: Sequence[tuple[str, str]], stored: set[str], actor: Actor
    ) -> None:
        """
        Merge each stored new record the check merges into its best match, in order.

        A match merged away already is followed to its survivor.
        """
        survivor: dict[str, str] = {}
        for best, new in merging:
            if new not in stored:
                continue
            while best in survivor:
                best = survivor[best]
            done = self.merge([best, new], actor=actor)
            for rid in done.plan.record_ids:
                if rid != done.plan.survivor.id:
                    survivor[rid] = done.plan.survivor.id

    def _prepare_chunk(
        self,
        rows: Sequence[object],
        source: str,
        observed_at: dt.datetime | None,
        now: dt.datetime,
        *,
        mode: EnforcementMode,
        offset: int = 0,
        memo: tuple[dict[Any, Any], int] | None = None,
        unique: dict[str, dict[Any, int]] | None = None,
        single: bool = False,
        read: Sequence[object] | None = None,
    ) -> _Prepared:
        """
        Normalize and validate *rows* into new records (nothing is written).

        Rows that are not mappings of text keys are quarantined with their reason (under
        *single*, they raise); rows with errors are quarantined under ``quarantine``,
        raise under ``block`` and are kept under ``warn``. *read*: what the rules see of
        each row, when that is not the row as given (a file's row without its line); a
        file's row that could not be read is quarantined as ``row.unreadable``.
        """
        shapes: dict[int, str] = {}
        unreadable: dict[int, UnreadableRow] = {}
        usable: list[Mapping[str, Any]] = []
        for i, row in enumerate(rows if read is None else read):
            if type(row) is UnreadableRow:
                shapes[offset + i] = row.reason
                unreadable[offset + i] = row
                usable.append({})
                continue
            problem = row_problem(row)
            if problem is not None:
                if single:
                    raise ValidationError(problem)
                shapes[offset + i] = problem
                usable.append({})
            else:
                usable.append(row)  # type: ignore[arg-type]  # checked by _row_problem
        columns = Columns.from_rows(usable)
        checked = run_chunk(
            self.rules,
            columns.data,
            columns.length,
            offset=offset,
            memo=None if memo is None else memo[0],
            memo_size=100_000 if memo is None else memo[1],
            seen=unique,
            channel=source,  # picks each field's on_invalid action
        )
        errors = {k: v for k, v in checked.errors_by_row().items() if k not in shapes}
        warn, block = EnforcementMode.WARN, EnforcementMode.BLOCK
        if errors and mode is not warn and (mode is block or single):
            raise _validation_error([e for errs in errors.values() for e in errs], None)
        bad = {} if mode is warn else errors
        by_row: dict[int, list[Issue]] = {}
        for issue in checked.issues:
            if issue.row is not None:
                by_row.setdefault(issue.row - offset, []).append(issue)
        seen = observed_at or now
        defaulted = {f.name for f in self.schema.fields if f.default is not NOT_GIVEN}
        empty: list[Any] = [None] * columns.length
        raw_columns = {name: columns.data.get(name, empty) for name in checked.columns}
        records: list[Record] = []
        indexes: list[int] = []
        kept: list[Issue] = []
        for i in range(columns.length):
            if offset + i in bad or offset + i in shapes:
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
                    self._new_id(),
                    self.schema.name,
                    values,
                    provenance=provenance,
                    owner=self._owner(values, None),
                    created_at=now,
                    field_names=self.schema.field_names,
                )
            )
            indexes.append(offset + i)
        quarantined = [
            QuarantinedRow(
                row, keepable(rows[row - offset]), tuple(errs), tuple(by_row[row - offset])
            )
            for row, errs in bad.items()
        ]
        quarantined += [
            held(row, rows[row - offset], why, "<row>")
            for row, why in shapes.items()
            if row not in unreadable
        ]
        quarantined += [unreadable_row(row, bad) for row, bad in unreadable.items()]
        quarantined.sort(key=lambda q: q.index)
        return _Prepared(columns.names, records, indexes, quarantined, kept)


@attrs.frozen
class _Prepared:
    """
    A chunk made ready to commit: its records (with their row numbers) and refused rows.
    """

    names: tuple[str, ...]
    records: list[Record]
    rows: list[int]
    quarantined: list[QuarantinedRow]
    issues: list[Issue]


def _combine(
    reports: Sequence[Revalidation], old_version: int, rules: RuleSet, apply: bool
) -> Revalidation:
    """
    One report from the reports of the batches.
    """
    return Revalidation(
        reports[0].old_version if reports else old_version,
        rules.version,
        sum(r.checked for r in reports),
        [d for r in reports for d in r.now_failing],
        [d for r in reports for d in r.now_passing],
        [d for r in reports for d in r.changed],
        [u for r in reports for u in r.updated],
        apply,
    )
