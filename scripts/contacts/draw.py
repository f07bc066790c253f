"""Seeded draws shared by every step (numpy for bulk choices)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def norm(weights: Sequence[float] | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Weights scaled to sum to one (as numpy's ``choice`` wants them)."""
    w = np.asarray(weights, dtype=np.float64)
    total: float = w.sum()
    return w / total


def pick(rng: np.random.Generator, weights: Sequence[float], size: int) -> list[int]:
    """Draw `size` indices with the given (unnormalized) weights."""
    picks: list[int] = rng.choice(len(weights), size=size, p=norm(weights)).tolist()
    return picks


def variant_weights(n: int, p_canonical: float) -> list[float]:
    """
    Weights for `n` spellings listed most common first.

    The canonical one gets `p_canonical`, the others share the rest in proportion
    1, 1/2, 1/3, ...
    """
    tail = [1.0 / k for k in range(1, n)]
    return [p_canonical] + [(1.0 - p_canonical) * w / sum(tail) for w in tail]


def hits(rng: np.random.Generator, size: int, p: float) -> list[int]:
    """Positions (of `size`) hit by an event of probability `p`."""
    return np.flatnonzero(rng.random(size) < p).tolist()


def regroup(
    rng: np.random.Generator,
    keys: IntArray,
    tables: Sequence[Sequence[str]],
    weights: Sequence[Sequence[float]],
) -> list[str]:
    """For each row pick one of ``tables[key]`` with ``weights[key]`` (vectorized by key)."""
    out = np.empty(len(keys), dtype=object)
    for k, (opts, w) in enumerate(zip(tables, weights, strict=True)):
        idx = np.flatnonzero(keys == k)
        if idx.size:
            choice = rng.choice(len(opts), size=idx.size, p=norm(w))
            out[idx] = np.asarray(opts, dtype=object)[choice]
    return out.tolist()
