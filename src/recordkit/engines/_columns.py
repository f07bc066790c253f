"""
Columnar chunks and the pure batch steps over them.

A batch moves through recordkit as `Columns`: one list per field, not one object per row.
Each step is a pure function of one chunk (and plain-data parameters), so the same step can
run in-process, inside DuckDB or in Spark's ``mapInArrow``. Work is shared across the rows of
a chunk: an expensive conversion runs once per distinct value, not once per cell.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import attrs

from recordkit._errors import RecordkitError, shorten

__all__ = ["Columns", "chunks"]


@attrs.frozen
class Columns:
    """
    A chunk of rows held column by column; every column has ``length`` cells.

    Raises:
        RecordkitError: *data* is not a mapping of column names (text) to lists of
            *length* cells, or *length* is not a whole number of rows.

    .. versionadded:: 0.1.0
    """

    data: dict[str, list[Any]]
    length: int

    def __attrs_post_init__(self) -> None:
        n = self.length
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise RecordkitError(f"length must be a whole number of rows, got {shorten(n)}")
        if not isinstance(self.data, Mapping):
            raise RecordkitError(f"data must map column names to lists, got {shorten(self.data)}")
        for name, column in self.data.items():
            if not isinstance(name, str):
                raise RecordkitError(f"column names must be text, got {shorten(name)}")
            if not isinstance(column, list) or len(column) != n:
                raise RecordkitError(
                    f"column {shorten(name)} must be a list of {n} cells, got {shorten(column)}"
                )

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> Columns:
        """
        Transpose *rows* into columns; a key missing from a row is ``None`` there.

        Raises:
            RecordkitError: *rows* is not a sequence, a row is not a mapping, or has a key
                that is not text.
        """
        if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Sequence):
            raise RecordkitError(f"rows must be a sequence of mappings, got {shorten(rows)}")
        names: dict[str, None] = {}
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise RecordkitError(f"row {i}: expected a mapping, got {type(row).__name__}")
            for key in row:
                if not isinstance(key, str):
                    raise RecordkitError(f"row {i}: column names must be text, got {shorten(key)}")
                names[key] = None
        data = {name: [row.get(name) for row in rows] for name in names}
        return cls(data, len(rows))

    @property
    def names(self) -> tuple[str, ...]:
        """
        The column names.
        """
        return tuple(self.data)

    def row(self, index: int) -> dict[str, Any]:
        """
        Row *index* as a mapping (for error reports and quarantine).

        Raises:
            RecordkitError: *index* is not the number of a row of this chunk.
        """
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.length:
            raise RecordkitError(
                f"index must be a row number from 0 to {self.length - 1}, got {shorten(index)}"
            )
        return {name: column[index] for name, column in self.data.items()}


def chunks(rows: Iterable[Mapping[str, object]], size: int) -> Iterator[list[Mapping[str, object]]]:
    """
    Split *rows* into lists of at most *size* rows, reading lazily.

    Raises:
        RecordkitError: *rows* is not iterable, or *size* is not a positive whole number
            (at once, not when the first chunk is read).
    """
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= sys.maxsize:
        raise RecordkitError(f"size must be a positive whole number, got {shorten(size)}")
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        raise RecordkitError(f"rows must be an iterable of mappings, got {shorten(rows)}")
    return _chunks(iter(rows), size)


def _chunks(iterator: Iterator[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    while chunk := list(islice(iterator, size)):
        yield chunk
