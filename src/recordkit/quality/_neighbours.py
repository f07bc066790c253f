"""
Nearest-neighbour clustering: values within a Levenshtein distance, compared in blocks.

As OpenRefine does it ("Clustering in depth", *Nearest Neighbor Methods*): values are
compared only with the values that share a substring of ``block_chars`` characters with
them (6 by default, as OpenRefine), which turns ``n²`` comparisons into a few per value.
The candidate pairs of every block are gathered as arrays, repeats dropped, and their
distances computed in one vectorized call (`rapidfuzz.process.cpdist`); values linked by
a distance within the radius form a cluster (single linkage).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from recordkit._errors import shorten
from recordkit.quality._errors import QualityError

__all__ = ["NearestNeighbours", "linked_groups"]

_MAX_BLOCK: Final = 100_000


def _whole(value: object, low: int, high: int, what: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise QualityError(
            f"{what} must be a whole number from {low} to {high:,}, got {shorten(value)}",
            parameter=what,
        )
    return value


def _radius(value: object) -> int:
    return _whole(value, 1, 20, "radius")


def _block_chars(value: object) -> int:
    return _whole(value, 1, 50, "block_chars")


def _max_block(value: object) -> int:
    return _whole(value, 2, _MAX_BLOCK, "max_block")


@attrs.frozen
class NearestNeighbours:
    """
    A clustering method: values within *radius* Levenshtein edits of each other.

    Pass it as `variant_clusters`' ``method``. Values are compared as they are written
    (case and punctuation count as edits); a substring of *block_chars* characters in
    common is what makes two values compared at all.

    Examples:
        >>> from recordkit.quality import variant_clusters
        >>> found = variant_clusters(["Acme Corp", "Acme Crop", "Zenith"],
        ...                          method=NearestNeighbours(radius=2))
        >>> [c.values for c in found]
        [('Acme Corp', 'Acme Crop')]

    Args:
        radius: the largest edit distance between two values of a cluster's link.
        block_chars: the length of the substrings that block values together (values
            shorter than that are their own block key).
        max_block: blocks of more values are skipped: a substring that common (``Street``)
            says little, and its pairs would cost the most (a block of 100 values is 4,950
            pairs, one of 1,000 nearly 500,000). Values in a skipped block are still
            compared through their other, rarer substrings.

    Raises:
        QualityError: an argument is not a whole number in its range.

    .. versionadded:: 0.2.0
    """

    radius: int = attrs.field(default=1, converter=_radius)
    block_chars: int = attrs.field(default=6, converter=_block_chars)
    max_block: int = attrs.field(default=100, converter=_max_block)


def linked_groups(values: Sequence[str], method: NearestNeighbours) -> list[list[int]]:
    """
    The groups (of two or more indices into *values*) that *method* links.
    """
    blocks: dict[str, list[int]] = {}
    size = method.block_chars
    for i, value in enumerate(values):
        if len(value) <= size:
            blocks.setdefault(value, []).append(i)
            continue
        for key in {value[j : j + size] for j in range(len(value) - size + 1)}:
            blocks.setdefault(key, []).append(i)
    by_size: dict[int, list[list[int]]] = {}
    for members in blocks.values():
        if 2 <= len(members) <= method.max_block:
            by_size.setdefault(len(members), []).append(members)
    if not by_size:
        return []
    lefts, rights = [], []
    for m, groups in by_size.items():
        table = np.asarray(groups, dtype=np.int64)
        a, b = np.triu_indices(m, 1)
        lefts.append(table[:, a].ravel())
        rights.append(table[:, b].ravel())
    n = len(values)
    left, right = np.concatenate(lefts), np.concatenate(rights)
    # Two values further apart in length than the radius cannot be within it.
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    close = np.abs(lengths[left] - lengths[right]) <= method.radius
    codes = np.unique(left[close] * n + right[close])
    left, right = codes // n, codes % n
    text = np.asarray(values, dtype=object)
    distance = process.cpdist(text[left], text[right], scorer=Levenshtein.distance,
                              score_cutoff=method.radius, dtype=np.int32)  # fmt: skip
    near = distance <= method.radius
    return _components(n, left[near].tolist(), right[near].tolist())


def _components(n: int, left: list[int], right: list[int]) -> list[list[int]]:
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(left, right, strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in {*left, *right}:
        groups.setdefault(root(i), []).append(i)
    return [sorted(g) for g in groups.values() if len(g) > 1]
