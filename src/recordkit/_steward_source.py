"""
What `Steward.capture_many` reads: rows, a DataFrame, or a delimited file, in chunks.

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
from recordkit._steward_rows import QuarantinedRow, keepable
from recordkit.engines import chunks
from recordkit.rules import Issue, chunks_of
from recordkit.sources import CsvRow, CsvSource, UnreadableRow

__all__ = ["pieces", "unreadable_row"]


def pieces(
    rows: object, size: int, fields: tuple[str, ...]
) -> Iterator[tuple[Sequence[object], Sequence[object] | None]]:
    """
    A batch in chunks: each row as given (kept when quarantined), and as read.

    What the rules read differs from the row as given for a file only (``None`` otherwise).

    Raises:
        RecordkitError: *rows* are not rows, a DataFrame or a file (at once).
    """
    if isinstance(rows, str | os.PathLike) or (hasattr(rows, "read") and hasattr(rows, "readline")):
        rows = CsvSource(rows)  # type: ignore[arg-type]  # a file object, checked there
    if isinstance(rows, CsvSource):
        return _file_pieces(rows.rows(fields=fields), size)
    if type(rows).__module__.split(".", 1)[0] in ("pandas", "polars"):
        return ((_transposed(c, n), None) for c, n in chunks_of(rows, size))
    if isinstance(rows, Mapping | bytes) or not isinstance(rows, Iterable):
        raise RecordkitError(
            "capture_many takes rows (mappings), a DataFrame or a CSV path or file, "
            f"got {type(rows).__name__}"
        )
    return ((chunk, None) for chunk in chunks(rows, size))


def _file_pieces(
    rows: Iterator[CsvRow | UnreadableRow], size: int
) -> Iterator[tuple[Sequence[object], Sequence[object]]]:
    while chunk := list(islice(rows, size)):
        given = [r.as_given() for r in chunk]
        yield given, [r.values if type(r) is CsvRow else r for r in chunk]


def _transposed(columns: Mapping[str, list[object]], length: int) -> list[dict[str, object]]:
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
