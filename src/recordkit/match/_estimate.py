"""
Learning a Fellegi-Sunter model without labels.

``u`` comes from random pairs (almost all of which are non-matches); ``m`` and the prior
come from expectation-maximisation over the blocked candidate pairs with ``u`` held fixed.
EM runs on the distinct level *patterns* with their counts, so a million candidate pairs
with a few thousand distinct patterns cost a few thousand rows per iteration.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from recordkit.match._factored import Factored

__all__ = ["EMResult", "em", "level_patterns", "random_pairs", "tf_table", "u_from_levels"]

Levels = npt.NDArray[np.int8]
Floats = npt.NDArray[np.float64]


def random_pairs(
    n: int, count: int, *, seed: int, source: npt.NDArray[np.int8] | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """
    Up to *count* random distinct-record pairs (across sources when *source* is given).
    """
    rng = np.random.default_rng(seed)
    if source is None:
        if n < 2:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        count = min(count, n * (n - 1) // 2)
        a = rng.integers(0, n, count)
        b = rng.integers(0, n - 1, count)
        b = np.where(b >= a, b + 1, b)
        return np.minimum(a, b), np.maximum(a, b)
    left, right = np.flatnonzero(source == 0), np.flatnonzero(source == 1)
    if not len(left) or not len(right):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    count = min(count, len(left) * len(right))
    return left[rng.integers(0, len(left), count)], right[rng.integers(0, len(right), count)]


def u_from_levels(levels: Levels, n_levels: int, *, smoothing: float = 1.0) -> tuple[float, ...]:
    """
    P(level | non-match) from the levels of random pairs ("missing" excluded), smoothed.
    """
    counts = np.bincount(levels.astype(np.int64), minlength=n_levels)[:n_levels].astype(float)
    counts[0] = 0.0
    present = counts[1:] + smoothing / (n_levels - 1)
    u = present / present.sum()
    return (1.0, *(float(x) for x in u))


@attrs.frozen
class EMResult:
    """
    What EM found: m per comparison, the prior, and how many iterations it took.

    .. versionadded:: 0.1.0
    """

    m: dict[str, tuple[float, ...]]
    prior: float
    iterations: int


def _initial_m(n_levels: int) -> Floats:
    # strict levels are likely for matches: exact 0.6, then halving, "different" small
    m = np.array([0.0, *(0.6 * 0.5**k for k in range(n_levels - 2)), 0.02])
    m[1:] /= m[1:].sum()
    return m


def level_patterns(
    levels: Sequence[Levels], sizes: Sequence[int]
) -> tuple[list[npt.NDArray[np.int64]], npt.NDArray[np.int64]]:
    """
    The distinct level patterns (one column of levels per comparison) and each pair's one.

    A pattern is the mixed-radix code of the pair's level tuple, so one sort finds them.
    """
    code = np.zeros(len(levels[0]), dtype=np.int64)
    for lv, size in zip(levels, sizes, strict=True):
        code = code * size + lv.astype(np.int64)
    patterns, inverse = np.unique(code, return_inverse=True)
    cols = []
    for size in reversed(sizes):
        cols.append(patterns % size)
        patterns = patterns // size
    cols.reverse()
    return cols, inverse.astype(np.int64).ravel()


def em(
    levels: Sequence[Levels],
    names: Sequence[str],
    u: dict[str, tuple[float, ...]],
    *,
    prior: float = 0.1,
    max_iterations: int = 60,
    tolerance: float = 1e-5,
    fixed_m: dict[str, tuple[float, ...]] | None = None,
    weights: npt.NDArray[np.float64] | None = None,
) -> EMResult:
    """
    Estimate m and the prior by EM over candidate pairs, u held fixed.

    Args:
        levels: one level array per comparison, aligned over the candidate pairs.
        names: the comparison names, in the same order.
        u: the fixed u per comparison.
        prior: the starting share of matches.
        max_iterations: stop after this many rounds.
        tolerance: stop when no parameter moves more than this.
        fixed_m: comparisons whose m is given and kept.
        weights: how many pairs each row stands for (default: one each).
    """
    sizes = [len(u[n]) for n in names]
    if not len(levels) or len(levels[0]) == 0:
        return EMResult(
            {n: tuple(_initial_m(s)) for n, s in zip(names, sizes, strict=True)}, prior, 0
        )
    cols, inverse = level_patterns(levels, sizes)
    counts = np.bincount(inverse, weights=weights, minlength=len(cols[0]))
    mass = counts.astype(np.float64)
    m = {n: _initial_m(s) for n, s in zip(names, sizes, strict=True)}
    for n, given in (fixed_m or {}).items():
        m[n] = np.asarray(given, dtype=np.float64)
    logu = {n: np.log(np.clip(np.asarray(u[n]), 1e-12, 1.0)) for n in names}
    for n in names:
        logu[n][0] = 0.0
    lam = prior
    it = 0
    for it in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        lm = np.zeros(len(mass))
        lu = np.zeros(len(mass))
        for n, col in zip(names, cols, strict=True):
            logm = np.log(np.clip(m[n], 1e-12, 1.0))
            logm[0] = 0.0
            lm += logm[col]
            lu += logu[n][col]
        diff = np.clip(lu - lm, -700, 700)
        post = 1.0 / (1.0 + (1.0 - lam) / lam * np.exp(diff))
        w = post * mass
        new_lam = float(np.clip(w.sum() / mass.sum(), 1e-12, 1 - 1e-9))
        change = abs(new_lam - lam) / lam * 1e-2
        for n, col, size in zip(names, cols, sizes, strict=True):
            if fixed_m and n in fixed_m:
                continue
            tot = np.bincount(col, weights=w, minlength=size)
            tot[0] = 0.0
            s = tot.sum()
            if s <= 0:
                continue
            new = np.maximum(tot / s, 1e-6)
            new[0] = 0.0
            new[1:] /= new[1:].sum()
            change = max(change, float(np.abs(new - m[n]).max()))
            m[n] = new
        lam = new_lam
        if change < tolerance:
            break
    out = {n: (1.0, *(float(x) for x in m[n][1:])) for n in names}
    return EMResult(out, lam, it)


def tf_table(values: Sequence[object] | Factored) -> tuple[dict[str, float], float]:
    """
    Relative frequencies of the text values seen more than once, and the floor for the rest.

    Empty text is not a value. *values* may be a `Factored` column: the counting is then
    per distinct value.
    """
    column = Factored.of(values)
    if not column.is_text:
        column = column.map(_text_only)
    per_unique = column.value_codes(blank_is_missing=True)
    if not len(per_unique):
        return {}, 0.0
    per_row = per_unique[column.codes]
    counts = np.bincount(per_row[per_row >= 0], minlength=int(per_unique.max(initial=-1)) + 1)
    total = int(counts.sum())
    if total == 0:
        return {}, 0.0
    repeated = np.flatnonzero(counts > 1)
    # the entry holding each repeated value: the last one written wins, any will do
    holder = np.zeros(len(counts), dtype=np.int64)
    ok = per_unique >= 0
    holder[per_unique[ok]] = np.flatnonzero(ok)
    names = column.uniques[holder[repeated]].tolist()
    return dict(zip(names, (counts[repeated] / total).tolist(), strict=True)), 1.0 / total


def _text_only(value: object) -> str | None:
    return value if isinstance(value, str) else None
