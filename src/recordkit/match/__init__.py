"""
Matching: find duplicates at the point of entry and across datasets, and explain them.

Comparators turn a pair of values into a *level* (exact, close, different, missing);
blocking rules choose which pairs to compare; a Fellegi-Sunter model (trained without
labels) or fixed weighted rules score them; clusters and stable entity ids come out, each
score with a `MatchExplanation`.
"""

from recordkit.match._cluster import (
    Assignment,
    Cluster,
    ClusterMerge,
    ClusterSplit,
    assign_entity_ids,
)
from recordkit.match._explain import MatchExplanation, WeightTerm, probability_from_weight
from recordkit.match._lineage import CellLineage, CellValue, Repoint
from recordkit.match._merge import (
    MERGED,
    MergeError,
    MergePlan,
    find_repoints,
    plan_merge,
)
from recordkit.match._merge_policy import SURVIVOR_RULES, MergePolicy
from recordkit.match._merge_record import Merge
from recordkit.match._merge_undo import Conflict, Unmerge, UnmergeConflict, plan_unmerge
from recordkit.match._survivorship import (
    Candidate,
    Choice,
    Survive,
    SurvivorshipStrategy,
    strategy_from_data,
)

__all__ = [
    "MERGED",
    "SURVIVOR_RULES",
    "Assignment",
    "Candidate",
    "CellLineage",
    "CellValue",
    "Choice",
    "Cluster",
    "ClusterMerge",
    "ClusterSplit",
    "Conflict",
    "MatchExplanation",
    "Merge",
    "MergeError",
    "MergePlan",
    "MergePolicy",
    "Repoint",
    "Survive",
    "SurvivorshipStrategy",
    "Unmerge",
    "UnmergeConflict",
    "WeightTerm",
    "assign_entity_ids",
    "find_repoints",
    "plan_merge",
    "plan_unmerge",
    "probability_from_weight",
    "strategy_from_data",
]
