"""
Columnar chunks and the pure batch steps over them.

A batch moves through recordkit as `Columns`: one list per field, not one object per row.
Each step is a pure function of one chunk (and plain-data parameters), so the same step can
run in-process, inside DuckDB or in Spark's ``mapInArrow``. Work is shared across the rows of
a chunk: an expensive conversion runs once per distinct value, not once per cell.
"""

from __future__ import annotations

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

    .. versionadded:: 0.1.0
    """

    data: dict[str, list[Any]]
    length: int

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> Columns:
        """
        Transpose *rows* into columns; a key missing from a row is ``None`` there.

        Raises:
            RecordkitError: a row is not a mapping, or has a key that is not text.
        """
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
        """
        return {name: column[index] for name, column in self.data.items()}


def chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    """
    Split *rows* into lists of at most *size* rows, reading lazily.
    """
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
