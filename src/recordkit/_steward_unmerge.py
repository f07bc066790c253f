"""
Undoing merges, and the merge reads: `unmerge`, `get_merge`, `merges` and `resolve`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import attrs

from recordkit._errors import shorten
from recordkit._steward_change import Change, Write
from recordkit._steward_core import SYSTEM
from recordkit._steward_merge import _MergeVerbs
from recordkit.governance import Action, Actor
from recordkit.match import MERGED, Merge, MergeError, MergePlan, Unmerge, plan_unmerge
from recordkit.schema import Record
from recordkit.store import Store

__all__ = ["_UnmergeVerbs", "merged_with"]


def merged_with(
    store: Store, record_ids: Iterable[str], *, undone: bool
) -> tuple[list[str], dt.datetime | None]:
    """
    The ids merges joined to *record_ids* (them included, followed from merge to merge).

    Returns the ids, sorted, and the time of the latest merge that joined them (``None``:
    none). Undone merges count only under *undone* (an erasure follows them: their
    lineage held copies of both sides; a person's consent does not).
    """
    seen = set(record_ids)
    todo = list(seen)
    last: dt.datetime | None = None
    while todo:
        for lineage in store.lineage(todo.pop()):
            if lineage.undone_at is not None and not undone:
                continue
            last = lineage.at if last is None else max(last, lineage.at)
            for rid in (lineage.survivor_id, *lineage.merged_ids):
                if rid not in seen:
                    seen.add(rid)
                    todo.append(rid)
    return sorted(seen), last


class _UnmergeVerbs(_MergeVerbs):
    """
    Merges undone exactly, and the lineage reads around them.
    """

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
        Restored records keep their content exactly; their version moves on. The restored
        records, the references moved back, the lineage mark and the audit events commit
        together.

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
            AccessDenied: *actor* may not undo the merge (``unmerge``) or move a
                reference back (``update``).
        """
        self._check_actor(actor)
        if on_conflict not in ("refuse", "reconcile"):
            raise MergeError(
                f"on_conflict must be 'refuse' or 'reconcile', got {shorten(on_conflict)}"
            )
        merge = self._merge(merge_id)
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
        references: dict[tuple[str, str], Record | None] = {}
        for p in merge.repoints:
            store = self._steward_for(p.schema).store
            references[(p.schema, p.record_id)] = store.get_many([p.record_id])[0]
        now = self._now()
        undo = plan_unmerge(merge.plan, current, references, at=now, on_conflict=on_conflict)
        writes = [
            Write(self, r, current[r.id], Action.UNMERGE, self.schema.field_names)
            for r in undo.restored
        ]
        for record in undo.references:
            fields = tuple(
                dict.fromkeys(
                    p.field
                    for p in merge.repoints
                    if (p.schema, p.record_id) == (record.schema, record.id)
                )
            )
            steward = self._steward_for(record.schema)
            writes.append(
                Write(
                    steward, record, references[(record.schema, record.id)], Action.UPDATE, fields
                )
            )
        detail = {
            "conflicts": [str(c) for c in undo.conflicts],
            "on_conflict": on_conflict,
        }
        events = self._merge_events("unmerge", merge.id, undo.record_ids, writes, detail)
        self._commit(Change(actor, now, writes, events, unmerge=merge.id))
        sight = self._sight(actor)
        return attrs.evolve(
            undo,
            restored=[sight.record(r) for r in undo.restored],
            references=[
                self._steward_for(r.schema)._sight(actor).record(r) for r in undo.references
            ],
            conflicts=[sight.conflict(c) for c in undo.conflicts],
        )

    def get_merge(self, merge_id: str, *, actor: Actor = SYSTEM) -> Merge:
        """
        The merge with *merge_id*, with its lineage and whether it was undone.

        Its plan is shown as *actor* may see it: the originals, the survivor, every
        cell's candidates and the match explanations are masked by the steward's policy,
        and records *actor* may not read are wholly hidden.

        Raises:
            NotFound: no such merge.
            MergeError: it merged records of another schema.

        .. versionchanged:: 0.2.0 *actor*; the plan is masked.
        """
        self._check_actor(actor)
        merge = self._merge(merge_id)
        return attrs.evolve(merge, plan=self._sight(actor).plan(merge.plan))

    def _merge(self, merge_id: str) -> Merge:
        """
        The merge with *merge_id*, unmasked (for the facade's own use).
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

    def merges(self, record_id: str, *, actor: Actor = SYSTEM) -> list[Merge]:
        """
        Every merge *record_id* took part in (as survivor or merged away), oldest first.

        Each is shown as `get_merge` shows it to *actor*.

        .. versionchanged:: 0.2.0 *actor*; the plans are masked.
        """
        self._check_actor(actor)
        return [self.get_merge(g.id, actor=actor) for g in self.store.lineage(record_id)]

    def resolve(self, record_id: str, *, actor: Actor = SYSTEM) -> Record:
        """
        The live record *record_id* now lives on as.

        That is the record itself, or the survivor it was merged into (following chained
        merges), so an id kept by another system still leads somewhere.

        Raises:
            NotFound: no such record.
        """
        self._check_actor(actor)
        self._own(record_id)  # checks the id first
        seen = {record_id}
        current = self.get(record_id, actor=actor)
        while current.state == MERGED:
            into = self._merged_into(current.id)
            if into is None or into in seen:
                break
            seen.add(into)
            current = self.get(into, actor=actor)
        return current

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
                originals = self._merge(g.id).plan.originals
                if any(r.version >= written.get(r.id, r.version + 1) for r in originals):
                    found.add(g.id)
        return sorted(found)
