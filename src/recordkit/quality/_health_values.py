"""
Checked conversions for what a health dimension measures (`Measured`'s parts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from recordkit._errors import shorten
from recordkit.quality._errors import QualityError
from recordkit.schema import JSONValue

__all__ = ["details_of", "measures_of"]


def measures_of(values: Iterable[float]) -> npt.NDArray[np.float64]:
    try:
        if isinstance(values, np.ndarray | Sequence) and not isinstance(values, str | bytes):
            out = np.asarray(values, dtype=float)
        elif isinstance(values, Iterable) and not isinstance(values, str | bytes | Mapping):
            out = np.fromiter(values, dtype=float)
        else:
            raise TypeError(type(values).__name__)
    except (TypeError, ValueError, OverflowError):
        raise QualityError(
            f"Measured.values must be numbers, got {shorten(values)}", parameter="values"
        ) from None
    if out.ndim != 1:
        raise QualityError("Measured.values must be a flat list of numbers", parameter="values")
    return out


def details_of(details: object) -> tuple[Mapping[str, JSONValue], ...]:
    if (
        not isinstance(details, Sequence)
        or isinstance(details, str | bytes)
        or not all(type(d) is dict or isinstance(d, Mapping) for d in details)
    ):
        raise QualityError(
            f"Measured.details must be a list of mappings, got {shorten(details)}",
            parameter="details",
        )
    return tuple(details)
