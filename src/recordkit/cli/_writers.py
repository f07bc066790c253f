"""
What the commands write: rows to CSV or Parquet, chunk by chunk, and the rejects file.

Values are written as their field type dumps them (dates as ISO text, money as text), so a
file written here reads back through the same schema to the same values.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol

from recordkit.cli._tables import InputError, Reject, is_parquet, writable
from recordkit.schema import Schema

__all__ = ["RejectsFile", "RowWriter", "open_rows", "shown"]


def shown(schema: Schema, name: str, value: object) -> str | None:
    """
    *value* of field *name* as text for a file (``None`` stays ``None``).
    """
    if value is None:
        return None
    if name in schema:
        dumped = schema.field(name).type.dump(value)
        return dumped if isinstance(dumped, str) else str(dumped)
    return str(value)


class RowWriter(Protocol):
    """
    Writes rows of fixed columns to a file, chunk by chunk.
    """

    def write(self, rows: Iterable[Mapping[str, object]]) -> None:
        """Append *rows*; their values are text or ``None``."""

    def close(self) -> None:
        """Finish the file."""


class _CsvWriter:
    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self._file: IO[str] = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.DictWriter(self._file, fieldnames=list(columns), extrasaction="ignore")
        self._writer.writeheader()

    def write(self, rows: Iterable[Mapping[str, object]]) -> None:
        self._writer.writerows(rows)

    def close(self) -> None:
        self._file.close()


class _ParquetWriter:
    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        try:
            import pyarrow as pa  # type: ignore[import-untyped]
            import pyarrow.parquet as pq  # type: ignore[import-untyped]
        except ImportError as exc:
            raise InputError(
                "writing Parquet needs pyarrow: pip install 'recordkit[arrow]'"
            ) from exc
        self._pa = pa
        self._columns = list(columns)
        self._schema = pa.schema([(c, pa.string()) for c in self._columns])
        self._writer = pq.ParquetWriter(path, self._schema)

    def write(self, rows: Iterable[Mapping[str, object]]) -> None:
        rows = list(rows)
        if not rows:
            return
        data = {
            c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in self._columns
        }
        self._writer.write_table(self._pa.table(data, schema=self._schema))

    def close(self) -> None:
        self._writer.close()


def open_rows(path: Path, columns: Sequence[str]) -> RowWriter:
    """
    A writer of rows with *columns* to *path*: Parquet for ``.parquet``, else CSV.

    Raises:
        InputError: the file cannot be written.
    """
    writable(path)
    try:
        return _ParquetWriter(path, columns) if is_parquet(path) else _CsvWriter(path, columns)
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror or exc})") from exc


class RejectsFile:
    """
    The rows that did not make it, as CSV: line, reasons, then the row as given.

    Opened on the first reject, so a run with none leaves no file behind; counted.
    """

    def __init__(self, path: Path | None, columns: Sequence[str]) -> None:
        self.path = writable(path) if path is not None else None
        self.count = 0
        self.unreadable = 0
        self._columns = ["line", "reasons", *columns, "<extra>", "<raw>"]
        self._writer: _CsvWriter | None = None

    def add(self, rejects: Iterable[Reject]) -> None:
        """
        Count *rejects* and write them (when a rejects file was asked for).
        """
        for reject in rejects:
            self.count += 1
            self.unreadable += "<raw>" in reject.given
            if self.path is None:
                continue
            if self._writer is None:
                self._writer = _CsvWriter(self.path, self._columns)
            row: dict[str, object] = {"line": reject.line, "reasons": "; ".join(reject.reasons)}
            extra = {}
            for key, value in reject.given.items():
                if value is None:
                    continue
                if key in self._columns:
                    row[key] = value
                else:
                    extra[key] = value
            if extra:
                row["<extra>"] = json.dumps(extra, ensure_ascii=False, default=str)
            self._writer.write([row])

    def close(self) -> None:
        """
        Finish the file.
        """
        if self._writer is not None:
            self._writer.close()

    def __enter__(self) -> RejectsFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
