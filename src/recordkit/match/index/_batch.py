"""
Many lookups at once: a batch's rows against the indexed records, and against each other.

A batch import checks thousands of rows. Looking each up alone would compare them one at a
time; here every row's candidates are gathered first, then all the pairs are compared and
scored in one vectorized pass, and only the matches are explained.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import attrs
import numpy as np

from recordkit.match._data import Prepared
from recordkit.match._matcher import Matcher
from recordkit.match._model import FellegiSunter
from recordkit.match.index._lookup import RULE_WEIGHT, Lookup, Match

__all__ = ["BatchLookups", "Screened", "joined", "score_rows", "within"]

BatchLookups = tuple[list[Lookup], list[list[tuple[str, float]]]]
"""
Per row of a batch: its `Lookup`, and its links (other record, weight).
"""


@attrs.frozen(eq=False)
class Screened:
    """
    A batch prepared and looked up, kept so that adding it next does not look it up again.

    Attributes:
        ids: the batch's record ids, in order.
        writes: the index's write count when it was looked up (stale once it moves).
        batch: the batch, prepared.
        stored: each row against the indexed records.
        near: each row against the rows before it.
    """

    ids: tuple[str, ...]
    writes: int
    batch: Prepared
    stored: BatchLookups
    near: BatchLookups

    def fits(self, ids: Sequence[str | None], writes: int) -> bool:
        """
        Whether this is the look-up of the batch *ids*, with the index as it is now.
        """
        return self.writes == writes and self.ids == tuple(ids)


def joined(batch: Prepared, them: Prepared) -> Prepared:
    """
    *batch* and *them* as one dataset (the batch's rows first).
    """
    columns = {k: np.concatenate([v, them.columns[k]]) for k, v in batch.columns.items()}
    features = {k: np.concatenate([v, them.features[k]]) for k, v in batch.features.items()}
    return Prepared([*batch.ids, *them.ids], columns, features, batch.keys)


def score_rows(
    matcher: Matcher,
    both: Prepared,
    cands: Sequence[Sequence[int]],
    skipped: Sequence[Sequence[str]],
    entity_of: Callable[[str], str],
) -> BatchLookups:
    """
    Score each row *i* of *both* against its candidates ``cands[i]``, all at once.

    The candidates are rows of *both*. Returns each row's `Lookup` (matches best first,
    explained) and links.
    """
    counts = [len(c) for c in cands]
    left = np.repeat(np.arange(len(cands), dtype=np.int64), counts)
    right = np.fromiter((j for c in cands for j in c), dtype=np.int64, count=sum(counts))
    lookups: list[Lookup] = []
    links: list[list[tuple[str, float]]] = [[] for _ in cands]
    if not len(left):
        return [Lookup((), 0, tuple(s)) for s in skipped], links
    levels = matcher.compare(both, left, right)
    scored = matcher.score(both, left, right, levels)
    by_row: list[list[int]] = [[] for _ in cands]
    for k in np.flatnonzero(scored.match).tolist():
        by_row[int(left[k])].append(k)
    fs = isinstance(matcher.model, FellegiSunter)
    for i, ks in enumerate(by_row):
        ks.sort(key=lambda k: -float(scored.weight[k]))  # best first, ties in pair order
        matches = []
        for k in ks:
            rid = both.ids[int(right[k])]
            ruled = scored.rule[k] == 1
            weight = float(scored.weight[k])
            prob = 1.0 if ruled else (1.0 / (1.0 + 2.0 ** (-weight)) if fs else weight)
            links[i].append((rid, RULE_WEIGHT if ruled else weight))
            explain = partial(matcher.explain_scored, both, scored, k)  # when read
            matches.append(Match(rid, entity_of(rid), prob, weight, explain))
        lookups.append(Lookup(tuple(matches), counts[i], tuple(skipped[i])))
    return lookups, links


def within(matcher: Matcher, batch: Prepared) -> BatchLookups:
    """
    Each row of *batch* against the rows before it (the batch's own duplicates).

    Entity ids in the matches are the earlier rows' ids.
    """
    left, right, _ = matcher.candidates(batch)
    first = np.minimum(left, right)
    later = np.maximum(left, right)
    cands: list[list[int]] = [[] for _ in batch.ids]
    for a, b in zip(first.tolist(), later.tolist(), strict=True):
        cands[b].append(a)
    return score_rows(matcher, batch, cands, [[] for _ in batch.ids], lambda rid: rid)
