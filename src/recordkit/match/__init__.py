"""
Matching: find duplicates at the point of entry and across datasets, and explain them.

Comparators turn a pair of values into a *level* (exact, close, different, missing);
blocking rules choose which pairs to compare; a Fellegi-Sunter model (trained without
labels) or fixed weighted rules score them; clusters and stable entity ids come out, each
score with a `MatchExplanation`.
"""

from recordkit.match._blocking import (
    BlockingError,
    BlockingReport,
    BlockingRule,
    Key,
    RuleCount,
    block_on,
)
from recordkit.match._cluster import (
    Assignment,
    Cluster,
    ClusterMerge,
    ClusterSplit,
    assign_entity_ids,
)
from recordkit.match._comparison import Comparator, Comparison
from recordkit.match._domain_levels import (
    DateSwap,
    DateWithin,
    NameFamily,
    NumberWithin,
    Prefix,
    Swapped,
    level_from_dict,
)
from recordkit.match._estimate import EMResult
from recordkit.match._explain import MatchExplanation, WeightTerm, probability_from_weight
from recordkit.match._features import email_key, nickname_families
from recordkit.match._index import Index
from recordkit.match._levels import Exact, Level, Similar, Within
from recordkit.match._library import (
    address,
    comparator_from_dict,
    date,
    email,
    exact,
    first_name,
    installed_comparators,
    name,
    numeric,
    phone,
    postcode,
    text,
)
from recordkit.match._lookup import Added, Lookup, Match
from recordkit.match._matcher import Matcher, MatchResult
from recordkit.match._model import FellegiSunter, MatchRule, WeightedRules
from recordkit.match._prepare import Prep
from recordkit.match._scoring import Scored
from recordkit.match._screen import DuplicateCheck, DuplicateError, Verdict
from recordkit.match.merge import (
    MERGED,
    SURVIVOR_RULES,
    Candidate,
    CellLineage,
    CellValue,
    Choice,
    Conflict,
    Merge,
    MergeError,
    MergePlan,
    MergePolicy,
    Repoint,
    Survive,
    SurvivorshipStrategy,
    Unmerge,
    UnmergeConflict,
    find_repoints,
    plan_merge,
    plan_unmerge,
    strategy_from_data,
)

__all__ = [
    "MERGED",
    "SURVIVOR_RULES",
    "Added",
    "Assignment",
    "BlockingError",
    "BlockingReport",
    "BlockingRule",
    "Candidate",
    "CellLineage",
    "CellValue",
    "Choice",
    "Cluster",
    "ClusterMerge",
    "ClusterSplit",
    "Comparator",
    "Comparison",
    "Conflict",
    "DateSwap",
    "DateWithin",
    "DuplicateCheck",
    "DuplicateError",
    "EMResult",
    "Exact",
    "FellegiSunter",
    "Index",
    "Key",
    "Level",
    "Lookup",
    "Match",
    "MatchExplanation",
    "MatchResult",
    "MatchRule",
    "Matcher",
    "Merge",
    "MergeError",
    "MergePlan",
    "MergePolicy",
    "NameFamily",
    "NumberWithin",
    "Prefix",
    "Prep",
    "Repoint",
    "RuleCount",
    "Scored",
    "Similar",
    "Survive",
    "SurvivorshipStrategy",
    "Swapped",
    "Unmerge",
    "UnmergeConflict",
    "Verdict",
    "WeightTerm",
    "WeightedRules",
    "Within",
    "address",
    "assign_entity_ids",
    "block_on",
    "comparator_from_dict",
    "date",
    "email",
    "email_key",
    "exact",
    "find_repoints",
    "first_name",
    "installed_comparators",
    "level_from_dict",
    "name",
    "nickname_families",
    "numeric",
    "phone",
    "plan_merge",
    "plan_unmerge",
    "postcode",
    "probability_from_weight",
    "strategy_from_data",
    "text",
]
