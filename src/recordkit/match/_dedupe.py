"""
Batch deduplication and linkage: candidate pairs → scores → guarded clusters → entity ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, shorten
from recordkit._gc import collector_paused
from recordkit.match._blocking import BlockingReport
from recordkit.match._cluster import Assignment, Cluster, assign_entity_ids
from recordkit.match._data import Prepared
from recordkit.match._explain import MatchExplanation
from recordkit.match._graph import group_labels

if TYPE_CHECKING:
    from recordkit.match._matcher import Matcher
    from recordkit.match._scoring import Scored

__all__ = ["MatchResult", "dedupe", "link"]

_RULE_WEIGHT = 99.0  # edge weight for a pair a must-match rule decided


@attrs.frozen(eq=False)
class MatchResult:
    """
    The outcome of a batch run: clusters with entity ids, the scored pairs, the report.

    .. versionadded:: 0.1.0
    """

    matcher: Matcher
    assignment: Assignment
    report: BlockingReport
    prepared: Prepared = attrs.field(repr=False)
    scored: Scored = attrs.field(repr=False)

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        """
        The clusters, each with its entity id.
        """
        return self.assignment.clusters

    @property
    def entity_of(self) -> dict[str, str]:
        """
        Record id → entity id.
        """
        return self.assignment.entity_of

    def links(self) -> list[tuple[str, str, float]]:
        """
        The matching pairs ``(id, id, match weight)``, strongest first.
        """
        ids = self.prepared.ids
        k = np.flatnonzero(self.scored.match)
        k = k[np.argsort(-self.scored.weight[k], kind="stable")]
        return [
            (
                ids[int(self.scored.left[i])],
                ids[int(self.scored.right[i])],
                float(self.scored.weight[i]),
            )
            for i in k
        ]

    def explain(self, left_id: str, right_id: str) -> MatchExplanation:
        """
        Why records *left_id* and *right_id* scored what they did.

        Raises:
            RecordkitError: an id is not in this result.
        """
        pos = {rid: i for i, rid in enumerate(self.prepared.ids)}
        for rid in (left_id, right_id):
            if rid not in pos:
                raise RecordkitError(f"no record {shorten(rid)} in this result")
        a, b = sorted((pos[left_id], pos[right_id]))
        hit = np.flatnonzero((self.scored.left == a) & (self.scored.right == b))
        if len(hit):
            return self.matcher.explain_scored(self.prepared, self.scored, int(hit[0]))
        ia, ib = np.array([a], np.int64), np.array([b], np.int64)
        levels = self.matcher.compare(self.prepared, ia, ib)
        scored = self.matcher.score(self.prepared, ia, ib, levels)
        return self.matcher.explain_scored(self.prepared, scored, 0)


def _groups(ids: Sequence[str], labels: npt.NDArray[np.int64]) -> list[list[str]]:
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [[ids[i] for i in part] for part in np.split(order, cuts)]


def _run(matcher: Matcher, prepared: Prepared, previous: Mapping[str, str] | None) -> MatchResult:
    left, right, report = matcher.candidates(prepared)
    if matcher.model is not None:
        fitted = matcher
        levels = matcher.compare(prepared, left, right)
    else:
        # the pairs that estimate u are compared together with the candidates: one pool
        # keeps every core busy to the end
        ra, rb = matcher.u_sample(prepared)
        both = matcher.compare(prepared, np.r_[left, ra], np.r_[right, rb])
        levels = {k: v[: len(left)] for k, v in both.items()}
        fitted = matcher.fit_prepared(
            prepared, levels, {k: v[len(left) :] for k, v in both.items()}
        )
    scored = fitted.score(prepared, left, right, levels)
    keep = scored.match
    weights = np.where(scored.rule[keep] == 1, _RULE_WEIGHT, scored.weight[keep])
    labels = group_labels(prepared.ids, left[keep], right[keep], weights, fitted.chain_guard)
    if previous:
        assignment = assign_entity_ids(_groups(prepared.ids, labels), previous=previous)
    else:
        assignment = Assignment.from_labels(prepared.ids, labels)
    scored = attrs.evolve(scored, report=report)
    return MatchResult(fitted, assignment, report, prepared, scored)


def dedupe(
    matcher: Matcher,
    data: object,
    *,
    ids: Sequence[str] | None = None,
    previous: Mapping[str, str] | None = None,
) -> MatchResult:
    """
    Find the duplicates within one dataset (fitting the model first if needed).
    """
    # a run makes millions of acyclic objects (values, keys, tuples); the cyclic
    # collector would rescan them all, again and again, for nothing
    with collector_paused():
        return _run(matcher, matcher.prepared(data, ids=ids), previous)


def link(
    matcher: Matcher,
    left: object,
    right: object,
    *,
    left_ids: Sequence[str] | None = None,
    right_ids: Sequence[str] | None = None,
    previous: Mapping[str, str] | None = None,
) -> MatchResult:
    """
    Link two datasets, comparing only pairs across them.

    A cluster may hold several records of each side.

    Raises:
        RecordkitError: the two datasets share a record id.
    """
    with collector_paused():
        return _link(matcher, left, right, left_ids, right_ids, previous)


def _link(
    matcher: Matcher,
    left: object,
    right: object,
    left_ids: Sequence[str] | None,
    right_ids: Sequence[str] | None,
    previous: Mapping[str, str] | None,
) -> MatchResult:
    a = matcher.prepared(left, ids=left_ids, default_ids="left:")
    b = matcher.prepared(right, ids=right_ids, default_ids="right:")
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
    return _run(matcher, both, previous)
