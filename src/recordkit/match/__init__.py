"""
Matching: find duplicates at the point of entry and across datasets, and explain them.

Comparators turn a pair of values into a *level* (exact, close, different, missing);
blocking rules choose which pairs to compare; a Fellegi-Sunter model (trained without
labels) or fixed weighted rules score them; clusters and stable entity ids come out, each
score with a `MatchExplanation`.

Where things are, in the order a batch run uses them:

- ``comparison/``: levels, comparisons and the comparison library;
- ``_prepare``, ``_features``, ``_factored``, ``_data``: columns in, prepared once per
  distinct value;
- ``_blocking``: blocking rules and their keys;
- ``_settings`` and the road's steps: ``_pairs`` (candidates, comparing),
  ``_estimate`` and ``_fit`` (learning the model), ``_model`` (scoring models),
  ``_scoring``, ``_graph`` and ``_cluster`` (groups and entity ids), ``_dedupe`` (whole
  runs), ``_defaults`` (settings read from a schema), ``_priors`` (the shipped prior figures),
  ``_refit`` (when to fit), ``_explain``;
- ``_matcher``: the `Matcher` on top of them, and its `MatchResult`;
- ``index/``: the point of entry (`Index`, lookups, `DuplicateCheck`);
- ``merge/``: merging records and undoing merges.
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
from recordkit.match._data import Prepared
from recordkit.match._estimate import EMResult
from recordkit.match._evaluate import CurvePoint, Evaluation, PairCounts
from recordkit.match._explain import MatchExplanation, WeightTerm, probability_from_weight
from recordkit.match._factored import Factored, Gathered
from recordkit.match._features import email_key, nickname_families
from recordkit.match._learn import learn_from_decisions
from recordkit.match._matcher import Matcher, MatchResult
from recordkit.match._model import FellegiSunter, MatchRule, WeightedRules
from recordkit.match._prepare import Prep
from recordkit.match._refit import RefitPolicy
from recordkit.match._scoring import Scored
from recordkit.match.comparison import (
    Comparator,
    Comparison,
    DateSwap,
    DateWithin,
    Exact,
    Level,
    NameFamily,
    NumberWithin,
    Prefix,
    Similar,
    Swapped,
    Within,
    address_comparison,
    comparator_from_dict,
    date_comparison,
    email_comparison,
    exact_comparison,
    first_name_comparison,
    installed_comparators,
    level_from_dict,
    name_comparison,
    numeric_comparison,
    phone_comparison,
    postcode_comparison,
    text_comparison,
)
from recordkit.match.index import (
    Added,
    DuplicateCheck,
    DuplicateError,
    Index,
    IndexMismatch,
    IndexRow,
    IndexRows,
    Lookup,
    Match,
    PersistentIndex,
    Verdict,
    fingerprint_of,
)
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
    "CurvePoint",
    "DateSwap",
    "DateWithin",
    "DuplicateCheck",
    "DuplicateError",
    "EMResult",
    "Evaluation",
    "Exact",
    "Factored",
    "FellegiSunter",
    "Gathered",
    "Index",
    "IndexMismatch",
    "IndexRow",
    "IndexRows",
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
    "PairCounts",
    "PersistentIndex",
    "Prefix",
    "Prep",
    "Prepared",
    "RefitPolicy",
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
    "address_comparison",
    "assign_entity_ids",
    "block_on",
    "comparator_from_dict",
    "date_comparison",
    "email_comparison",
    "email_key",
    "exact_comparison",
    "find_repoints",
    "fingerprint_of",
    "first_name_comparison",
    "installed_comparators",
    "learn_from_decisions",
    "level_from_dict",
    "name_comparison",
    "nickname_families",
    "numeric_comparison",
    "phone_comparison",
    "plan_merge",
    "plan_unmerge",
    "postcode_comparison",
    "probability_from_weight",
    "strategy_from_data",
    "text_comparison",
]
