"""
A report's sections from the measures: the profile, health scores and variant clusters.

Each section is plain JSON data, capped: a profile of a thousand columns keeps its first
`max_fields`, a field its `top_values` most frequent values, a health section a histogram
and means (never the scores themselves).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np
import numpy.typing as npt

from recordkit._errors import shorten
from recordkit.quality import Profile, VariantCluster
from recordkit.report._errors import ReportError
from recordkit.report._plain import number, text
from recordkit.schema import JSONObject, JSONValue

__all__ = ["health_section", "profile_section", "variants_section"]

HEALTH_BINS: Final = 10
_MAX_DIMENSIONS: Final = 50
_MAX_MEMBERS: Final = 20
_MAX_VARIANT_FIELDS: Final = 100


def _pairs(found: Iterable[tuple[str, int]]) -> list[JSONValue]:
    return [[text(v), n] for v, n in found]


def profile_section(profile: object, *, max_fields: int, top_values: int) -> JSONObject:
    """
    The profile's figures: dataset rates, then per field fill, distinct, invalid, tops.
    """
    if not isinstance(profile, Profile):
        raise ReportError(
            f"profile must be a recordkit.quality.Profile, got {shorten(profile)}",
            parameter="profile",
        )
    fields: list[JSONValue] = []
    for f in profile.fields[:max_fields]:
        fields.append(
            {
                "name": text(f.name),
                "rows": f.rows,
                "filled": f.filled,
                "fill_rate": f.fill_rate,
                "distinct": f.distinct,
                "invalid": f.invalid,
                "invalid_rate": f.invalid_rate,
                "top_values": _pairs(f.top_values(top_values)),
                "top_shapes": _pairs(f.top_shapes(min(top_values, 5))),
            }
        )
    return {
        "rows": profile.rows,
        "rules": None if profile.rules is None else text(profile.rules),
        "completeness": profile.completeness,
        "validity": profile.validity,
        "duplicates": profile.duplicates,
        "duplicate_rate": profile.duplicate_rate,
        "field_count": len(profile.fields),
        "fields": fields,
    }


def _score(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ReportError(
            f"{where} must be a number from 0 to 100, got {shorten(value)}", parameter="health"
        )
    score = float(value)
    if not 0.0 <= score <= 100.0:  # NaN fails too
        raise ReportError(
            f"{where} must be a number from 0 to 100, got {shorten(value)}", parameter="health"
        )
    return score


def _scores(health: object) -> npt.NDArray[np.float64]:
    if isinstance(health, str | bytes | Mapping) or not isinstance(health, Iterable):
        raise ReportError(
            f"health must be an iterable of scores (0-100), got {shorten(health)}",
            parameter="health",
        )
    if isinstance(health, np.ndarray) and health.dtype.kind in "iuf" and health.ndim == 1:
        scores = health.astype(np.float64)
        if scores.size and not (np.all(scores >= 0.0) and np.all(scores <= 100.0)):
            raise ReportError("health scores must be numbers from 0 to 100", parameter="health")
        return scores
    return np.fromiter(
        (_score(v, f"health score {i}") for i, v in enumerate(health)), dtype=np.float64
    )


def _dimensions(breakdowns: object) -> list[JSONValue]:
    if breakdowns is None:
        return []
    if isinstance(breakdowns, str | bytes | Mapping) or not isinstance(breakdowns, Iterable):
        raise ReportError(
            f"health_breakdowns must be an iterable of mappings (dimension → "
            f"points), got {shorten(breakdowns)}",
            parameter="health_breakdowns",
        )
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for i, item in enumerate(breakdowns):
        if not isinstance(item, Mapping):
            raise ReportError(
                f"health breakdown {i} must be a mapping of dimension → points, "
                f"got {shorten(item)}",
                parameter="health_breakdowns",
            )
        for name, points in item.items():
            if not isinstance(name, str) or not name:
                raise ReportError(
                    f"health breakdown {i}: a dimension is named by text, got {shorten(name)}",
                    parameter="health_breakdowns",
                )
            if (
                isinstance(points, bool)
                or not isinstance(points, int | float)
                or not math.isfinite(points)
            ):
                raise ReportError(
                    f"health breakdown {i}: {shorten(name)} must be a number, got "
                    f"{shorten(points)}",
                    parameter="health_breakdowns",
                )
            if name not in sums and len(sums) >= _MAX_DIMENSIONS:
                continue
            sums[name] = sums.get(name, 0.0) + float(points)
            counts[name] = counts.get(name, 0) + 1
    return [{"name": text(n), "mean": sums[n] / counts[n], "count": counts[n]} for n in sums]


def health_section(health: object, breakdowns: object) -> JSONObject:
    """
    Health scores as a histogram of ten bins and their mean, spread and dimensions.
    """
    scores = _scores(health)
    dims = _dimensions(breakdowns)
    n = int(scores.size)
    # ten bins of ten points; a score of 100 falls in the last one
    edges = np.linspace(0.0, 100.0, HEALTH_BINS + 1)
    counts, _ = np.histogram(scores, bins=edges)
    bins: list[JSONValue] = [
        {"from": int(edges[i]), "to": int(edges[i + 1]), "count": int(counts[i])}
        for i in range(HEALTH_BINS)
    ]
    stats: dict[str, float | None] = dict.fromkeys(("mean", "min", "median", "max"))
    if n:
        stats = {
            "mean": number(float(scores.mean())),
            "min": number(float(scores.min())),
            "median": number(float(np.median(scores))),
            "max": number(float(scores.max())),
        }
    below = int(np.count_nonzero(scores < 60.0))
    return {"count": n, **stats, "below_60": below, "bins": bins, "dimensions": dims}


def _clusters(value: object, where: str) -> list[VariantCluster]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ReportError(
            f"{where} must be variant clusters, got {shorten(value)}", parameter="variants"
        )
    out = list(value)
    for c in out:
        if not isinstance(c, VariantCluster):
            raise ReportError(
                f"{where} must hold VariantClusters, got {shorten(c)}", parameter="variants"
            )
    return out


def variants_section(variants: object, *, sample_size: int) -> JSONObject:
    """
    Per field: how many clusters, rows and variant values; the largest clusters shown.
    """
    if isinstance(variants, Mapping):
        named: list[tuple[str, list[VariantCluster]]] = []
        for name, found in variants.items():
            if not isinstance(name, str) or not name:
                raise ReportError(
                    f"variants are keyed by field name, got {shorten(name)}", parameter="variants"
                )
            named.append((name, _clusters(found, f"variants[{shorten(name)}]")))
    else:
        named = [("values", _clusters(variants, "variants"))]
    fields: list[JSONValue] = []
    for name, found in named[:_MAX_VARIANT_FIELDS]:
        ordered = sorted(found, key=lambda c: (-c.count, -len(c.members), c.canonical))
        shown: list[JSONValue] = [
            {
                "canonical": text(c.canonical),
                "rows": c.count,
                "values": len(c.members),
                "members": _pairs(c.members[:_MAX_MEMBERS]),
            }
            for c in ordered[:sample_size]
        ]
        fields.append(
            {
                "field": text(name),
                "clusters": len(found),
                "rows": sum(c.count for c in found),
                "variants": sum(len(c.variants) for c in found),
                "shown": shown,
            }
        )
    return {"field_count": len(named), "fields": fields}
