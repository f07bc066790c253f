"""
Columnar chunks and the pure batch steps over them.

A batch moves through recordkit as `Columns`: one list per field, not one object per row.
Each step is a pure function of one chunk (and plain-data parameters), so the same step can
run in-process, inside DuckDB or in Spark's ``mapInArrow``. Work is shared across the rows of
a chunk: an expensive conversion runs once per distinct value, not once per cell.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

import attrs

from recordkit._errors import CoercionError, RecordkitError, shorten
from recordkit.schema import Schema
from recordkit.schema._schema import close_matches

__all__ = ["CellError", "Columns", "chunks", "coerce_columns"]


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


@attrs.frozen
class CellError:
    """
    One cell a batch step could not process: its row, its field and why.

    .. versionadded:: 0.1.0
    """

    row: int
    field: str
    reason: str
    value: Any = None

    def __str__(self) -> str:
        return f"row {self.row}, field {self.field!r}: {self.reason}"


_UNSET = object()


def _memo_key(raw: object) -> Hashable | None:
    """
    A cache key that tells ``1`` from ``True`` and ``"1"``; ``None`` if unhashable.
    """
    try:
        hash(raw)
    except TypeError:
        return None
    return (type(raw), raw)


def coerce_columns(
    schema: Schema, columns: Columns
) -> tuple[dict[str, list[Any]], list[CellError]]:
    """
    Coerce every column of *columns* to its field type, once per distinct value.

    Returns the coerced columns (``None`` where a cell failed) and the failed cells. Columns
    that name no field of *schema* are reported cell by cell, never dropped silently.
    """
    out: dict[str, list[Any]] = {}
    errors: list[CellError] = []
    for name, column in columns.data.items():
        if name not in schema:
            hint = close_matches(name, schema.field_names)
            reason = f"unknown field {shorten(name)}" + (
                f" (did you mean {hint[0]!r}?)" if hint else ""
            )
            errors.extend(
                CellError(i, name, reason, v) for i, v in enumerate(column) if v is not None
            )
            continue
        field = schema.field(name)
        memo: dict[Hashable, Any] = {}
        values: list[Any] = []
        for i, raw in enumerate(column):
            key = _memo_key(raw)
            result = memo.get(key, _UNSET) if key is not None else _UNSET
            if result is _UNSET:
                try:
                    result = field.coerce(raw)
                except CoercionError as exc:
                    result = exc
                if key is not None:
                    memo[key] = result
            if isinstance(result, CoercionError):
                errors.append(CellError(i, name, result.reason, raw))
                values.append(None)
            else:
                values.append(result)
        out[name] = values
    return out, errors


def chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    """
    Split *rows* into lists of at most *size* rows, reading lazily.
    """
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk
