"""
What `profile` reads: columns, rows, a table or a file, as chunks of columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from recordkit._errors import RecordkitError, shorten
from recordkit.quality._errors import QualityError
from recordkit.rules import chunks_of

__all__ = ["read_chunks"]


def read_chunks(data: object, size: int) -> Iterator[tuple[Mapping[str, Sequence[object]], int]]:
    """
    *data* in chunks of *size* rows: ``(column → values, rows)`` pairs.

    Raises:
        QualityError: *data* is not columns, rows, a table or a file.
    """
    if isinstance(data, Mapping):
        return _column_chunks(data, size)
    try:
        return chunks_of(data, size)
    except RecordkitError as exc:  # not rows, a frame or a file
        raise QualityError(str(exc), parameter="data") from None


def _column_chunks(
    data: Mapping[Any, Any], size: int
) -> Iterator[tuple[Mapping[str, Sequence[object]], int]]:
    lengths = set()
    for name, column in data.items():
        if not isinstance(name, str) or not name:
            raise QualityError(f"column names must be text, got {shorten(name)}",
                               parameter="data")  # fmt: skip
        if (
            isinstance(column, str | bytes)
            or not hasattr(column, "__len__")
            or not hasattr(column, "__getitem__")
        ):
            raise QualityError(f"column {name!r} must be a sequence of cells",
                               parameter="data")  # fmt: skip
        lengths.add(len(column))
    if len(lengths) > 1:
        raise QualityError(f"columns differ in length: {sorted(lengths)[:5]}", parameter="data")
    total = lengths.pop() if lengths else 0
    if not total:
        yield {n: [] for n in data}, 0
    for start in range(0, total, size):
        stop = min(start + size, total)
        yield {n: _cells(c, start, stop) for n, c in data.items()}, stop - start


def _cells(column: Any, start: int, stop: int) -> Sequence[object]:
    part = column[start:stop]
    if type(part) is list:
        return part
    tolist = getattr(part, "tolist", None)  # NumPy arrays, pandas and polars series
    return list(tolist() if callable(tolist) else part)
