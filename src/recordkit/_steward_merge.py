"""
The merge verb of `Steward`: survivorship, lineage and the references it re-points.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, overload

import attrs

from recordkit._errors import (
    shorten,
)
from recordkit._steward_change import Change, Event, Owner, Write
from recordkit._steward_core import SYSTEM, _StewardCore
from recordkit._steward_index import _IndexKeeping
from recordkit.governance import Action, Actor
from recordkit.match import (
    MERGED,
    Merge,
    MergeError,
    MergePlan,
    MergePolicy,
    Repoint,
    find_repoints,
    plan_merge,
)
from recordkit.rules import (
    Severity,
)
from recordkit.schema import Record, Reference
from recordkit.store import Lineage


class _MergeVerbs(_IndexKeeping):
    """
    Merges with survivorship, written atomically with their lineage, and their undoing.
    """

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
            The applied `Merge`, or the `MergePlan` on a dry run, as *actor* may see it
            (values the policy masks for *actor* are `Masked`; records it may not read
            are wholly hidden).

        Raises:
            MergeError: fewer than two records, a record listed twice, a record already
                merged, retired or erased, or a pick naming a record outside the merge.
            NotFound: an id names no record.
            AccessDenied: *actor* may not merge these records or re-point a reference.
            ConflictError: a record changed while the merge was being written (nothing is).
        """
        self._check_actor(actor)
        if not isinstance(dry_run, bool):
            raise MergeError(f"dry_run must be True or False, got {shorten(dry_run)}")
        records = self._merge_records(record_ids)
        plan, writes, lineage = self._plan_merge(
            records,
            actor=actor,
            at=self._now(),
            policy=policy,
            picks=picks,
            explanation=explanation,
        )
        if dry_run:
            for write in writes:
                self._permit(actor, write)
            return self._sight(actor).plan(plan)
        events = self._merge_events(
            "merge", plan.id, plan.record_ids, writes, self._merge_detail(plan)
        )
        self._commit(Change(actor, plan.at, writes, events, merge=lineage))
        return Merge(self._sight(actor).plan(plan), actor.id)

    def _plan_merge(
        self,
        records: Sequence[Record],
        *,
        actor: Actor,
        at: dt.datetime,
        policy: MergePolicy | None = None,
        picks: Mapping[str, str] | None = None,
        explanation: Any = None,
    ) -> tuple[MergePlan, list[Write], Lineage]:
        """
        Plan the merge of *records*: the plan, the writes it makes and its lineage.

        The writes are the survivor and the merged-away records (``merge``), then every
        record of this schema or a related one whose reference moves (``update`` of the
        reference fields), one write per record.
        """
        plan = plan_merge(
            self.schema,
            records,
            merge_id=self._new_id(),
            at=at,
            actor=actor.id,
            lifecycle=self._state_lifecycle(),
            policy=policy,
            picks=picks,
            valid=self._passes_rules,
            explanation=explanation,
            health=self._merge_health(records),
        )
        before = {r.id: r for r in records}
        writes = [
            Write(self, r, before[r.id], Action.MERGE, self.schema.field_names)
            for r in (plan.survivor, *plan.tombstones)
        ]
        moving: dict[tuple[int, str], tuple[_StewardCore, Record, Record, list[str]]] = {}
        repoints: list[Repoint] = []
        for steward, name in self._referrers():
            where = {name: list(plan.merged_ids)}
            for batch in steward.store.iterate(steward.schema.name, where=where):
                by_id = {r.id: r for r in batch}
                for p in find_repoints(plan, steward.schema, name, batch):
                    repoints.append(p)
                    key = (id(steward), p.record_id)
                    _, original, record, fields = moving.get(
                        key, (steward, by_id[p.record_id], by_id[p.record_id], [])
                    )
                    after = p.apply(record, at=plan.at).evolve(version=original.version + 1)
                    moving[key] = (steward, original, after, [*fields, name])
        writes += [
            Write(steward, after, original, Action.UPDATE, tuple(dict.fromkeys(fields)))
            for steward, original, after, fields in moving.values()
        ]
        plan = attrs.evolve(plan, repoints=repoints)
        lineage = Lineage(
            plan.id,
            plan.schema,
            plan.survivor_id,
            plan.merged_ids,
            plan.at,
            actor.id,
            detail=plan.to_dict(self.schema),
        )
        return plan, writes, lineage

    def _merge_health(self, records: Sequence[Record]) -> dict[str, int]:
        """
        The kept health scores of *records* (none when the steward keeps no scores).
        """
        if getattr(self, "health_model", None) is None:
            return {}
        kept = self.store.health(self.schema.name, [r.id for r in records])
        return {record_id: score.score for record_id, score in kept.items()}

    @staticmethod
    def _merge_detail(plan: MergePlan) -> dict[str, Any]:
        return {
            "survivor": plan.survivor_id,
            "merged": list(plan.merged_ids),
            "fields": {c.field: list(c.record_ids) for c in plan.lineage},
            "policy": plan.policy.to_dict(),
            "explanations": len(plan.explanations),
        }

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

    def _merged_into(self, record_id: str) -> str | None:
        for g in reversed(self.store.lineage(record_id)):
            if g.undone_at is None and record_id in g.merged_ids:
                return g.survivor_id
        return None

    def _merge_records(self, record_ids: object) -> list[Record]:
        if isinstance(record_ids, str | bytes | Mapping) or not isinstance(record_ids, Iterable):
            raise MergeError(f"merge takes a list of record ids, got {type(record_ids).__name__}")
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

    def _referrers(self) -> list[tuple[_StewardCore, str]]:
        """
        The (steward, reference field) pairs whose records can point at this schema.
        """
        out: list[tuple[_StewardCore, str]] = []
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

    def _steward_for(self, schema: str) -> _StewardCore:
        for steward in (self, *self.related):
            if steward.schema.name == schema:
                return steward
        raise MergeError(
            f"this merge re-pointed {schema!r} records; give the {schema!r} steward to "
            f"Steward(..., related=[...]) to restore them"
        )

    def _merge_events(
        self,
        action: str,
        merge_id: str,
        record_ids: Sequence[str],
        writes: Sequence[Write],
        detail: Mapping[str, Any],
    ) -> Callable[[Sequence[Write]], list[Event]]:
        """
        The audit events of a merge or unmerge: one for it, one per schema re-pointed.
        """
        repointed: dict[str, list[str]] = {}
        owners: dict[str, Owner] = {}
        for w in writes:
            if w.action is Action.UPDATE:
                repointed.setdefault(w.owner.schema.name, []).append(w.after.id)
                owners[w.owner.schema.name] = w.owner
        fields = {name: [f for s, f in self._referrers() if s is owners[name]] for name in owners}
        events = [
            Event(
                self,
                action,
                record_ids,
                self.schema.field_names,
                {"merge": merge_id, **detail, "repointed": repointed},
            ),
            *(
                Event(
                    owners[name],
                    Action.UPDATE,
                    ids,
                    fields[name],
                    {"merge": merge_id, "reason": f"{action}: references re-pointed"},
                )
                for name, ids in repointed.items()
            ),
        ]
        return lambda _: events
