"""
Batch deduplication and linkage: candidate pairs → scores → guarded clusters → entity ids.

A run fits the model first when the settings have none: the random pairs that estimate u
are compared together with the candidates, in one pool.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, shorten
from recordkit._gc import collector_paused
from recordkit.match._blocking import BlockingReport
from recordkit.match._check import optional_mapping
from recordkit.match._cluster import Assignment, assign_entity_ids
from recordkit.match._data import Prepared
from recordkit.match._fit import fit_model, u_sample
from recordkit.match._graph import group_labels
from recordkit.match._model import FellegiSunter, WeightedRules
from recordkit.match._pairs import candidate_pairs, compare_pairs
from recordkit.match._scoring import Scored, score_pairs
from recordkit.match._settings import MatchSettings

__all__ = [
    "PRIOR_FIT_AT",
    "STRONG_BITS",
    "BatchRun",
    "dedupe",
    "link",
    "shipped_prior",
    "strong_weight",
]

_RULE_WEIGHT = 99.0  # edge weight for a pair a must-match rule decided
# A link vouches for its neighbours (a transitive duplicate, see `guarded_groups`) when its
# match weight clears the threshold's by this many bits: odds 2**STRONG_BITS times those
# the threshold asks for. Links that only just clear the threshold (a shared common name
# and little else) never vouch for anything beyond themselves.
STRONG_BITS = 4.0


PRIOR_FIT_AT: Final = 1000
"""
Records from which a batch run fits its model on the data instead of scoring with the shipped
priors (`RefitPolicy`'s default): the priors' chance that two records match was measured on a
few thousand records, and is too generous for a large file.
"""


def shipped_prior(model: FellegiSunter | WeightedRules | None) -> bool:
    """
    Whether *model* is the shipped prior figures (not fitted on records, not written by hand).
    """
    return (
        isinstance(model, FellegiSunter)
        and model.fitted_on is None
        and model.version.startswith("prior-")
    )


def _prior_outgrown(model: FellegiSunter | WeightedRules, records: int) -> bool:
    """
    Whether *model* is the shipped priors and *records* are enough to fit one instead.
    """
    return shipped_prior(model) and records >= PRIOR_FIT_AT


def strong_weight(settings: MatchSettings, model: FellegiSunter | WeightedRules) -> float | None:
    """
    The match weight from which a link vouches for its neighbours (``None``: none does).

    Fixed points (`WeightedRules`) have no scale to measure strength on, so there only
    links vouch, as before.
    """
    if not isinstance(model, FellegiSunter):
        return None
    t = float(settings.threshold)
    if t <= 0.0:
        return -math.inf
    if t >= 1.0:
        return math.inf
    return math.log2(t / (1.0 - t)) + STRONG_BITS


@attrs.frozen(eq=False)
class BatchRun:
    """
    What a batch run found: the model it scored with, the clusters, the pairs, the report.

    The `Matcher` makes it a `MatchResult`, which holds the matcher with that model.
    """

    model: FellegiSunter | WeightedRules
    assignment: Assignment
    report: BlockingReport
    prepared: Prepared
    scored: Scored


def _groups(ids: Sequence[str], labels: npt.NDArray[np.int64]) -> list[list[str]]:
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [[ids[i] for i in part] for part in np.split(order, cuts)]


def _never_pairs(value: object) -> set[frozenset[str]]:
    if value is None:
        return set()
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise RecordkitError(f"never must be a list of (id, id) pairs, got {shorten(value)}")
    out: set[frozenset[str]] = set()
    for pair in value:
        if (
            not isinstance(pair, tuple | list | frozenset)
            or len(pair) != 2
            or not all(isinstance(i, str) for i in pair)
        ):
            raise RecordkitError(f"never holds pairs of record ids, got {shorten(pair)}")
        out.add(frozenset(pair))
    return out


def _unlink_never(scored: Scored, ids: Sequence[str], never: set[frozenset[str]]) -> None:
    """
    Take the *never* pairs out of *scored*'s matches (in place).
    """
    if not never:
        return
    named = {i for pair in never for i in pair}
    for k in np.flatnonzero(scored.match).tolist():
        a, b = ids[int(scored.left[k])], ids[int(scored.right[k])]
        if a in named and b in named and frozenset((a, b)) in never:
            scored.match[k] = False


def _run(
    settings: MatchSettings,
    prepared: Prepared,
    previous: Mapping[str, str] | None,
    never: set[frozenset[str]] | None = None,
) -> BatchRun:
    left, right, report = candidate_pairs(settings, prepared)
    model: FellegiSunter | WeightedRules
    if settings.model is not None and not _prior_outgrown(settings.model, len(prepared)):
        model = settings.model
        levels = compare_pairs(settings, prepared, left, right)
    else:
        # the pairs that estimate u are compared together with the candidates: one pool
        # keeps every core busy to the end
        ra, rb = u_sample(settings, prepared)
        both = compare_pairs(settings, prepared, np.r_[left, ra], np.r_[right, rb])
        levels = {k: v[: len(left)] for k, v in both.items()}
        model = fit_model(settings, prepared, levels, {k: v[len(left) :] for k, v in both.items()})
    scored = score_pairs(settings, model, prepared, left, right, levels)
    _unlink_never(scored, prepared.ids, never or set())
    keep = scored.match
    weights = np.where(scored.rule[keep] == 1, _RULE_WEIGHT, scored.weight[keep])
    labels = group_labels(
        prepared.ids,
        left[keep],
        right[keep],
        weights,
        settings.chain_guard,
        strong=strong_weight(settings, model),
    )
    if previous:
        assignment = assign_entity_ids(_groups(prepared.ids, labels), previous=previous)
    else:
        assignment = Assignment.from_labels(prepared.ids, labels)
    scored = attrs.evolve(scored, report=report)
    return BatchRun(model, assignment, report, prepared, scored)


def dedupe(
    settings: MatchSettings,
    data: object,
    *,
    ids: Sequence[str] | None = None,
    previous: Mapping[str, str] | None = None,
    never: object = None,
) -> BatchRun:
    """
    Find the duplicates within one dataset (fitting the model first if needed).

    *never* pairs of record ids are never linked.
    """
    optional_mapping(previous, "previous")
    pairs = _never_pairs(never)
    # a run makes millions of acyclic objects (values, keys, tuples); the cyclic
    # collector would rescan them all, again and again, for nothing
    with collector_paused():
        return _run(settings, settings.prepared(data, ids=ids), previous, pairs)


def link(
    settings: MatchSettings,
    left: object,
    right: object,
    *,
    left_ids: Sequence[str] | None = None,
    right_ids: Sequence[str] | None = None,
    previous: Mapping[str, str] | None = None,
) -> BatchRun:
    """
    Link two datasets, comparing only pairs across them.

    A cluster may hold several records of each side.

    Raises:
        RecordkitError: the two datasets share a record id.
    """
    optional_mapping(previous, "previous")
    with collector_paused():
        return _link(settings, left, right, left_ids, right_ids, previous)


def _link(
    settings: MatchSettings,
    left: object,
    right: object,
    left_ids: Sequence[str] | None,
    right_ids: Sequence[str] | None,
    previous: Mapping[str, str] | None,
) -> BatchRun:
    a = settings.prepared(left, ids=left_ids, default_ids="left:")
    b = settings.prepared(right, ids=right_ids, default_ids="right:")
    shared = set(a.ids) & set(b.ids)
    if shared:
        raise RecordkitError(
            f"the datasets share record ids (e.g. {shorten(sorted(shared)[0])}); give "
            "left_ids/right_ids that differ"
        )
    columns = {k: np.concatenate([a.columns[k], b.columns[k]]) for k in a.columns}
    features: dict[str, Any] = {
        k: np.concatenate([a.features[k], b.features[k]]) for k in a.features
    }
    source = np.r_[np.zeros(len(a), np.int8), np.ones(len(b), np.int8)]
    both = Prepared([*a.ids, *b.ids], columns, features, a.keys, source)
    return _run(settings, both, previous)
