"""
A record's health score and its breakdown by dimension: plain values, kept by stores.

A `HealthScore` holds, per dimension of the `HealthModel` that made it, the measure
(0-1, or ``None`` where the dimension does not apply), the weight and the whole points it
earned; the points add up to the score exactly. Its ``detail`` says why: the fields
missing, the issues found (each ``rule@version``), the last time the record was seen, the
open duplicate flags, the consent purposes with no decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from recordkit._errors import shorten
from recordkit._notebook import html_block, html_table
from recordkit.quality._errors import QualityError
from recordkit.schema import JSONObject, JSONValue

__all__ = ["DimensionScore", "HealthScore"]


@attrs.frozen
class DimensionScore:
    """
    One dimension of a record's health: its measure, weight and points, and why.

    Attributes:
        name: the dimension (``completeness``, ``validity``…).
        version: the dimension's version (a new version measures differently).
        weight: the weight the model gives it (before the dimensions that do not apply
            are left out and the rest share the 100 points).
        measure: how healthy the record is on this dimension, from 0 to 1; ``None`` when
            the dimension does not apply to the record (it then earns and costs nothing).
        points: the whole points it contributes to the score.
        detail: why, as plain data.

    .. versionadded:: 0.2.0
    """

    name: str
    version: int
    weight: float
    measure: float | None
    points: int
    detail: Mapping[str, JSONValue]

    def to_dict(self) -> JSONObject:
        """
        The dimension's score as plain data.
        """
        return {
            "name": self.name,
            "version": self.version,
            "weight": self.weight,
            "measure": self.measure,
            "points": self.points,
            "detail": dict(self.detail),
        }


@attrs.frozen(repr=False)
class HealthScore:
    """
    A record's health, 0-100, with its breakdown by dimension.

    The points of the dimensions add up to ``score`` exactly. Stores keep one per record,
    written in the transaction that writes the record. The breakdown is kept as columns
    (``names``, ``measures``, ``points``…, one entry per dimension of the model);
    `dimensions` reads it as `DimensionScore` values.

    Attributes:
        record_id: the record scored.
        score: 0 (nothing right) to 100 (complete, valid, fresh, unique, consented).
        model: the fingerprint of the `HealthModel` that scored it.
        at: when it was scored (UTC).
        names: the dimensions' names.
        versions: their versions.
        weights: the weights the model gives them.
        measures: their measures, 0-1 (``None``: does not apply to the record).
        points: the whole points each contributes; they add up to ``score``.
        details: why, per dimension, as plain data.

    .. versionadded:: 0.2.0
    """

    record_id: str
    score: int
    model: str
    at: dt.datetime
    names: tuple[str, ...]
    versions: tuple[int, ...]
    weights: tuple[float, ...]
    measures: tuple[float | None, ...]
    points: tuple[int, ...]
    details: tuple[Mapping[str, JSONValue], ...]

    def __repr__(self) -> str:
        parts = " ".join(f"{n}={p}" for n, p in zip(self.names, self.points, strict=True))
        return f"HealthScore({self.record_id!r}, {self.score}: {parts})"

    def _repr_html_(self) -> str:
        rows = [
            (d.name, d.points, d.weight, "" if d.measure is None else f"{d.measure:.2f}")
            for d in self.dimensions
        ]
        table = html_table(("dimension", "points", "weight", "measure"), rows, limit=len(rows))
        facts = [("record", self.record_id), ("score", f"{self.score}/100")]
        return html_block("Record health", facts, table)

    @property
    def dimensions(self) -> tuple[DimensionScore, ...]:
        """
        The breakdown, one `DimensionScore` per dimension.
        """
        return tuple(
            DimensionScore(*row)
            for row in zip(
                self.names,
                self.versions,
                self.weights,
                self.measures,
                self.points,
                self.details,
                strict=True,
            )
        )

    def dimension(self, name: str) -> DimensionScore:
        """
        The score of dimension *name*.

        Raises:
            QualityError: the score has no such dimension.
        """
        for d in self.dimensions:
            if d.name == name:
                return d
        known = ", ".join(self.names)
        raise QualityError(
            f"the health score has no dimension {shorten(name)}; it has {known}",
            parameter="name",
        )

    def to_dict(self) -> JSONObject:
        """
        The score as plain data (`from_dict` reads it back).
        """
        return {
            "record_id": self.record_id,
            "score": self.score,
            "model": self.model,
            "at": self.at.isoformat(),
            "dimensions": [d.to_dict() for d in self.dimensions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> HealthScore:
        """
        Read a score from `to_dict` output.

        Raises:
            QualityError: *data* is not a health score's plain data, or its points do not
                add up to its score.
        """
        plain: Any = data
        try:
            dims = [
                (
                    str(d["name"]),
                    int(d["version"]),
                    float(d["weight"]),
                    None if d["measure"] is None else float(d["measure"]),
                    int(d["points"]),
                    dict(d["detail"]),
                )
                for d in plain["dimensions"]
            ]
            at = dt.datetime.fromisoformat(str(plain["at"]))
            cols: list[tuple[Any, ...]] = (
                [tuple(c) for c in zip(*dims, strict=True)] if dims else [()] * 6
            )
            score = cls(
                str(plain["record_id"]), int(plain["score"]), str(plain["model"]), at, *cols
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise QualityError(
                f"not a health score's plain data: {type(exc).__name__}: {shorten(exc, 200)}",
                parameter="data",
            ) from None
        if sum(score.points) != score.score:
            raise QualityError("a health score's points must add up to its score", parameter="data")
        return score


def scores_of(
    record_ids: Sequence[str],
    totals: Sequence[int],
    names: tuple[str, ...],
    versions: tuple[int, ...],
    weights: tuple[float, ...],
    measures: Sequence[Sequence[float | None]],
    points: Sequence[Sequence[int]],
    details: Sequence[tuple[Mapping[str, JSONValue], ...]],
    model: str,
    at: dt.datetime,
) -> list[HealthScore]:
    """
    Make scores from columns: row *i* of *measures*, *points*, *details* is record *i*.

    A ``None`` measure: the dimension does not apply.
    """
    return [
        HealthScore(rid, total, model, at, names, versions, weights, tuple(ms), tuple(ps), ds)
        for rid, total, ms, ps, ds in zip(
            record_ids, totals, measures, points, details, strict=True
        )
    ]
