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

__all__ = [
    "Assignment",
    "Cluster",
    "ClusterMerge",
    "ClusterSplit",
    "MatchExplanation",
    "WeightTerm",
    "assign_entity_ids",
    "probability_from_weight",
]
