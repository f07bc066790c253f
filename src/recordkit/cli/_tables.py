"""
What the commands read: a schema by name or file, and a table file (CSV or Parquet) in chunks.

Rows are read lazily, one chunk at a time, so memory stays bounded whatever the file size.
A row that cannot be read is handed on as a `Reject` (its line, why, and the text read), so
it reaches the rejects file and the counts instead of being lost.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Literal

import attrs

from recordkit._errors import RecordkitError
from recordkit.schema import Schema, bundled_catalog, bundled_schema, load_schema
from recordkit.sources import CsvRow, CsvSource, UnreadableRow

__all__ = ["Chunk", "InputError", "Reject", "Table", "open_table", "read_schema"]

Unknown = Literal["error", "ignore", "keep"]
"""What to do with columns the schema does not have (see `recordkit.sources.CsvSource`)."""


class InputError(RecordkitError, ValueError):
    """
    A command's input or output cannot be used: the command stops with exit status 2.
    """


@attrs.frozen
class Reject:
    """
    A row that did not make it: where it was, why, and what it held.
    """

    line: int
    reasons: tuple[str, ...]
    given: dict[str, object]


@attrs.frozen
class Chunk:
    """
    Rows read together: the readable ones with their lines, and the unreadable ones.
    """

    rows: list[dict[str, object]]
    lines: list[int]
    unreadable: list[Reject]
    extras: list[dict[str, str]] | None = None


def read_schema(name: str) -> Schema:
    """
    The schema named *name*: a bundled one (``contact``, ``company``, ``deal``) or a YAML file.
    """
    bundled = bundled_catalog().names
    if name in bundled:
        return bundled_schema(name)
    path = Path(name)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
        if not path.is_file():
            raise InputError(f"schema file {name} does not exist")
        return load_schema(path)
    known = ", ".join(bundled)
    raise InputError(f"no bundled schema {name!r} (bundled: {known}); or give a YAML file")


@attrs.define
class Table:
    """
    A table file opened for reading in chunks.
    """

    path: Path
    kind: Literal["csv", "parquet"]
    size: int
    chunks: Callable[[int], Iterator[Chunk]]
    describe: Callable[[], str]


def open_table(
    path: Path,
    schema: Schema,
    *,
    unknown: Unknown = "error",
    columns: dict[str, str | None] | None = None,
    wrap: Callable[[IO[bytes], int], IO[bytes]] | None = None,
) -> Table:
    """
    Open *path* (CSV or Parquet, by its suffix) to be read as rows of *schema*.

    Args:
        path: the file.
        schema: its columns are matched to this schema's fields.
        unknown: columns the schema does not have: refused (``error``), ignored, or kept.
        columns: renames, header → field (``None`` drops the column).
        wrap: wraps the open file (a progress bar reading along), given the file size.

    Raises:
        InputError: the file does not exist, is not a regular file, or is empty.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    size = path.stat().st_size
    if path.suffix.lower() in (".parquet", ".pq"):
        return _parquet(path, schema, size, unknown, columns or {}, wrap)
    return _csv(path, schema, size, unknown, columns, wrap)


def _csv(
    path: Path,
    schema: Schema,
    size: int,
    unknown: Unknown,
    columns: dict[str, str | None] | None,
    wrap: Callable[[IO[bytes], int], IO[bytes]] | None,
) -> Table:
    sources: list[CsvSource] = []

    def chunks(size_: int) -> Iterator[Chunk]:
        with open(path, "rb") as raw:
            file: IO[bytes] = wrap(raw, size) if wrap is not None else raw
            source = CsvSource(file, columns=columns, unknown=unknown)
            sources.append(source)
            rows = source.rows(fields=schema.field_names)
            while batch := list(islice(rows, size_)):
                yield _chunk(batch)

    def describe() -> str:
        if not sources or sources[-1].layout is None:
            return str(path)
        layout = sources[-1].layout
        return (
            f"{path} ({layout.encoding or 'utf-8'} {layout.encoding_from}, "
            f"delimiter {layout.delimiter!r})"
        )

    return Table(path, "csv", size, chunks, describe)


def _chunk(batch: list[CsvRow | UnreadableRow]) -> Chunk:
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    unreadable: list[Reject] = []
    extras: list[dict[str, str]] = []
    for row in batch:
        if type(row) is CsvRow:
            rows.append(dict(row.values))
            lines.append(row.line)
            extras.append(dict(row.extras))
        else:
            assert isinstance(row, UnreadableRow)
            where = f" (column {row.column})" if row.column else ""
            unreadable.append(
                Reject(row.line, (f"row.unreadable: {row.reason}{where}",), {"<raw>": row.raw})
            )
    return Chunk(rows, lines, unreadable, extras if any(extras) else None)


def _parquet(
    path: Path,
    schema: Schema,
    size: int,
    unknown: Unknown,
    renames: dict[str, str | None],
    wrap: Callable[[IO[bytes], int], IO[bytes]] | None,
) -> Table:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError as exc:
        raise InputError("reading Parquet needs pyarrow: pip install 'recordkit[arrow]'") from exc
    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except Exception as exc:  # pyarrow raises its own errors for a malformed file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    mapped = {n: renames.get(n, n) for n in names}
    strangers = [n for n, f in mapped.items() if f is not None and f not in schema]
    if strangers and unknown == "error":
        raise InputError(
            f"{path}: columns {', '.join(map(repr, strangers))} are not fields of schema "
            f"{schema.name!r} (pass --unknown ignore or keep, or rename with --column)"
        )

    def chunks(size_: int) -> Iterator[Chunk]:
        with open(path, "rb") as raw:
            file = wrap(raw, size) if wrap is not None else raw
            line = 0
            for batch in pq.ParquetFile(file).iter_batches(batch_size=size_):
                rows = []
                for given in batch.to_pylist():
                    row = {
                        mapped[k]: v
                        for k, v in given.items()
                        if mapped[k] is not None and mapped[k] in schema
                    }
                    rows.append(row)
                lines = list(range(line + 1, line + 1 + len(rows)))
                line += len(rows)
                yield Chunk(rows, lines, [])

    return Table(path, "parquet", size, chunks, lambda: f"{path} (Parquet)")


def is_parquet(path: Path) -> bool:
    """
    Whether *path* names a Parquet file (by its suffix).
    """
    return path.suffix.lower() in (".parquet", ".pq")


def writable(path: Path) -> Path:
    """
    *path*, checked to be a file that can be created or replaced.

    Raises:
        InputError: its folder does not exist or cannot be written, or it is a folder.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if not folder.is_dir():
        raise InputError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{path}: cannot be written (permission denied)")
    return path
