"""
Plain values for a report: capped text, checked counts, JSON-safe numbers.

Every text a report holds (field names, values, messages, ids) passes through `text`, so a
1 MB value costs a report a few hundred characters, whatever the data.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Final

from recordkit._errors import shorten
from recordkit.report._errors import ReportError

__all__ = ["TEXT_LIMIT", "count_option", "number", "text"]

TEXT_LIMIT: Final = 120
"""The most characters of one value, name or message a report keeps."""


def text(value: object, limit: int = TEXT_LIMIT) -> str:
    """
    *value* as display text, cut at *limit* characters (with ``…``), never raising.

    Dates read as ISO 8601; text a browser could not show (lone surrogates) as its escapes.
    """
    if isinstance(value, dt.date):
        shown = value.isoformat()
    elif isinstance(value, str):
        shown = value
    else:
        try:
            shown = str(value)
        except Exception:  # a hostile __str__ must not stop a report
            shown = f"<unprintable {type(value).__name__}>"
    if len(shown) > limit:
        shown = f"{shown[: limit - 1]}…"
    try:
        shown.encode("utf-8")
    except UnicodeEncodeError:
        shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
    return shown


def number(value: float | None) -> float | None:
    """
    *value* as JSON can hold it: ``None`` for ``None``, NaN and infinities.
    """
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def count_option(value: object, name: str, *, low: int, high: int) -> int:
    """
    The option *name* checked: a whole number from *low* to *high*.

    Raises:
        ReportError: it is not.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ReportError(
            f"{name} must be a whole number from {low} to {high}, got {shorten(value)}",
            parameter=name,
        )
    return value
