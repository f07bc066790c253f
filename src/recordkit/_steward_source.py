"""
What `Steward.capture_many` reads: rows, a table, or a delimited file, in chunks.

A table (a pandas or polars DataFrame, an Arrow table) is read a chunk at a time, column
by column, its missing cells blank (`recordkit._frames`); each chunk becomes the rows the
batch keeps when it quarantines one.

A file's rows reach the batch in two forms: as the rules read them (the fields) and as
given, which a quarantined row keeps (the fields, kept extra columns and the line). A row
of a file that cannot be read stays in its place as a `recordkit.sources.UnreadableRow`,
and is quarantined as ``row.unreadable``, so row numbers stay aligned with the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice

from recordkit._errors import RecordkitError
from recordkit._frames import frame_chunks, frame_kind
from recordkit._steward_rows import QuarantinedRow, keepable
from recordkit.engines import chunks
from recordkit.rules import Issue
from recordkit.schema import Schema
from recordkit.sources import CsvRow, CsvSource, UnreadableRow

__all__ = ["pieces", "unreadable_row"]


def pieces(
    rows: object, size: int, fields: tuple[str, ...] | Schema
) -> Iterator[tuple[Sequence[object], Sequence[object] | None]]:
    """
    A batch in chunks: each row as given (kept when quarantined), and as read.

    What the rules read differs from the row as given for a file only (``None`` otherwise).
    Given the `Schema` rather than its field names, a table's numbers reach its fields as
    their types take them (a phone column of numbers as their text).

    Raises:
        RecordkitError: *rows* are not rows, a table or a file (at once).
    """
    kinds = {f.name: f.type.kind for f in fields.fields} if isinstance(fields, Schema) else {}
    names = fields.field_names if isinstance(fields, Schema) else fields
    if isinstance(rows, str | os.PathLike) or (hasattr(rows, "read") and hasattr(rows, "readline")):
        rows = CsvSource(rows)  # type: ignore[arg-type]  # a file object, checked there
    if isinstance(rows, CsvSource):
        return _file_pieces(rows.rows(fields=names), size)
    if frame_kind(rows) is not None:
        tables = frame_chunks(rows, size, kinds=kinds)
        return ((_transposed(c, n), None) for c, n in tables if n)
    if isinstance(rows, Mapping | bytes) or not isinstance(rows, Iterable):
        raise RecordkitError(
            "capture_many takes rows (mappings), a DataFrame, an Arrow table or a CSV path "
            f"or file, got {type(rows).__name__}"
        )
    return ((chunk, None) for chunk in chunks(rows, size))


def _file_pieces(
    rows: Iterator[CsvRow | UnreadableRow], size: int
) -> Iterator[tuple[Sequence[object], Sequence[object]]]:
    while chunk := list(islice(rows, size)):
        given = [r.as_given() for r in chunk]
        yield given, [r.values if type(r) is CsvRow else r for r in chunk]


def _transposed(columns: Mapping[str, list[object]], length: int) -> list[dict[str, object]]:
    """
    A chunk of a table as rows (a blank cell is ``None``).
    """
    names = list(columns)
    if not names:
        return [{} for _ in range(length)]
    return [dict(zip(names, cells, strict=True)) for cells in zip(*columns.values(), strict=True)]


def unreadable_row(row: int, bad: UnreadableRow) -> QuarantinedRow:
    """
    A row of a file that could not be read, quarantined with its raw bytes or cells.
    """
    issue = Issue(
        field=None,
        rule="recordkit",
        code="row.unreadable",
        message=f"cannot read the row: {bad.message}",
        value=bad.raw,
        hint=bad.hint,
        row=row,
    )
    return QuarantinedRow(row, keepable(bad.as_given()), (issue,), (issue,))
