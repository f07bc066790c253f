"""
The mergeable sketches a profile keeps, from Apache DataSketches (the ``quality`` extra).

Each sketch is kept serialized (its portable DataSketches binary form) inside a
`FieldProfile`, so a profile is plain, comparable data; it is read back only to answer a
question or to merge. The stated errors:

- distinct counts: an HLL sketch with ``lg_k = 12`` (4,096 slots, HLL_8): exact up to a
  few hundred values, then a relative standard error of about 1.6 %, within 3.2 % at two
  standard deviations, merged or not (`distinct_error`);
- top values and top shapes: a frequent-items sketch of 1,024 slots; an item's count is
  exact while fewer distinct items than the map holds were seen, and otherwise off by at
  most ``epsilon * total weight`` (about 0.35 % of the rows);
- quantiles: a KLL sketch with ``k = 200``: the rank of a reported quantile is within
  about 1.33 % of the asked rank (normalized rank error, 99 % confidence).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from recordkit.quality._errors import QualityError, optional_module

__all__ = [
    "FREQUENT_LG_MAX_K",
    "HLL_LG_K",
    "KLL_K",
    "datasketches",
    "decode",
    "distinct_error",
    "encode",
    "frequent_error",
    "quantile_rank_error",
]

HLL_LG_K: Final = 12
FREQUENT_LG_MAX_K: Final = 10
KLL_K: Final = 200
_MAX_SKETCH: Final = 16 * 1024 * 1024


def datasketches() -> Any:
    """
    The ``datasketches`` module, or a `QualityError` naming the extra to install.
    """
    return optional_module("datasketches", "a data profile")


def encode(blob: bytes) -> str:
    """
    A serialized sketch as text for JSON (base64).
    """
    return base64.b64encode(blob).decode("ascii")


def decode(text: object, what: str) -> bytes:
    """
    The bytes of a serialized sketch given as base64 text, or a `QualityError`.
    """
    if not isinstance(text, str) or len(text) > _MAX_SKETCH:
        raise QualityError(f"{what} must be base64 text of a sketch", parameter=what)
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise QualityError(f"{what} is not base64 text", parameter=what) from None


def distinct_error() -> float:
    """
    The relative error bound of a distinct count at two standard deviations.
    """
    ds = datasketches()
    return abs(float(ds.hll_sketch.get_rel_err(True, True, HLL_LG_K, 2)))


def frequent_error() -> float:
    """
    The a priori error of a top-value count, as a share of the rows counted.
    """
    ds = datasketches()
    return float(ds.frequent_strings_sketch.get_epsilon_for_lg_size(FREQUENT_LG_MAX_K))


def quantile_rank_error() -> float:
    """
    The normalized rank error of a quantile (99 % confidence).
    """
    ds = datasketches()
    return float(ds.kll_doubles_sketch.get_normalized_rank_error(KLL_K, False))
