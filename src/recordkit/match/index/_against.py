"""
One new record scored against its candidates, the hopeless ones given up early.

A lookup only reports matches, so a candidate whose weight cannot reach the threshold any
more need not be compared further: comparisons run one at a time over the candidates still
open, the most telling first (a different email or phone weighs far below anything the
rest can make up), and after each a candidate is dropped when its weight so far plus the
most every remaining comparison could add stays below the threshold. The candidates left
are compared in full and scored exactly as the batch road scores them; the dropped ones are
non-matches the batch road would score as such. A must-match rule turns this off (it can
make any pair a match).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from recordkit.match._data import Prepared
from recordkit.match._matcher import Matcher
from recordkit.match._model import FellegiSunter, WeightedRules
from recordkit.match._pairs import Levels, compare_against
from recordkit.match._scoring import Scored, score_pairs
from recordkit.match.comparison import Comparison

__all__ = ["score_against"]

_MARGIN: Final = 1e-6
"""
Bits a candidate's best possible weight must fall short by to be given up: far above the
rounding of the sums, so a candidate on the threshold is always compared in full.
"""
_SURE: Final = 50.0
"""
A weight past which a probability rounds to 1 (``1 / (1 + 2**-50)``): the threshold
weight used when the threshold probability is 1.
"""


def score_against(
    matcher: Matcher, one: Prepared, them: Prepared, rows: Sequence[int] | npt.NDArray[np.int64]
) -> Scored:
    """
    Row 0 of *one* (a new record) compared with and scored against *rows* of *them*.

    The candidates are read where they are (an index's columns): nothing is copied. The
    result holds the candidates that could match (given up ones are left out); its
    ``right`` says which rows of *them* they are.
    """
    right = np.asarray(rows, dtype=np.int64)
    model = matcher.fitted()
    levels: Levels | None = None
    if len(right) > 1 and not matcher.must_match:
        right, levels = _hopeful(matcher, model, one, them, right)
    left = np.zeros(len(right), dtype=np.int64)
    if levels is None:
        levels = compare_against(matcher, one, them, right)
    return score_pairs(matcher, model, one, left, right, levels)


def _hopeful(
    matcher: Matcher,
    model: FellegiSunter | WeightedRules,
    one: Prepared,
    them: Prepared,
    rows: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], Levels | None]:
    """
    The candidates whose weight can still reach the threshold, comparison by comparison.

    With them, their level in every comparison (all are compared by the end), as
    `compare_against` gives them; ``None`` when a comparator of another kind is left to it.
    """
    comparisons = [c for c in matcher.comparisons if isinstance(c, Comparison)]
    if len(comparisons) < len(matcher.comparisons):
        return rows, None  # a comparator of another kind: compared in full
    tables = [_table(matcher, model, one, c) for c in comparisons]
    # the most telling first: the widest spread between agreeing and disagreeing
    order = sorted(range(len(comparisons)), key=lambda i: min(tables[i]) - max(tables[i]))
    best_after = [0.0] * (len(order) + 1)
    for at in range(len(order) - 1, -1, -1):
        best_after[at] = best_after[at + 1] + max(0.0, *tables[order[at]])
    need = _threshold_weight(matcher, model) - _MARGIN
    alive = rows
    sums = [0.0] * len(rows)
    found: dict[str, list[int]] = {}
    for at, i in enumerate(order):
        c = comparisons[i]
        table = tables[i]
        levels = found[c.name] = c._compare_against(one.features, them.features, alive)
        sums = [w + table[k] for w, k in zip(sums, levels, strict=True)]
        keep = [t for t, w in enumerate(sums) if w + best_after[at + 1] >= need]
        if len(keep) < len(sums):
            alive = alive[keep]
            sums = [sums[t] for t in keep]
            found = {name: [got[t] for t in keep] for name, got in found.items()}
        if not len(alive):
            break
    # every comparison ran on the candidates left (none left: the rest never ran)
    return alive, {c.name: np.array(found.get(c.name, []), np.int8) for c in comparisons}


def _table(
    matcher: Matcher, model: FellegiSunter | WeightedRules, one: Prepared, c: Comparison
) -> list[float]:
    """
    What each level of *c* adds to the new record's weight with a candidate.

    An exact agreement comes with its term-frequency adjustment for the new record's value.
    """
    if isinstance(model, WeightedRules):
        points: list[float] = model.table(c.name, c.labels).tolist()
        return points
    table: list[float] = model.weights(c.name).tolist()
    if c.name in model.tf and len(table) > 1:
        table[1] += model.tf_adjustment_of(c.name, one.columns[c.columns[0]][0])
    return table


def _threshold_weight(matcher: Matcher, model: FellegiSunter | WeightedRules) -> float:
    """
    The weight before the prior at or above which a pair may be a match.
    """
    if isinstance(model, WeightedRules):
        return float(matcher.threshold)
    t = float(matcher.threshold)
    odds = _SURE if t >= 1.0 else math.log2(t / (1.0 - t)) if t > 0.0 else -math.inf
    return min(odds, _SURE) - model.prior_weight
