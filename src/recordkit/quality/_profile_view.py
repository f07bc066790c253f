"""
A `Profile` as a table (one row per field) and as people see it in a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from recordkit._notebook import cell, html_block, html_table
from recordkit.quality._field import FieldProfile

__all__ = ["PROFILE_COLUMNS", "profile_columns", "profile_html", "top_text"]

PROFILE_COLUMNS: Final = (
    "field", "rows", "filled", "fill_rate", "distinct", "invalid", "invalid_rate",
    "top_values", "top_shapes", "kind", "minimum", "median", "maximum",
)  # fmt: skip


def top_text(pairs: Sequence[tuple[str, int]]) -> str:
    """
    ``value (count)`` pairs joined by ``; `` (values cut at 40 characters).
    """
    return "; ".join(f"{cell(v, 40)} ({n:,})" for v, n in pairs)


def profile_columns(fields: Sequence[FieldProfile]) -> dict[str, list[object]]:
    """
    One row per field: the counts, rates, top values and shapes, and the quantiles.
    """
    out: dict[str, list[object]] = {n: [] for n in PROFILE_COLUMNS}
    for f in fields:
        low = mid = high = None
        found = f.quantiles((0.0, 0.5, 1.0))
        if found:
            low, mid, high = found
        tops = (top_text(f.top_values(5)), top_text(f.top_shapes(3)))
        row = (f.name, f.rows, f.filled, f.fill_rate, f.distinct, f.invalid, f.invalid_rate,
               *tops, f.kind, low, mid, high)  # fmt: skip
        for name, value in zip(PROFILE_COLUMNS, row, strict=True):
            out[name].append(value)
    return out


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def profile_html(
    rows: int,
    fields: Sequence[FieldProfile],
    facts: Sequence[tuple[str, float | None]],
) -> str:
    """
    The profile's counts and rates, and a table of its fields (a few rows, then a count).
    """
    shown = [("rows", f"{rows:,}"), ("fields", f"{len(fields):,}")]
    shown += [(name, _rate(value)) for name, value in facts if value is not None]
    table = html_table(
        ("field", "fill rate", "distinct", "invalid", "top values", "top shapes"),
        (
            (f.name, _rate(f.fill_rate), f"{f.distinct:,}", _rate(f.invalid_rate),
             top_text(f.top_values(3)), top_text(f.top_shapes(2)))
            for f in fields
        ),
        total=len(fields),
    )  # fmt: skip
    return html_block("Profile", shown, table)
