"""
`HealthModel`: record health, 0-100, from weighted dimensions, scored as columns.

Every dimension measures all the records of a batch at once; the model turns the
measures into whole points with NumPy: each dimension that applies to a record gets its
weight's share of 100, times its measure; the total is rounded, and the points are
apportioned by largest remainder, so they add up to the score exactly. Dimensions that do
not apply to a record (consent, when no purpose is declared) leave their share to the
others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import shorten
from recordkit._gc import collector_paused
from recordkit.quality._errors import QualityError
from recordkit.quality._health_dimensions import (
    CompletenessDimension,
    ConsentDimension,
    FreshnessDimension,
    HealthDimension,
    HealthInputs,
    Measured,
    UniquenessDimension,
    ValidityDimension,
    health_dimension,
)
from recordkit.quality._health_score import HealthScore, scores_of
from recordkit.schema import JSONValue

__all__ = ["DEFAULT_HEALTH_WEIGHTS", "HealthModel", "apportion"]

DEFAULT_HEALTH_WEIGHTS: Final[Mapping[str, float]] = {
    "completeness": 30.0,
    "validity": 30.0,
    "freshness": 15.0,
    "uniqueness": 15.0,
    "consent": 10.0,
}
"""
The weights of the shipped dimensions when none are given (a dimension not named: 1).
"""

_EPS: Final = 1e-9


def _dimensions(value: object) -> tuple[HealthDimension, ...]:
    if value is None:
        return (
            CompletenessDimension(),
            ValidityDimension(),
            FreshnessDimension(),
            UniquenessDimension(),
            ConsentDimension(),
        )
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise QualityError(
            f"dimensions is a list of HealthDimension (or installed names), got {shorten(value)}",
            parameter="dimensions",
        )
    out: list[HealthDimension] = []
    for item in value:
        made = health_dimension(item) if isinstance(item, str) else item
        if not isinstance(made, HealthDimension):
            raise QualityError(
                f"dimensions holds HealthDimension objects (name, version, measure), got "
                f"{shorten(item)}",
                parameter="dimensions",
            )
        if not isinstance(made.name, str) or not made.name:
            raise QualityError(
                f"a dimension's name is text, got {shorten(made.name)}",
                parameter="dimensions",
            )
        if isinstance(made.version, bool) or not isinstance(made.version, int):
            raise QualityError(
                f"dimension {made.name!r}: version is a whole number, got {shorten(made.version)}",
                parameter="dimensions",
            )
        out.append(made)
    names = [d.name for d in out]
    if not out:
        raise QualityError("a health model needs at least one dimension", parameter="dimensions")
    if len(set(names)) != len(names):
        raise QualityError(f"dimension names repeat: {names}", parameter="dimensions")
    return tuple(out)


def _weights(value: object, dims: tuple[HealthDimension, ...]) -> tuple[float, ...]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise QualityError(
            f"weights maps dimension names to numbers, got {shorten(value)}", parameter="weights"
        )
    names = [d.name for d in dims]
    unknown = [k for k in value if k not in names]
    if unknown:
        raise QualityError(
            f"weights name no dimension of the model: {unknown}; dimensions: {names}",
            parameter="weights",
        )
    out: list[float] = []
    for name in names:
        w = value.get(name, DEFAULT_HEALTH_WEIGHTS.get(name, 1.0))
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
            raise QualityError(
                f"the weight of {name!r} must be a finite number, got {shorten(w)}",
                parameter="weights",
            )
        if w < 0:
            raise QualityError(
                f"the weight of {name!r} must not be negative, got {w}", parameter="weights"
            )
        out.append(float(w))
    if not any(out):
        raise QualityError(
            "every weight is 0: at least one dimension must weigh something", parameter="weights"
        )
    return tuple(out)


def apportion(
    measures: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """
    Scores and whole points per dimension from measures (records x dimensions).

    A NaN measure does not apply: its weight is shared among the record's other
    dimensions. The score is the rounded total (halves up); points are apportioned by
    largest remainder, so each row of points adds up to its score. A record no weighted
    dimension applies to scores 0.
    """
    applies = ~np.isnan(measures)
    w = np.where(applies, weights[np.newaxis, :], 0.0)
    total_w = w.sum(axis=1, keepdims=True)
    share = np.divide(w, total_w, out=np.zeros_like(w), where=total_w > 0)
    raw = 100.0 * share * np.nan_to_num(measures, nan=0.0)
    floor = np.floor(raw + _EPS)
    frac = np.where(raw - floor > _EPS, raw - floor, 0.0)
    totals = np.floor(raw.sum(axis=1) + 0.5 + _EPS).astype(np.int64)
    deficit = totals - floor.sum(axis=1).astype(np.int64)
    order = np.argsort(-frac, axis=1, kind="stable")
    rank = np.empty_like(order)
    rows = np.arange(order.shape[0])[:, np.newaxis]
    rank[rows, order] = np.arange(order.shape[1])[np.newaxis, :]
    points = floor.astype(np.int64) + (rank < deficit[:, np.newaxis])
    return totals, points


def _with_none(measures: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    """
    *measures* as objects, ``None`` where a measure is NaN (does not apply).
    """
    out = measures.astype(object)
    out[np.isnan(measures)] = None
    return out


@attrs.frozen(repr=False, init=False)
class HealthModel:
    """
    How record health is scored: dimensions and their weights.

    Examples:
        >>> model = HealthModel(weights={"completeness": 50, "validity": 50, "consent": 0})
        >>> model.weights["completeness"], model.weights["freshness"]
        (50.0, 15.0)

    Args:
        dimensions: the dimensions (default: completeness, validity, freshness,
            uniqueness and consent coverage); a name loads an installed plugin's
            dimension (``recordkit.health_dimensions`` entry points).
        weights: dimension name → weight, any non-negative numbers (they are shares:
            ``{"validity": 2, "completeness": 1}`` gives validity two thirds); a
            dimension not named weighs its `DEFAULT_HEALTH_WEIGHTS` entry, else 1.

    Raises:
        QualityError: a weight is negative, NaN or infinite, every weight is 0, a weight
            names no dimension, or dimensions repeat a name.

    .. versionadded:: 0.2.0
    """

    dimensions: tuple[HealthDimension, ...]
    _weights: tuple[float, ...]
    fingerprint: str

    def __init__(
        self,
        dimensions: Sequence[HealthDimension | str] | None = None,
        *,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        dims = _dimensions(dimensions)
        chosen = _weights(weights, dims)
        layout = [[d.name, d.version, repr(d), w] for d, w in zip(dims, chosen, strict=True)]
        digest = hashlib.sha256(json.dumps(layout, sort_keys=True).encode()).hexdigest()
        self.__attrs_init__(dims, chosen, digest[:16])

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={w:g}" for n, w in self.weights.items())
        return f"HealthModel({parts})"

    @property
    def weights(self) -> dict[str, float]:
        """
        Dimension name → weight.
        """
        return {d.name: w for d, w in zip(self.dimensions, self._weights, strict=True)}

    @property
    def names(self) -> tuple[str, ...]:
        """
        The dimensions' names, in order.
        """
        return tuple(d.name for d in self.dimensions)

    def score(self, inputs: HealthInputs) -> list[HealthScore]:
        """
        Score every record of *inputs*, columns at a time.

        Raises:
            QualityError: *inputs* is not a `HealthInputs`, or a dimension returned
                measures of the wrong length or outside 0-1.
        """
        if not isinstance(inputs, HealthInputs):
            raise QualityError(
                f"score takes HealthInputs, got {shorten(inputs)}", parameter="inputs"
            )
        n = len(inputs.records)
        measured = [self._checked(d, d.measure(inputs), n) for d in self.dimensions]
        return self._scores(
            [r.id for r in inputs.records],
            np.column_stack([m.values for m in measured]) if n else np.zeros((0, 0)),
            list(zip(*(m.details for m in measured), strict=True)),
            inputs.now,
        )

    def rescore(
        self, scores: Sequence[HealthScore], *, now: dt.datetime
    ) -> tuple[list[HealthScore], list[str]]:
        """
        Score again with this model's weights, from the measures *scores* keep.

        Dimensions that can refresh their measure from their detail (freshness) are
        measured again at *now*; the rest keep theirs. A score made with other dimensions
        (or other versions of them) cannot be re-weighed: its record id is returned
        among the stale, to be scored from the record.

        Returns:
            The new scores, and the record ids of the scores that are stale.
        """
        key = tuple((d.name, d.version) for d in self.dimensions)
        same: list[HealthScore] = []
        stale: list[str] = []
        for s in scores:
            if tuple(zip(s.names, s.versions, strict=True)) == key:
                same.append(s)
            else:
                stale.append(s.record_id)
        if not same:
            return [], stale
        measures = np.array([s.measures for s in same], dtype=float)  # None: NaN
        columns: list[Sequence[Mapping[str, JSONValue]]] = list(
            zip(*(s.details for s in same), strict=True)
        )
        for j, dim in enumerate(self.dimensions):
            refresh = getattr(dim, "refresh", None)
            if refresh is None:
                continue
            got = self._checked(dim, refresh(columns[j], now), len(same))
            measures[:, j] = got.values
            columns[j] = got.details
        details = list(zip(*columns, strict=True))
        return self._scores([s.record_id for s in same], measures, details, now), stale

    def _scores(
        self,
        ids: Sequence[str],
        measures: npt.NDArray[np.float64],
        details: Sequence[tuple[Mapping[str, JSONValue], ...]],
        now: dt.datetime,
    ) -> list[HealthScore]:
        if not ids:
            return []
        totals, points = apportion(measures, np.asarray(self._weights, dtype=float))
        with collector_paused():  # many small objects, no cycles
            return scores_of(
                ids,
                totals.tolist(),
                self.names,
                tuple(d.version for d in self.dimensions),
                self._weights,
                _with_none(measures).tolist(),
                points.tolist(),
                details,
                self.fingerprint,
                now,
            )

    @staticmethod
    def _checked(dim: HealthDimension, got: object, n: int) -> Measured:
        if not isinstance(got, Measured):
            raise QualityError(
                f"dimension {dim.name!r} must return Measured, got {shorten(got)}",
                parameter="dimensions",
            )
        values = np.asarray(got.values, dtype=float)
        if values.shape != (n,) or len(got.details) != n:
            raise QualityError(
                f"dimension {dim.name!r} measured {values.shape} values and "
                f"{len(got.details)} details for {n} records",
                parameter="dimensions",
            )
        known = values[~np.isnan(values)]
        if known.size and (known.min() < 0.0 or known.max() > 1.0):
            raise QualityError(
                f"dimension {dim.name!r} measured values outside 0-1 (from {known.min():g} "
                f"to {known.max():g})",
                parameter="dimensions",
            )
        return Measured(values, got.details)
