"""
Scoring compared pairs: match weights, verdicts, deterministic rules, explanations.
"""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit.match._blocking import BlockingReport
from recordkit.match._data import Prepared
from recordkit.match._explain import MatchExplanation
from recordkit.match._model import FellegiSunter, WeightedRules, explain_pair
from recordkit.match._settings import MatchSettings

__all__ = ["Scored", "explain_scored", "score_pairs"]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]


@attrs.frozen(eq=False)
class Scored:
    """
    Candidate pairs with their levels, match weights and verdicts (columnar).

    .. versionadded:: 0.1.0
    """

    left: Ints
    right: Ints
    levels: Levels
    weight: npt.NDArray[np.float64]
    match: npt.NDArray[np.bool_]
    rule: npt.NDArray[np.int8]  # 0 none, 1 must_match, 2 never_match
    report: BlockingReport


def score_pairs(
    settings: MatchSettings,
    model: FellegiSunter | WeightedRules,
    prepared: Prepared,
    left: Ints,
    right: Ints,
    levels: Levels,
) -> Scored:
    """
    Match weights and verdicts for compared pairs, under *model*.
    """
    if len(prepared) == 1 and len(left) <= _PLAIN_PAIRS:
        weight = _weights_of_one(settings, model, prepared, levels, len(left))
    else:
        weight = _weights(settings, model, prepared, left, levels)
    if isinstance(model, FellegiSunter):
        weight += model.prior_weight
        with np.errstate(over="ignore"):
            prob = 1.0 / (1.0 + np.exp2(-weight))
        match = prob >= settings.threshold
    else:
        match = weight >= settings.threshold
    rule = np.zeros(len(left), dtype=np.int8)
    if settings.must_match or settings.never_match:  # else no rule changes a verdict
        labels = settings.labels
        for r in settings.must_match:
            rule[r.mask(levels, labels)] = 1
        for r in settings.never_match:
            rule[r.mask(levels, labels)] = 2
        match = (match | (rule == 1)) & (rule != 2)
    return Scored(left, right, levels, weight, match, rule, _NO_REPORT)


_NO_REPORT: Final = BlockingReport(())
"""
The blocking report of pairs scored without blocking counts (immutable, shared).
"""


_PLAIN_PAIRS: Final = 64
"""
Up to this many pairs of one new record, the weights are summed in plain Python (numpy's
per-call cost outweighs its speed there); the sums are the same, in the same order.
"""


def _weights(
    settings: MatchSettings,
    model: FellegiSunter | WeightedRules,
    prepared: Prepared,
    left: Ints,
    levels: Levels,
) -> npt.NDArray[np.float64]:
    """
    Each pair's weight before the prior: its levels' weights and term-frequency adjustments.
    """
    weight = np.zeros(len(left), dtype=np.float64)
    for c in settings.comparisons:
        lv = levels[c.name]
        if isinstance(model, WeightedRules):
            weight += model.table(c.name, c.labels)[lv]
            continue
        weight += model.weights(c.name)[lv]
        if c.name in model.tf:
            exact = lv == 1
            if len(prepared) == 1 and exact.any():  # a lookup: one value on the left
                weight[exact] += model.tf_adjustment_of(c.name, prepared.columns[c.columns[0]][0])
            elif exact.any():
                freq = _frequencies(model, c.name, prepared, c.columns[0], left[exact])
                weight[exact] += model.tf_adjustment(c.name, freq)
    return weight


def _weights_of_one(
    settings: MatchSettings,
    model: FellegiSunter | WeightedRules,
    prepared: Prepared,
    levels: Levels,
    n: int,
) -> npt.NDArray[np.float64]:
    """
    `_weights` of one new record's *n* pairs, summed in plain Python in the same order.
    """
    sums = [0.0] * n
    for c in settings.comparisons:
        lv: list[int] = levels[c.name].tolist()
        if isinstance(model, WeightedRules):
            points: list[float] = model.table(c.name, c.labels).tolist()
            sums = [w + points[k] for w, k in zip(sums, lv, strict=True)]
            continue
        table: list[float] = model.weights(c.name).tolist()
        sums = [w + table[k] for w, k in zip(sums, lv, strict=True)]
        if c.name in model.tf and 1 in lv:
            adj = model.tf_adjustment_of(c.name, prepared.columns[c.columns[0]][0])
            sums = [w + adj if k == 1 else w for w, k in zip(sums, lv, strict=True)]
    return np.array(sums, dtype=np.float64)


def _frequencies(
    model: FellegiSunter, name: str, prepared: Prepared, column: str, rows: Ints
) -> npt.NDArray[np.float64]:
    """
    The term frequency of *column*'s value at each of *rows*, looked up once per value.
    """
    factored = prepared.memo.get("factored", {}).get(column)
    if factored is None:
        return model.frequency(name, prepared.columns[column][rows].tolist())
    distinct, inverse = np.unique(factored.codes[rows], return_inverse=True)
    return model.frequency(name, factored.uniques[distinct].tolist())[inverse]


def explain_scored(
    settings: MatchSettings,
    model: FellegiSunter | WeightedRules,
    prepared: Prepared,
    scored: Scored,
    k: int,
) -> MatchExplanation:
    """
    The explanation of pair *k* of *scored*, under *model*.
    """
    i, j = int(scored.left[k]), int(scored.right[k])
    names = []
    labels = {}
    values = {}
    for c in settings.comparisons:
        names.append(c.name)
        labels[c.name] = c.labels
        column = prepared.columns[c.columns[0]]
        values[c.name] = (column[i], column[j])
    rule = None
    if scored.rule[k] == 1:
        rule = "must_match: " + " or ".join(r.name for r in settings.must_match)
    elif scored.rule[k] == 2:
        rule = "never_match: " + " or ".join(r.name for r in settings.never_match)
    return explain_pair(
        model,
        prepared.ids[i],
        prepared.ids[j],
        names,
        labels,
        {n: int(scored.levels[n][k]) for n in names},
        values,
        rule,
    )
