"""
Fitting a Fellegi-Sunter model without labels.

u comes from random pairs, m from one EM session per blocking rule (each comparison takes
the purest session that could learn it), the prior from the expected number of matches
among the candidate pairs, and term frequencies from the values.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError
from recordkit.match._data import Prepared
from recordkit.match._estimate import (
    EMResult,
    em,
    level_patterns,
    random_pairs,
    tf_table,
    u_from_levels,
)
from recordkit.match._model import FellegiSunter
from recordkit.match._pairs import blocking_codes, candidate_pairs, compare_pairs
from recordkit.match._settings import MatchSettings

__all__ = ["fit_model", "u_sample"]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]


def u_sample(settings: MatchSettings, prepared: Prepared) -> tuple[Ints, Ints]:
    """
    The random pairs whose levels estimate u.

    They are drawn in id order, so the model does not depend on the order rows came in.
    """
    n = len(prepared)
    order = np.argsort(np.asarray(prepared.ids, dtype=object), kind="stable").astype(np.int64)
    src = None if prepared.source is None else prepared.source[order]
    sample = min(settings.sample_pairs, max(100_000, 50 * n))
    ra, rb = random_pairs(n, sample, seed=settings.seed, source=src)
    return order[ra], order[rb]


def fit_model(
    settings: MatchSettings,
    prepared: Prepared,
    levels: Levels,
    random_levels: Levels | None = None,
) -> FellegiSunter:
    """
    A Fellegi-Sunter model for the comparisons of *settings*, from prepared, compared data.

    *random_levels* are the levels of the `u_sample` pairs, when already compared.
    """
    n = len(prepared)
    if random_levels is None:
        random_levels = compare_pairs(settings, prepared, *u_sample(settings, prepared))
    u = {c.name: u_from_levels(random_levels[c.name], len(c.labels)) for c in settings.comparisons}
    names = [c.name for c in settings.comparisons]
    m_values = _em_sessions(settings, prepared, levels, u)
    # with m and u set, EM over all candidate pairs finds the share that match; that
    # many matches among all pairs of records is the prior
    blocked = len(levels[names[0]]) if names and names[0] in levels else 0
    if prepared.source is None:
        total = n * (n - 1) // 2
    else:
        left = int((prepared.source == 0).sum())
        total = left * (n - left)
    patterns = _Patterns.of(levels, [(c.name, len(c.labels)) for c in settings.comparisons])
    share = patterns.em(names, u, None, prior=0.1, fixed_m=m_values).prior
    prior = min(max(share * blocked / max(total, 1), 1.0 / max(total, 1), 1e-12), 0.5)
    tf: dict[str, dict[str, float]] = {}
    floor: dict[str, float] = {}
    for c in settings.comparisons:
        if c.term_frequency:
            col = prepared.memo.get("factored", prepared.columns)[c.columns[0]]
            tf[c.name], floor[c.name] = tf_table(col)
    return FellegiSunter(prior, m_values, u, tf=tf, tf_floor=floor, fitted_on=n)


def _em_sessions(
    settings: MatchSettings, prepared: Prepared, levels: Levels, u: dict[str, tuple[float, ...]]
) -> dict[str, tuple[float, ...]]:
    """
    The m of each comparison, by EM once per blocking rule on the pairs it finds.

    A comparison reading a rule's columns agrees on every pair of that rule, so it
    carries no evidence there: it is left out of that session and learned in the
    others (as Splink trains). Each comparison takes its m from the purest session that
    learned it (the highest share of matches): a rule on a near-unique key (email,
    phone) yields almost only matches, so the m it gives does not depend on EM telling
    matches from namesakes.
    """
    names = [c.name for c in settings.comparisons]
    if not names or not len(levels[names[0]]):
        return {nm: em([], [nm], u).m[nm] for nm in names}
    patterns = _Patterns.of(levels, [(c.name, len(c.labels)) for c in settings.comparisons])
    # the pairs the levels belong to: the candidates, or the pairs last compared
    n = len(levels[names[0]])
    if "pairs" not in prepared.memo and "compared" not in prepared.memo:
        candidate_pairs(settings, prepared)
    for key in ("pairs", "compared"):
        if key in prepared.memo and len(prepared.memo[key][0]) == n:
            left, right = prepared.memo[key]
            break
    else:
        raise RecordkitError(
            f"{n} levels, but no pairs of that number were made or compared on this data: "
            "fitting takes the levels of the candidate pairs (candidates, then compare)"
        )
    found: dict[str, list[tuple[float, tuple[float, ...]]]] = {nm: [] for nm in names}
    for rule, code in zip(settings.blocking, blocking_codes(settings, prepared), strict=True):
        rows = np.flatnonzero((code[left] == code[right]) & (code[left] >= 0))
        if len(rows) < 20:
            continue
        used = set(rule.columns)
        # comparisons on the rule's own columns agree by construction: they carry no
        # evidence in this session and are left out of it
        learn = [c.name for c in settings.comparisons if not used & set(c.columns)]
        if not learn:
            continue
        session = patterns.em(learn, u, rows, prior=0.3)
        for nm in learn:
            found[nm].append((session.prior, session.m[nm]))
    out = {}
    for nm in names:
        if found[nm]:
            out[nm] = max(found[nm], key=lambda found_m: found_m[0])[1]
        else:  # learned in no session: EM over every candidate pair
            out[nm] = patterns.em(names, u, None, prior=0.1).m[nm]
    return out


@attrs.frozen
class _Patterns:
    """
    The distinct level patterns of the candidate pairs, found once for every EM session.

    A session on some of the pairs and some of the comparisons is EM over these patterns,
    each weighted by how many of the session's pairs show it.
    """

    levels: dict[str, npt.NDArray[np.int8]]  # per comparison, its level in each pattern
    inverse: Ints  # per pair, its pattern
    count: int

    @classmethod
    def of(cls, levels: Levels, sizes: list[tuple[str, int]]) -> _Patterns:
        cols, inverse = level_patterns([levels[n] for n, _ in sizes], [s for _, s in sizes])
        out = {name: col.astype(np.int8) for (name, _), col in zip(sizes, cols, strict=True)}
        return cls(out, inverse, len(cols[0]))

    def em(
        self, names: list[str], u: dict[str, tuple[float, ...]], rows: Ints | None, **options: Any
    ) -> EMResult:
        """
        `em` over the pairs at *rows* (all when ``None``), for comparisons *names*.
        """
        chosen = self.inverse if rows is None else self.inverse[rows]
        weights = np.bincount(chosen, minlength=self.count).astype(np.float64)
        seen = weights > 0
        return em(
            [self.levels[nm][seen] for nm in names], names, u, weights=weights[seen], **options
        )
