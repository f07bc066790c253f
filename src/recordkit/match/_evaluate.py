"""
Measuring a batch run against the truth: precision, recall, F1 and a threshold curve.

Where some records carry a true entity label, `evaluate_run` counts pairs: a pair of
labelled records is a true match when both carry the same label. Two sets of figures come
out. *Cluster* figures count the pairs the clusters imply (every two records of one
cluster), which is what a deduplication delivers; *link* figures count the pairs the
matcher scored at or above its threshold, before clustering. The curve re-counts the
links at other thresholds, so a user can choose one.

Pairs that blocking never put together are never scored: they count as missed at every
threshold of the curve (only a looser blocking can find them). Records without a label
are left out: a pair that touches one is neither right nor wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, shorten
from recordkit.match._check import instances, items, number
from recordkit.match._cluster import Assignment
from recordkit.match._model import FellegiSunter, WeightedRules
from recordkit.match._scoring import Scored

__all__ = ["CurvePoint", "Evaluation", "PairCounts", "evaluate_run"]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

# The probabilities a Fellegi-Sunter run's curve visits by default.
_PROBABILITIES = (
    0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999,
    0.9999,
)  # fmt: skip
_POINTS = 20  # how many thresholds a points run's curve visits by default, at most


def _ratio(num: int, den: int) -> float:
    # nothing claimed is nothing wrong; nothing to find is nothing missed
    return num / den if den else 1.0


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise RecordkitError(f"a pair count must be a whole number >= 0, got {shorten(value)}")
    return int(value)


def _share(value: object) -> float:
    return number(value, "a curve figure", finite=True)


def _points(value: object) -> tuple[CurvePoint, ...]:
    return tuple(instances(value, CurvePoint, "curve"))


def _counts(value: object) -> PairCounts:
    if not isinstance(value, PairCounts):
        raise RecordkitError(f"expected PairCounts, got {shorten(value)}")
    return value


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


@attrs.frozen
class PairCounts:
    """
    Pairs of labelled records counted against the truth.

    Args:
        true_positives: pairs found that are one entity.
        false_positives: pairs found that are two entities.
        false_negatives: pairs of one entity not found.

    .. versionadded:: 0.2.0
    """

    true_positives: int = attrs.field(converter=_count)
    false_positives: int = attrs.field(converter=_count)
    false_negatives: int = attrs.field(converter=_count)

    @property
    def precision(self) -> float:
        """
        The share of the pairs found that are right (1.0 when none was found).
        """
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float:
        """
        The share of the true pairs that were found (1.0 when there are none).
        """
        return _ratio(self.true_positives, self.true_positives + self.false_negatives)

    @property
    def f1(self) -> float:
        """
        The harmonic mean of precision and recall.
        """
        return _f1(self.precision, self.recall)


@attrs.frozen
class CurvePoint:
    """
    The link figures at one threshold (a match probability, or points for fixed rules).

    .. versionadded:: 0.2.0
    """

    threshold: float = attrs.field(converter=_share)
    precision: float = attrs.field(converter=_share)
    recall: float = attrs.field(converter=_share)
    f1: float = attrs.field(converter=_share)


@attrs.frozen(repr=False)
class Evaluation:
    """
    How a batch run's clusters and links compare with the true entities.

    The top-level figures (`precision`, `recall`, `f1` and the counts) are the clusters':
    the pairs that share a cluster. `links` holds the same counts for the pairs the
    matcher linked at its threshold, and `curve` those figures at other thresholds.

    Examples:
        >>> from recordkit.match import Matcher, block_on, email_comparison
        >>> from recordkit.match import name_comparison, WeightedRules
        >>> m = Matcher([email_comparison("email"), name_comparison("last_name")],
        ...             [block_on("last_name")], prepare={"email": "email"},
        ...             model=WeightedRules({"email": {"exact": 5}}), threshold=5)
        >>> rows = [{"email": "a@x.com", "last_name": "Li"},
        ...         {"email": "A@x.com", "last_name": "Li"},
        ...         {"email": "b@x.com", "last_name": "Li"}]
        >>> e = m.evaluate(rows, {"1": "ann", "2": "ann", "3": "bo"}, ids=["1", "2", "3"])
        >>> (e.precision, e.recall, e.true_positives)
        (1.0, 1.0, 1)

    Args:
        clusters: the pairs implied by the clusters.
        links: the pairs scored at or above the matcher's threshold.
        curve: link figures at each threshold, lowest threshold first.
        threshold: the matcher's threshold.
        true_pairs: how many pairs of labelled records are one entity.
        labelled: how many records carried a label.

    .. versionadded:: 0.2.0
    """

    clusters: PairCounts = attrs.field(converter=_counts)
    links: PairCounts = attrs.field(converter=_counts)
    curve: tuple[CurvePoint, ...] = attrs.field(converter=_points)
    threshold: float = attrs.field(converter=_share)
    true_pairs: int = attrs.field(converter=_count)
    labelled: int = attrs.field(converter=_count)

    @property
    def precision(self) -> float:
        """
        The share of the pairs that share a cluster that are one entity.
        """
        return self.clusters.precision

    @property
    def recall(self) -> float:
        """
        The share of the true pairs that share a cluster.
        """
        return self.clusters.recall

    @property
    def f1(self) -> float:
        """
        The clusters' F1.
        """
        return self.clusters.f1

    @property
    def true_positives(self) -> int:
        """
        Pairs that share a cluster and are one entity.
        """
        return self.clusters.true_positives

    @property
    def false_positives(self) -> int:
        """
        Pairs that share a cluster but are two entities.
        """
        return self.clusters.false_positives

    @property
    def false_negatives(self) -> int:
        """
        Pairs of one entity left in different clusters.
        """
        return self.clusters.false_negatives

    def best_threshold(self) -> CurvePoint:
        """
        The point of the curve with the highest link F1 (the highest threshold on ties).

        Raises:
            RecordkitError: the curve is empty.
        """
        if not self.curve:
            raise RecordkitError("the evaluation has no curve to choose a threshold from")
        return max(self.curve, key=lambda p: (p.f1, p.threshold))

    def __repr__(self) -> str:
        return (
            f"Evaluation(precision={self.precision:.3f}, recall={self.recall:.3f}, "
            f"f1={self.f1:.3f}, {self.true_pairs} true pairs, {len(self.curve)} thresholds)"
        )


def _truth(truth: object, ids: Sequence[str]) -> Ints:
    """
    The label code of each record (-1: no label), from a mapping or ``(id, label)`` pairs.
    """
    if isinstance(truth, Mapping):
        pairs = list(truth.items())
    else:
        pairs = []
        for item in items(truth, "truth"):
            if not isinstance(item, tuple | list) or len(item) != 2:
                raise RecordkitError(
                    f"truth must map record ids to labels or hold (id, label) pairs, "
                    f"got {shorten(item)}"
                )
            pairs.append((item[0], item[1]))
    if not pairs:
        raise RecordkitError("truth is empty: give at least one record's label")
    position = {rid: i for i, rid in enumerate(ids)}
    codes: dict[str, int] = {}
    out = np.full(len(ids), -1, dtype=np.int64)
    for rid, label in pairs:
        if not isinstance(rid, str):
            raise RecordkitError(f"truth's record ids must be text, got {shorten(rid)}")
        if not isinstance(label, str):
            raise RecordkitError(
                f"truth[{shorten(rid)}] must be a text label, got {shorten(label)}"
            )
        i = position.get(rid)
        if i is None:
            raise RecordkitError(f"truth names record {shorten(rid)}, which is not in the data")
        code = codes.setdefault(label, len(codes))
        if out[i] >= 0 and out[i] != code:
            raise RecordkitError(f"truth gives record {shorten(rid)} two labels")
        out[i] = code
    return out


def _pair_count(groups: Ints, side: npt.NDArray[np.int8] | None) -> int:
    """
    Pairs within each group (*groups*: one code per record): all pairs, or across sides.
    """
    if len(groups) == 0:
        return 0
    groups = np.unique(groups, return_inverse=True)[1].reshape(-1)  # codes 0..k-1
    if side is None:
        n = np.bincount(groups).astype(np.int64)
        return int((n * (n - 1) // 2).sum())
    size = int(groups.max()) + 1
    left = np.bincount(groups[side == 0], minlength=size).astype(np.int64)
    right = np.bincount(groups[side == 1], minlength=size).astype(np.int64)
    return int((left * right).sum())


def _thresholds(value: object, model: FellegiSunter | WeightedRules, scores: Floats) -> Floats:
    if value is None:
        if isinstance(model, FellegiSunter):
            return np.array(_PROBABILITIES, dtype=np.float64)
        finite = np.unique(scores[np.isfinite(scores)])
        if len(finite) > _POINTS:
            finite = np.unique(np.quantile(finite, np.linspace(0, 1, _POINTS)))
        return finite
    got = [number(t, "thresholds", finite=True) for t in items(value, "thresholds")]
    if not got:
        raise RecordkitError("thresholds is empty: give at least one, or None for the default")
    if isinstance(model, FellegiSunter) and not all(0.0 <= t <= 1.0 for t in got):
        bad = next(t for t in got if not 0.0 <= t <= 1.0)
        raise RecordkitError(f"thresholds are match probabilities in [0, 1], got {bad!r}")
    return np.unique(np.array(got, dtype=np.float64))


def evaluate_run(
    ids: Sequence[str],
    source: npt.NDArray[np.int8] | None,
    scored: Scored,
    assignment: Assignment,
    model: FellegiSunter | WeightedRules,
    threshold: float,
    truth: object,
    thresholds: object = None,
) -> Evaluation:
    """
    Count the run's clusters and links against *truth* (see the module docstring).

    Raises:
        RecordkitError: *truth* is empty, names a record not in the run, gives a label
            that is not text, or *thresholds* are not numbers (probabilities for a
            Fellegi-Sunter model).
    """
    label = _truth(truth, ids)
    labelled = label >= 0
    n_labels = int(label.max()) + 1
    side = None if source is None else np.asarray(source)[labelled]
    true_pairs = _pair_count(label[labelled], side)
    # clusters: the pairs within each cluster, and within each (cluster, label)
    position = {rid: i for i, rid in enumerate(ids)}
    cluster = np.empty(len(ids), dtype=np.int64)
    for k, c in enumerate(assignment.clusters):
        cluster[[position[r] for r in c.record_ids]] = k
    found = _pair_count(cluster[labelled], side)
    right = _pair_count(cluster[labelled] * n_labels + label[labelled], side)
    clusters = PairCounts(right, found - right, true_pairs - right)
    # links: each scored pair between two labelled records, its score and whether it is true
    keep = labelled[scored.left] & labelled[scored.right]
    same = label[scored.left[keep]] == label[scored.right[keep]]
    weight = scored.weight[keep]
    if isinstance(model, FellegiSunter):
        with np.errstate(over="ignore"):
            scores = 1.0 / (1.0 + np.exp2(-weight))
    else:
        scores = weight.astype(np.float64)
    rule = scored.rule[keep]
    scores = np.where(rule == 1, np.inf, np.where(rule == 2, -np.inf, scores))
    matched = scored.match[keep]
    tp = int((matched & same).sum())
    links = PairCounts(tp, int(matched.sum()) - tp, true_pairs - tp)
    # the curve: for each threshold, how many scores (and true ones) reach it
    at = _thresholds(thresholds, model, scores)
    order = np.argsort(scores, kind="stable")
    ranked, hits = scores[order], same[order]
    true_from = np.r_[np.cumsum(hits[::-1])[::-1], 0]  # true pairs at or after each rank
    start = np.searchsorted(ranked, at, side="left")
    reach = len(ranked) - start
    tps = true_from[start]
    curve = tuple(
        CurvePoint(
            float(t),
            _ratio(int(hit), int(n)),
            _ratio(int(hit), true_pairs),
            _f1(_ratio(int(hit), int(n)), _ratio(int(hit), true_pairs)),
        )
        for t, n, hit in zip(at.tolist(), reach.tolist(), tps.tolist(), strict=True)
    )
    return Evaluation(clusters, links, curve, float(threshold), true_pairs, int(labelled.sum()))
