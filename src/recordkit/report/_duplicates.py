"""
A report's duplicates section: clusters, their sizes, and sampled pairs explained.

From a `recordkit.match.MatchResult` (``Matcher.dedupe``): how many records, entities and
duplicate records; a histogram of cluster sizes; the largest clusters; and for a sample of
linked pairs (spread from the weakest link to the strongest, so the ones near the
threshold are seen) the `recordkit.match.MatchExplanation` term by term, which the HTML
draws as a waterfall, as Splink does.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

import numpy as np

from recordkit._errors import shorten
from recordkit.match import MatchExplanation, MatchResult
from recordkit.report._errors import ReportError
from recordkit.report._plain import number, text
from recordkit.schema import JSONObject, JSONValue

__all__ = ["duplicates_section", "explanation_data"]

_MAX_IDS: Final = 10
_MAX_SIZES: Final = 50
_MAX_LARGEST: Final = 10


def explanation_data(e: MatchExplanation) -> JSONObject:
    """
    One explained pair as capped plain data: ids, prior, terms, total, probability.
    """
    terms: list[JSONValue] = [
        {
            "comparison": text(t.comparison),
            "level": text(t.level),
            "weight": number(t.weight),
            "m": None if t.m is None else number(t.m),
            "u": None if t.u is None else number(t.u),
            "tf_adjustment": number(t.tf_adjustment),
            "left": None if t.left is None else text(t.left),
            "right": None if t.right is None else text(t.right),
        }
        for t in e.terms
    ]
    return {
        "left": text(e.left),
        "right": text(e.right),
        "model": text(e.model),
        "version": None if e.version is None else text(e.version),
        "rule": None if e.rule is None else text(e.rule),
        "prior": number(e.prior),
        "terms": terms,
        "total": number(e.total),
        "probability": number(e.probability),
    }


def _sample(order: np.ndarray[tuple[int], np.dtype[np.intp]], size: int) -> list[int]:
    """
    *size* positions of *order*, evenly spread from its first to its last.
    """
    if len(order) <= size:
        return [int(k) for k in order]
    picks = np.unique(np.linspace(0, len(order) - 1, size).round().astype(np.intp))
    return [int(order[p]) for p in picks]


def duplicates_section(result: object, *, sample_size: int, max_pairs: int) -> JSONObject:
    """
    The dedupe run's figures, with up to *max_pairs* linked pairs explained.
    """
    if not isinstance(result, MatchResult):
        raise ReportError(
            f"duplicates must be a recordkit.match.MatchResult (Matcher.dedupe), "
            f"got {shorten(result)}",
            parameter="duplicates",
        )
    ids = result.prepared.ids
    clusters = result.clusters
    sizes = Counter(len(c) for c in clusters)
    size_rows: list[JSONValue] = [
        {"size": s, "clusters": n} for s, n in sorted(sizes.items())[:_MAX_SIZES]
    ]
    largest = sorted((c for c in clusters if len(c) > 1), key=lambda c: (-len(c), c.entity_id))
    shown: list[JSONValue] = [
        {
            "entity_id": text(c.entity_id),
            "size": len(c),
            "record_ids": [text(r) for r in c.record_ids[:_MAX_IDS]],
        }
        for c in largest[: min(sample_size, _MAX_LARGEST)]
    ]
    scored = result.scored
    linked = np.flatnonzero(scored.match)
    # weakest first: the sample spreads from the links nearest the threshold to the surest
    order = linked[np.argsort(scored.weight[linked], kind="stable")]
    pairs: list[JSONValue] = [
        explanation_data(result.matcher.explain_scored(result.prepared, scored, k))
        for k in _sample(order, max_pairs)
    ]
    return {
        "records": len(ids),
        "entities": len(clusters),
        "duplicate_clusters": sum(1 for c in clusters if len(c) > 1),
        "duplicate_records": len(ids) - len(clusters),
        "duplicate_rate": (len(ids) - len(clusters)) / len(ids) if len(ids) else None,
        "candidate_pairs": len(scored.left),
        "links": len(linked),
        "threshold": number(float(result.matcher.threshold)),
        "sizes": size_rows,
        "largest": shown,
        "pairs": pairs,
    }
