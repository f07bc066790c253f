"""
What an actor sees: the facade's results masked by the steward's access policy.

Every value the facade hands out passes through a `Sight`: a record the actor may read
comes back with the fields it may not read in clear masked (`Policy.mask`); a record it
may not read at all (it made a write it cannot see, a merge named it) comes back with
every value hidden; plain data (merge lineage cells, match explanations, quarantined
rows, audit payloads) is masked field by field. A policy without masking (`AllowAll`, or
an `AccessPolicy` that only checks) shows everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from recordkit._errors import AccessDenied
from recordkit._steward_rows import BatchResult, QuarantinedRow
from recordkit.governance import AccessPolicy, Action, Actor, AllowAll, Masked
from recordkit.match import CellLineage, CellValue, Conflict, MatchExplanation, MergePlan
from recordkit.rules import Issue
from recordkit.schema import Provenance, Record, Schema

__all__ = ["Sight"]


class Sight:
    """
    The masking of one actor under one steward's policy, for the results of one call.
    """

    def __init__(self, access: AccessPolicy, schema: Schema, actor: Actor) -> None:
        self.access = access
        self._access = access
        self._schema = schema
        self._actor = actor
        self._open = isinstance(access, AllowAll)
        mask_values = getattr(access, "mask_values", None)
        self._mask = getattr(access, "mask", None)
        self._mask_values = mask_values
        self._clear: frozenset[str] | None = None
        if mask_values is None:
            return
        probe = dict.fromkeys(schema.field_names, "")
        shown = mask_values(actor, schema, probe)
        self._clear = frozenset(n for n in schema.field_names if shown.get(n) == "")

    @property
    def masks(self) -> bool:
        """
        Whether anything is masked for this actor.
        """
        return self._clear is not None and len(self._clear) < len(self._schema.field_names)

    def may_read(self, record: Record) -> bool:
        """
        Whether the actor may read *record* (the policy's ``read`` check).
        """
        try:
            self._access.check(
                self._actor, Action.READ, self._schema, record, self._schema.field_names
            )
        except AccessDenied:
            return False
        return True

    def record(self, record: Record) -> Record:
        """
        *record* as the actor may see it: masked, or wholly hidden if it may not read it.
        """
        if self._open:
            return record
        if not self.may_read(record):
            return hidden(record)
        if self._mask is None or not self.masks:
            return record
        out: Record = self._mask(self._actor, self._schema, record)
        return out

    def readable(self, record: Record) -> Record:
        """
        *record* masked for an actor already allowed to read it.
        """
        if self._mask is None or not self.masks:
            return record
        out: Record = self._mask(self._actor, self._schema, record)
        return out

    def values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """
        Plain field → value data with what the actor may not read in clear masked.
        """
        if self._mask_values is None or not self.masks:
            return dict(values)
        out: dict[str, Any] = self._mask_values(self._actor, self._schema, values)
        return out

    def value(self, field: str, value: Any) -> Any:
        """
        One value of *field* as the actor may see it.
        """
        if value is None or not self.masks:
            return value
        if field not in self._schema:
            return Masked.hidden(field)
        return self.values({field: value})[field]

    def row(self, row: QuarantinedRow) -> QuarantinedRow:
        """
        A quarantined row with its values and issues masked.

        Keys that name no field are hidden too: nothing says what they hold.
        """
        if not self.masks:
            return row
        return attrs.evolve(
            row,
            row={k: self.value(str(k), v) for k, v in row.row.items()},
            errors=tuple(self.issue(i) for i in row.errors),
            issues=tuple(self.issue(i) for i in row.issues),
        )

    def issue(self, issue: Issue) -> Issue:
        """
        An issue whose value (and message, which may quote it) is masked when its field is.
        """
        name = issue.field
        if not self.masks or name is None or name in (self._clear or ()):
            return issue
        return attrs.evolve(
            issue,
            value=self.value(name, issue.value),
            message=f"{name}: {issue.code} (the value is masked)",
            hint="",
        )

    def batch(self, result: BatchResult) -> BatchResult:
        """
        A batch result as the actor may see it.
        """
        if self._open:
            return result
        return BatchResult(
            [self.record(r) for r in result.records],
            [self.row(q) for q in result.quarantined],
            [self.issue(i) for i in result.issues],
        )

    def conflict(self, conflict: Conflict) -> Conflict:
        """
        An unmerge conflict with both values masked (its path names no plain field).
        """
        if not self.masks:
            return conflict
        return attrs.evolve(
            conflict,
            merged=self.value(conflict.path, conflict.merged),
            current=self.value(conflict.path, conflict.current),
        )

    def changes(self, changes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """
        An audit event's changes (record id → field → ``[before, after]``), masked.
        """
        return {
            rid: {n: [self.value(n, pair[0]), self.value(n, pair[1])] for n, pair in row.items()}
            for rid, row in changes.items()
        }

    def plan(self, plan: MergePlan) -> MergePlan:
        """
        A merge plan as the actor may see it: its records, cells and explanations masked.
        """
        if not self.masks and all(
            self.may_read(r) for r in (plan.survivor, *plan.tombstones, *plan.originals)
        ):
            return plan
        return attrs.evolve(
            plan,
            survivor=self.record(plan.survivor),
            tombstones=tuple(self.record(r) for r in plan.tombstones),
            originals=tuple(self.record(r) for r in plan.originals),
            lineage=tuple(self._cell(c) for c in plan.lineage),
            explanations=tuple(self.explanation(e) for e in plan.explanations),
        )

    def _cell(self, cell: CellLineage) -> CellLineage:
        name = cell.field
        return attrs.evolve(
            cell,
            value=self.value(name, cell.value),
            candidates=tuple(self._candidate(name, c) for c in cell.candidates),
        )

    def _candidate(self, name: str, cell: CellValue) -> CellValue:
        prov = cell.provenance
        if prov is not None and prov.raw is not None:
            prov = Provenance(prov.source, prov.observed_at, _text(self.value(name, prov.raw)))
        return attrs.evolve(cell, value=self.value(name, cell.value), provenance=prov)

    def explanation(self, explanation: Any) -> Any:
        """
        A match explanation with the compared values of fields not read in clear hidden.

        A comparison named after no field the actor reads in clear (a composite of
        several) has its values hidden too.
        """
        if not self.masks:
            return explanation
        clear = self._clear or frozenset()
        if isinstance(explanation, MatchExplanation):
            terms = tuple(
                t
                if t.comparison in clear
                else attrs.evolve(
                    t,
                    left=None if t.left is None else str(Masked.hidden(t.comparison)),
                    right=None if t.right is None else str(Masked.hidden(t.comparison)),
                )
                for t in explanation.terms
            )
            return attrs.evolve(explanation, terms=terms)
        if isinstance(explanation, Mapping):
            return {k: v for k, v in explanation.items() if k != "terms"}
        return explanation


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Masked) else value


def hidden(record: Record) -> Record:
    """
    *record* with every value, and the raw value of its provenance, wholly hidden.
    """
    values = {n: None if v is None else Masked.hidden(n) for n, v in record.values.items()}
    provenance = {
        n: Provenance(p.source, p.observed_at, None if p.raw is None else str(Masked.hidden(n)))
        for n, p in record.provenance.items()
    }
    return record.evolve(values=values, provenance=provenance)
