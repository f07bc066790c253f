"""
`Merge`: a merge as it was applied, with who made it and whether it has been undone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from recordkit.match._explain import MatchExplanation
from recordkit.match.merge._lineage import CellLineage, Repoint
from recordkit.match.merge._plan import MergePlan

__all__ = ["Merge"]


@attrs.frozen(repr=False)
class Merge:
    """
    An applied merge: its plan (records, lineage, references), who applied it, and its undo.

    The facade keeps it in the store's merge lineage and rebuilds it from there, so
    ``steward.merges(record_id)`` shows every merge a record took part in.

    Args:
        plan: what the merge did, and what undoing it needs.
        actor: who merged.
        undone_at: when it was undone (``None`` while it stands).
        undone_by: who undid it.

    .. versionadded:: 0.1.0
    """

    plan: MergePlan
    actor: str
    undone_at: dt.datetime | None = None
    undone_by: str | None = None

    def __repr__(self) -> str:
        status = "undone" if self.undone_at else "active"
        return (
            f"Merge({self.id!r}: {list(self.merged_ids)} into {self.survivor_id!r} "
            f"by {self.actor!r}, {status})"
        )

    @property
    def id(self) -> str:
        """
        The merge's id (pass it to ``unmerge``).
        """
        return self.plan.id

    @property
    def at(self) -> dt.datetime:
        """
        When it was merged.
        """
        return self.plan.at

    @property
    def active(self) -> bool:
        """
        Whether the merge stands (it has not been undone).
        """
        return self.undone_at is None

    @property
    def survivor_id(self) -> str:
        """
        The id that lives on.
        """
        return self.plan.survivor_id

    @property
    def merged_ids(self) -> tuple[str, ...]:
        """
        The ids merged away.
        """
        return self.plan.merged_ids

    @property
    def record_ids(self) -> tuple[str, ...]:
        """
        Every record id involved, survivor first.
        """
        return self.plan.record_ids

    @property
    def lineage(self) -> tuple[CellLineage, ...]:
        """
        Per-field lineage: the surviving value, where it came from, and what lost.
        """
        return self.plan.lineage

    @property
    def repoints(self) -> tuple[Repoint, ...]:
        """
        The references moved to the survivor.
        """
        return self.plan.repoints

    @property
    def explanations(self) -> tuple[MatchExplanation | dict[str, Any], ...]:
        """
        The match explanations that led to the merge (empty if none were given).
        """
        return self.plan.explanations

    def cell(self, field: str) -> CellLineage | None:
        """
        The lineage of *field* (``None`` when no record had a value for it).
        """
        return self.plan.cell(field)
