"""
Undoing a merge: the originals come back exactly, unless later edits stand in the way.

`plan_unmerge` compares what the merge wrote with what is stored now. Where nothing changed
since, the records are restored exactly as they were read before the merge (only ``version``
moves on, so optimistic locking stays sound, and ``updated_at`` says when). Where a later
edit touched what the unmerge would overwrite, it either refuses (`UnmergeConflict`) or
reconciles: the later edit is carried over onto the restored record with the same id, and
reported as a `Conflict`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs

from recordkit._errors import ConflictError, shorten
from recordkit.match._check import instances, mapping
from recordkit.match.merge._plan import MergeError, MergePlan
from recordkit.schema import Provenance, Record

__all__ = ["ON_CONFLICT", "Conflict", "Unmerge", "UnmergeConflict", "plan_unmerge"]

ON_CONFLICT: Final = ("refuse", "reconcile")

_ATTRIBUTES: Final = ("owner", "state", "stage", "history")


@attrs.frozen
class Conflict:
    """
    A later edit to something an unmerge would overwrite.

    Args:
        schema: the record's schema.
        record_id: the record.
        path: ``values.<field>`` for a field, else the record attribute (``state``).
        merged: what the merge wrote there.
        current: what is there now.
        resolution: what the unmerge did (``refused``, ``kept the later edit``).

    .. versionadded:: 0.1.0
    """

    schema: str
    record_id: str
    path: str
    merged: Any
    current: Any
    resolution: str

    def __str__(self) -> str:
        return (
            f"{self.schema}:{self.record_id} {self.path}: merged {shorten(self.merged, 40)}, "
            f"now {shorten(self.current, 40)} ({self.resolution})"
        )


def _records(value: Iterable[Record]) -> tuple[Record, ...]:
    return instances(value, Record, "records")


def _conflicts(value: Iterable[Conflict]) -> tuple[Conflict, ...]:
    return instances(value, Conflict, "conflicts")


class UnmergeConflict(ConflictError):
    """
    An unmerge was refused: records changed since the merge, in ways it would overwrite.

    Attributes:
        merge_id: the merge.
        conflicts: every `Conflict` found (pass ``on_conflict="reconcile"`` to keep them).

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, merge_id: str, conflicts: Iterable[Conflict], *, expected: int, actual: int | None
    ) -> None:
        self.merge_id = merge_id
        self.conflicts = tuple(conflicts)
        first = self.conflicts[0]
        super().__init__(first.record_id, expected=expected, actual=actual)
        shown = "; ".join(str(c) for c in self.conflicts[:5])
        more = f" (+{len(self.conflicts) - 5} more)" if len(self.conflicts) > 5 else ""
        self.args = (
            f"cannot undo merge {merge_id!r}: {len(self.conflicts)} later edit(s) would be "
            f"overwritten: {shown}{more}; pass on_conflict='reconcile' to keep them",
        )


@attrs.frozen
class Unmerge:
    """
    What undoing a merge writes (or wrote): the restored records and references.

    Every record in ``restored`` and ``references`` is one version past the stored one it
    replaces.

    Args:
        merge_id: the merge undone.
        at: when.
        restored: the merged records as they were before the merge, survivor first.
        references: records whose references go back to the merged-away ids.
        conflicts: later edits found, and what was done about them.

    .. versionadded:: 0.1.0
    """

    merge_id: str
    at: dt.datetime
    restored: tuple[Record, ...] = attrs.field(converter=_records)
    references: tuple[Record, ...] = attrs.field(converter=_records)
    conflicts: tuple[Conflict, ...] = attrs.field(converter=_conflicts, default=())

    @property
    def record_ids(self) -> tuple[str, ...]:
        """
        The ids of the restored records, survivor first.
        """
        return tuple(r.id for r in self.restored)


def _cell(record: Record, name: str) -> tuple[Any, Provenance | None]:
    return record.values.get(name), record.provenance.get(name)


def _diff(schema: str, written: Record, current: Record) -> list[Conflict]:
    out: list[Conflict] = []
    names = sorted({*written.values, *current.values, *written.provenance, *current.provenance})
    for name in names:
        before, now = _cell(written, name), _cell(current, name)
        if before != now:
            out.append(Conflict(schema, current.id, f"values.{name}", before[0], now[0], ""))
    for attr in _ATTRIBUTES:
        before_a, now_a = getattr(written, attr), getattr(current, attr)
        if before_a != now_a:
            out.append(Conflict(schema, current.id, attr, before_a, now_a, ""))
    return out


