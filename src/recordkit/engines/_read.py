"""
Reading a source a chunk at a time, as `recordkit.rules.run_batch` reads it.

A source is rows (mappings), a delimited file (a path, an open file or a
`recordkit.sources.CsvSource`, its columns matched to the schema's fields) or a table (a
pandas or polars DataFrame, an Arrow table). Each chunk is columns of Python values plus,
for a file, each row as given and the rows that could not be read, so every row keeps its
number and a quarantined row keeps what it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any, cast

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._frames import frame_chunks, frame_kind
from recordkit.rules import Issue
from recordkit.schema import Schema
from recordkit.sources import CsvRow, CsvSource, UnreadableRow

__all__ = ["Chunk", "read_chunks", "unreadable_issue"]


@attrs.frozen
class Chunk:
    """
    Rows *offset* to *offset + length* of a source, column by column.

    ``given`` holds each row of a file as read (what its quarantine keeps, made only for
    the rows quarantined); ``unreadable`` the rows of a file that could not be read, by
    position in the chunk.
    """

    columns: dict[str, list[Any]]
    length: int
    offset: int
    given: list[CsvRow | UnreadableRow] | None = None
    unreadable: dict[int, UnreadableRow] = attrs.field(factory=dict)

    def pieces(self) -> Iterator[tuple[int, int]]:
        """
        The readable stretches ``(start, stop)`` and unreadable rows ``(row, -1)``, in order.
        """
        start = 0
        for bad in sorted(self.unreadable):
            if bad > start:
                yield start, bad
            yield bad, -1
            start = bad + 1
        if start < self.length:
            yield start, self.length

    def raw(self, i: int) -> dict[str, object]:
        """
        Row *i* of the chunk as given.
        """
        if self.given is not None:
            return self.given[i].as_given()
        return {n: column[i] for n, column in self.columns.items()}


def read_chunks(source: object, size: int, schema: Schema) -> Iterator[Chunk]:
    """
    *source* in chunks of *size* rows, for the fields of *schema*.

    Raises:
        RecordkitError: the source is none of the kinds read, or a row is not a mapping
            with text keys (when that chunk is read).
        recordkit.sources.SourceError: a file cannot be read as a table.
    """
    if isinstance(source, str | os.PathLike) or (
        hasattr(source, "read") and hasattr(source, "readline")
    ):
        source = CsvSource(cast("str", source))
    if isinstance(source, CsvSource):
        return _file_chunks(source.rows(fields=schema.field_names), size)
    if frame_kind(source) is not None:
        kinds = {f.name: f.type.kind for f in schema.fields}
        return _numbered(frame_chunks(source, size, kinds=kinds))
    if isinstance(source, Mapping | bytes) or not isinstance(source, Iterable):
        raise RecordkitError(
            "a batch is an iterable of rows (mappings), a CSV path or file, a DataFrame or "
            f"an Arrow table; got {type(source).__name__}"
        )
    return _row_chunks(iter(source), size)


def _numbered(tables: Iterator[tuple[dict[str, list[object]], int]]) -> Iterator[Chunk]:
    offset = 0
    for columns, length in tables:
        if length:
            yield Chunk(columns, length, offset)
        offset += length


def _row_chunks(rows: Iterator[object], size: int) -> Iterator[Chunk]:
    offset = 0
    while chunk := list(islice(rows, size)):
        names: dict[object, None] = {}
        for i, row in enumerate(chunk):
            if not isinstance(row, Mapping):
                raise RecordkitError(
                    f"row {offset + i}: expected a mapping, got {type(row).__name__}"
                )
            names.update(dict.fromkeys(row))
        for key in names:
            if not isinstance(key, str):
                raise RecordkitError(
                    f"row {offset}..{offset + len(chunk) - 1}: column names must be text, "
                    f"got {shorten(key)}"
                )
        maps = cast("list[Mapping[str, object]]", chunk)
        yield Chunk({str(n): [row.get(str(n)) for row in maps] for n in names}, len(chunk), offset)
        offset += len(chunk)


def _file_chunks(rows: Iterator[CsvRow | UnreadableRow], size: int) -> Iterator[Chunk]:
    offset = 0
    while chunk := list(islice(rows, size)):
        unreadable = {i: r for i, r in enumerate(chunk) if type(r) is UnreadableRow}
        read = [r for r in chunk if type(r) is CsvRow]
        names = list(read[0].values) if read else []
        empty: dict[str, str] = {}
        values = [r.values if type(r) is CsvRow else empty for r in chunk]
        columns: dict[str, list[Any]] = {n: [v.get(n) for v in values] for n in names}
        yield Chunk(columns, len(chunk), offset, chunk, unreadable)
        offset += len(chunk)


def unreadable_issue(bad: UnreadableRow, row: int) -> Issue:
    """
    The issue of a row of a file that could not be read (``row.unreadable``).
    """
    return Issue(
        field=None,
        rule="recordkit",
        code="row.unreadable",
        message=f"cannot read the row: {bad.message}",
        value=bad.raw,
        hint=bad.hint,
        row=row,
    )
