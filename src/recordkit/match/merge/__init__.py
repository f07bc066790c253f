"""
Merging: several records of one entity become one, and the merge can be undone.

A `MergePolicy` says which record survives and which `SurvivorshipStrategy` (built with
`Survive`) chooses each field's value; `plan_merge` turns records and a policy into a
`MergePlan` with a `CellLineage` for every field; a `Merge` is a plan as it was applied,
and `plan_unmerge` brings the originals back, reporting any later edit in the way as a
`Conflict`.

Modules, in the order a merge uses them: ``_survivorship`` (the protocol and the simple
strategies), ``_ranking`` (strategies that take options or compare values), ``_survive``
(the named constructors and the plain-data form), ``_policy``, ``_lineage``, ``_plan``
(the plan as a value), ``_planning`` (`plan_merge`), ``_merge`` (an applied merge) and
``_undo``.

The names are public through `recordkit.match` (and `recordkit`).
"""

from recordkit.match.merge._lineage import CellLineage, CellValue, Repoint
from recordkit.match.merge._merge import Merge
from recordkit.match.merge._plan import MERGED, MergeError, MergePlan
from recordkit.match.merge._planning import find_repoints, plan_merge
from recordkit.match.merge._policy import SURVIVOR_RULES, MergePolicy
from recordkit.match.merge._survive import Survive, strategy_from_data
from recordkit.match.merge._survivorship import Candidate, Choice, SurvivorshipStrategy
from recordkit.match.merge._undo import Conflict, Unmerge, UnmergeConflict, plan_unmerge

__all__ = [
    "MERGED",
    "SURVIVOR_RULES",
    "Candidate",
    "CellLineage",
    "CellValue",
    "Choice",
    "Conflict",
    "Merge",
    "MergeError",
    "MergePlan",
    "MergePolicy",
    "Repoint",
    "Survive",
    "SurvivorshipStrategy",
    "Unmerge",
    "UnmergeConflict",
    "find_repoints",
    "plan_merge",
    "plan_unmerge",
    "strategy_from_data",
]