def _reconciled(original: Record, current: Record, conflicts: list[Conflict]) -> Record:
    values = dict(original.values)
    provenance = dict(original.provenance)
    shell: dict[str, Any] = {}
    for c in conflicts:
        if c.path.startswith("values."):
            name = c.path[len("values.") :]
            value, prov = _cell(current, name)
            if name in current.values:
                values[name] = value
            else:
                values.pop(name, None)
            if prov is None:
                provenance.pop(name, None)
            else:
                provenance[name] = prov
        else:
            shell[c.path] = getattr(current, c.path)
    return original.evolve(values=values, provenance=provenance, **shell)


def plan_unmerge(
    merge: MergePlan,
    current: Mapping[str, Record | None],
    references: Mapping[tuple[str, str], Record | None],
    *,
    at: dt.datetime,
    on_conflict: Literal["refuse", "reconcile"] = "refuse",
) -> Unmerge:
    """
    Work out how to undo *merge*, given the records as they are now.

    Args:
        merge: the merge, as planned and applied.
        current: the merged records now, by id (survivor and merged-away ones).
        references: the re-pointed records now, by ``(schema, id)``.
        at: when the unmerge happens.
        on_conflict: ``refuse`` raises `UnmergeConflict` when a later edit would be
            overwritten; ``reconcile`` keeps later edits on the record with the same id.

    Raises:
        UnmergeConflict: a later edit is in the way and *on_conflict* is ``refuse``.
        MergeError: a merged record is gone from the store (erased since), or
            *on_conflict* is not a known mode.

    .. versionadded:: 0.1.0
    """
    if not isinstance(merge, MergePlan):
        raise MergeError(f"merge must be a MergePlan, got {shorten(merge)}")
    current = mapping(current, "current")
    references = mapping(references, "references")
    if not isinstance(at, dt.datetime):
        raise MergeError(f"at must be a datetime, got {shorten(at)}")
    if not isinstance(on_conflict, str) or on_conflict not in ON_CONFLICT:
        raise MergeError(f"on_conflict must be 'refuse' or 'reconcile', got {shorten(on_conflict)}")
    written = {r.id: r for r in (merge.survivor, *merge.tombstones)}
    restored: list[Record] = []
    conflicts: list[Conflict] = []
    first: tuple[int, int | None] | None = None
    for original in merge.originals:
        now = current.get(original.id)
        if now is not None and not isinstance(now, Record):
            raise MergeError(f"current maps ids to records, got {shorten(now)}")
        if now is None:
            raise MergeError(
                f"cannot undo merge {merge.id!r}: record {original.id!r} is no longer stored "
                "(erased since the merge), so the originals cannot all come back",
                record_ids=[original.id],
            )
        found = _diff(merge.schema, written[original.id], now)
        if found and first is None:
            first = (written[original.id].version, now.version)
        conflicts.extend(found)
        base = _reconciled(original, now, found) if found else original
        restored.append(base.evolve(version=now.version + 1, updated_at=at))
    # One write per referring record, even when several of its fields go back.
    refs: dict[tuple[str, str], Record] = {}
    for p in merge.repoints:
        key = (p.schema, p.record_id)
        now = current.get(p.record_id) if p.schema == merge.schema else None
        now = references.get(key, now)
        if now is not None and not isinstance(now, Record):
            raise MergeError(f"references map (schema, id) to records, got {shorten(now)}")
        if now is None:
            continue  # the referring record was erased since: nothing to point back
        moved = (p.new, Provenance("merge", merge.at, p.old))
        if _cell(now, p.field) != moved:
            if first is None:
                first = (p.version + 1, now.version)
            current_value = now.values.get(p.field)
            conflicts.append(
                Conflict(p.schema, p.record_id, f"values.{p.field}", p.new, current_value, "")
            )
            continue
        refs[key] = p.revert(refs.get(key, now), at=at).evolve(version=now.version + 1)
    if conflicts and on_conflict == "refuse":
        done = [attrs.evolve(c, resolution="refused") for c in conflicts]
        assert first is not None
        raise UnmergeConflict(merge.id, done, expected=first[0], actual=first[1])
    kept = [attrs.evolve(c, resolution="kept the later edit") for c in conflicts]
    return Unmerge(merge.id, at, restored, refs.values(), kept)
