"""
The matching half of the road, with the heavy steps handed to an engine.

The steps are the `recordkit.match.Matcher`'s own: prepare the columns once, make the
candidate pairs, compare them, fit the model when the run needs one (as `Matcher.dedupe`
does), score, cluster. An engine supplies three of them its own way (`PairWork`): the
candidate pairs (numpy, or a SQL join on the blocking keys), the levels of a set of pairs
(a process pool, or Arrow batches out of DuckDB) and the connected components of the
matching pairs (numpy, or label propagation in SQL). Everything else is shared, so every
engine gives the same pairs, weights and clusters.

Clusters: a component of one or two records is a cluster as it is. A larger one may be a
chain (A~B~C with A and C unrelated), which the matcher's guard splits; those records,
and only those, are clustered again by `Matcher.dedupe` with the fitted model, which
finds the same pairs among them, scores them the same and applies its guard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Final, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from recordkit.match import (
    Assignment,
    FellegiSunter,
    Matcher,
    MatchResult,
    MergePlan,
    MergePolicy,
    Prepared,
    plan_merge,
)
from recordkit.schema import Record, Schema

__all__ = [
    "PRIOR_FIT_AT",
    "Group",
    "MergeWork",
    "PairWork",
    "golden_records",
    "match_road",
    "merge_plans",
]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]

PRIOR_FIT_AT: Final = 1000
"""
Records from which a run fits its model instead of scoring with the shipped priors, as
`Matcher.dedupe` does.
"""


class PairWork(Protocol):
    """
    The steps of matching an engine runs its own way.
    """

    def candidates(self, matcher: Matcher, prepared: Prepared) -> tuple[Ints, Ints]:
        """
        Every candidate pair ``(left < right)`` of the blocking rules, each once.
        """

    def compare(self, matcher: Matcher, prepared: Prepared, left: Ints, right: Ints) -> Levels:
        """
        The level of every pair in every comparison.
        """

    def components(self, n: int, left: Ints, right: Ints) -> Ints:
        """
        A label per record naming its connected component over the edges given.
        """


def _needs_fit(matcher: Matcher, records: int) -> bool:
    model = matcher.model
    if model is None:
        return True
    shipped = (
        isinstance(model, FellegiSunter)
        and model.fitted_on is None
        and model.version.startswith("prior-")
    )
    return shipped and records >= PRIOR_FIT_AT


def match_road(
    work: PairWork, matcher: Matcher, columns: Mapping[str, Sequence[object]], ids: list[str]
) -> MatchResult:
    """
    Dedupe the normalized *columns* (records *ids*) with *matcher*, *work* doing the heavy steps.
    """
    prepared = matcher.prepared(columns, ids=ids)
    left, right = work.candidates(matcher, prepared)
    left, right = _canonical(left, right)
    # the levels' pairs, which the per-rule EM sessions of a fit read
    prepared.memo["pairs"] = (left, right)
    levels = work.compare(matcher, prepared, left, right)
    fitted = matcher
    if _needs_fit(matcher, len(prepared)):
        ra, rb = matcher.u_sample(prepared)
        random_levels = work.compare(matcher, prepared, ra, rb)
        fitted = matcher.fit_prepared(prepared, levels, random_levels)
    report = matcher.count_pairs(prepared)
    scored = attrs.evolve(fitted.score(prepared, left, right, levels), report=report)
    keep = scored.match
    labels = work.components(len(prepared), left[keep], right[keep])
    labels = _guarded(fitted, columns, ids, labels)
    return MatchResult(fitted, Assignment.from_labels(ids, labels), report, prepared, scored)


def _canonical(left: Ints, right: Ints) -> tuple[Ints, Ints]:
    """
    The pairs ordered by left, then right row: the same on every engine.
    """
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    order = np.lexsort((right, left))
    return left[order], right[order]


def _guarded(
    fitted: Matcher, columns: Mapping[str, Sequence[object]], ids: list[str], labels: Ints
) -> Ints:
    """
    *labels*, the components of three records or more split as the matcher's guard splits them.
    """
    labels = np.asarray(labels, dtype=np.int64).copy()
    sizes = np.bincount(labels, minlength=len(labels))[labels]
    rows = np.flatnonzero(sizes > 2)
    if not len(rows) or fitted.chain_guard <= 0:
        return labels
    picked = rows.tolist()
    sub = {n: [values[i] for i in picked] for n, values in columns.items()}
    result = fitted.dedupe(sub, ids=[ids[i] for i in picked])
    position = {ids[i]: i for i in picked}
    for cluster in result.clusters:
        members = [position[r] for r in cluster.record_ids]
        labels[members] = min(members)
    return labels


Group = tuple[str, tuple[str, ...]]
"""
A cluster to merge, as plain data: its entity id and its record ids.
"""


class MergeWork(Protocol):
    """
    How an engine plans the merges of its clusters (in this process, or on workers).
    """

    def plans(
        self,
        schema: Schema,
        columns: Mapping[str, Sequence[object]],
        ids: Sequence[str],
        groups: Sequence[Group],
        *,
        at: dt.datetime,
        policy: MergePolicy,
    ) -> Iterator[MergePlan]:
        """
        The merge plan of each of *groups* (two records or more), in order.

        The work may start at the call, and go on while the caller does something else
        before it reads the plans.
        """


class _Records:
    """
    Records of the normalized *columns* by id, made at *at* as a batch makes them.
    """

    def __init__(
        self,
        schema: Schema,
        columns: Mapping[str, Sequence[object]],
        ids: Sequence[str],
        at: dt.datetime,
    ) -> None:
        self.schema = schema
        self.names = schema.field_names
        self.position = {rid: i for i, rid in enumerate(ids)}
        self.held = [(n, columns[n]) for n in self.names if columns.get(n) is not None]
        self.at = at

    def __call__(self, rids: Sequence[str]) -> list[Record]:
        held = self.held
        rows = []
        for rid in rids:
            i = self.position[rid]
            rows.append((rid, {n: column[i] for n, column in held if column[i] is not None}))
        return Record.many(self.schema.name, rows, created_at=self.at, field_names=self.names)


def merge_plans(
    schema: Schema,
    columns: Mapping[str, Sequence[object]],
    ids: Sequence[str],
    groups: Sequence[Group],
    *,
    at: dt.datetime,
    policy: MergePolicy,
) -> Iterator[MergePlan]:
    """
    The merge plan of each of *groups* (entity id, record ids), in order, made here.
    """
    records = _Records(schema, columns, ids, at)
    return iter(
        [
            plan_merge(schema, records(rids), merge_id=f"golden:{entity}", at=at, policy=policy)
            for entity, rids in groups
        ]
    )


def golden_records(
    schema: Schema,
    columns: Mapping[str, Sequence[object]],
    ids: list[str],
    result: MatchResult | None,
    *,
    at: dt.datetime,
    policy: MergePolicy | None,
    work: MergeWork | None = None,
) -> tuple[tuple[Record, ...], tuple[MergePlan, ...]]:
    """
    One golden record per entity, in entity order, and the merge plans behind them.

    A cluster is merged by *policy*; a lone record is its own golden record. *work* plans
    the merges (default: here, one after another); the lone records are made while it does.
    """
    records = _Records(schema, columns, ids, at)
    if result is None:
        return tuple(records(ids)), ()
    if policy is None:  # once, not per cluster
        policy = MergePolicy.from_schema(schema)
    clusters = result.clusters
    groups = [(c.entity_id, c.record_ids) for c in clusters if len(c.record_ids) > 1]
    making = merge_plans if work is None else work.plans
    planned = making(schema, columns, ids, groups, at=at, policy=policy)
    lone = iter(records([c.record_ids[0] for c in clusters if len(c.record_ids) == 1]))
    golden: list[Record] = []
    plans: list[MergePlan] = []
    for cluster in clusters:
        if len(cluster.record_ids) == 1:
            golden.append(next(lone))
            continue
        plan = next(planned)
        plans.append(plan)
        golden.append(plan.survivor)
    return tuple(golden), tuple(plans)
