"""
The batch API: a rule set over many rows, from mappings, a CSV file or a DataFrame.

Rows are read lazily in chunks, turned into columns, and taken through `run_chunk` with one
memo for the whole run. Rows with errors go to the quarantine, with their issues; the
others come back normalized.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Hashable, Iterable, Iterator, Mapping
from itertools import compress, islice
from typing import Any, cast

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._gc import collector_paused
from recordkit.rules._chunk import DEFAULT_MEMO_SIZE, RuleStats, run_chunk
from recordkit.rules._issue import Issue, Severity, at_row
from recordkit.rules._plan import CompiledRules
from recordkit.rules._run_args import check_batch, csv_file

__all__ = ["BatchOutcome", "RowIssues", "RowSummary", "chunks_of", "run_batch"]


@attrs.frozen
class RowIssues:
    """
    A row held back because it has errors: as given, as normalized, and why.

    .. versionadded:: 0.1.0
    """

    row: int
    raw: Mapping[str, Any]
    values: Mapping[str, Any]
    issues: tuple[Issue, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """
        The error messages, one per failing check.
        """
        return tuple(str(i) for i in self.issues if i.severity is Severity.ERROR)


@attrs.frozen
class RowSummary:
    """
    One row of a batch in numbers: changes made and issues by severity.

    .. versionadded:: 0.1.0
    """

    row: int
    changes: int
    errors: int
    warnings: int
    infos: int


@attrs.frozen
class BatchOutcome:
    """
    What a rule set made of a batch.

    The rows that passed are held column by column (`columns`); `rows` gives them as
    mappings.

    Attributes:
        columns: field → the normalized values of the rows without errors (warnings do
            not hold a row back).
        row_numbers: the batch row number of each of those rows.
        quarantine: the rows with errors, with their issues.
        located: ``(row, issue)`` for every issue of every row (errors, warnings, infos);
            `issues` gives them with their row numbers.
        by_rule: rule id → what it changed and raised.
        changes: per batch row, how many values normalizers changed.

    .. versionadded:: 0.1.0
    """

    columns: dict[str, list[Any]]
    row_numbers: list[int]
    quarantine: list[RowIssues]
    located: list[tuple[int, Issue]]
    by_rule: dict[str, RuleStats]
    changes: list[int]

    @property
    def total(self) -> int:
        """
        Rows read.
        """
        return len(self.changes)

    @property
    def issues(self) -> list[Issue]:
        """
        Every issue of every row (errors, warnings, infos), with its row number.
        """
        return [at_row(issue, row) for row, issue in self.located]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """
        The normalized rows without errors, as mappings (built on each access).
        """
        names = tuple(self.columns)
        return [dict(zip(names, values, strict=True)) for values in
                zip(*self.columns.values(), strict=True)]  # fmt: skip

    def by_row(self) -> list[RowSummary]:
        """
        A summary of every row that was changed or has issues, in row order.
        """
        counts: dict[int, list[int]] = {}
        for i, n in enumerate(self.changes):
            if n:
                counts[i] = [n, 0, 0, 0]
        for row, issue in self.located:
            slot = counts.setdefault(row, [0, 0, 0, 0])
            slot[1 + (Severity.ERROR, Severity.WARNING, Severity.INFO).index(issue.severity)] += 1
        return [RowSummary(row, *c) for row, c in sorted(counts.items())]

    def summary(self) -> dict[str, int]:
        """
        Totals: rows read, passed, quarantined, changed; issues by severity.
        """
        return {
            "rows": self.total,
            "passed": len(self.row_numbers),
            "quarantined": len(self.quarantine),
            "changed_rows": sum(1 for n in self.changes if n),
            "changes": sum(self.changes),
            "errors": sum(s.errors for s in self.by_rule.values()),
            "warnings": sum(s.warnings for s in self.by_rule.values()),
            "infos": sum(s.infos for s in self.by_rule.values()),
        }


def _frame_chunks(frame: Any, size: int) -> Iterator[tuple[dict[str, list[Any]], int]] | None:
    module = type(frame).__module__.split(".", 1)[0]
    if module == "pandas" and hasattr(frame, "iloc"):
        for start in range(0, len(frame), size):
            part = frame.iloc[start : start + size]
            data = {str(k): [None if _is_nan(v) else v for v in col]
                    for k, col in part.to_dict("list").items()}  # fmt: skip
            yield data, len(part)
        return None
    if module == "polars" and hasattr(frame, "iter_slices"):
        for part in frame.iter_slices(n_rows=size):
            yield {str(k): list(v) for k, v in part.to_dict(as_series=False).items()}, part.height
        return None
    return None


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def _row_chunks(rows: Iterable[Any], size: int) -> Iterator[tuple[dict[str, list[Any]], int]]:
    iterator = iter(rows)
    offset = 0
    while chunk := list(islice(iterator, size)):
        names: dict[Any, None] = {}
        for i, row in enumerate(chunk):
            if type(row) is not dict and not isinstance(row, Mapping):
                raise RecordkitError(
                    f"row {offset + i}: expected a mapping, got {type(row).__name__}"
                )
            names.update(dict.fromkeys(row))
        for key in names:
            if not isinstance(key, str):
                i = next(i for i, row in enumerate(chunk) if key in row)
                raise RecordkitError(
                    f"row {offset + i}: column names must be text, got {shorten(key)}"
                )
        yield {n: [row.get(n) for row in chunk] for n in names}, len(chunk)
        offset += len(chunk)


def chunks_of(source: object, size: int) -> Iterator[tuple[dict[str, list[object]], int]]:
    """
    Read *source* as chunks of columns: ``(column → values, rows)`` pairs.

    *source* is an iterable of mappings, a path to a CSV file (read as UTF-8, with a
    header), an open text file of CSV, or a pandas or polars DataFrame.

    Raises:
        RecordkitError: the source is none of those, or a row is not a mapping.

    .. versionadded:: 0.1.0
    """
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= sys.maxsize:
        raise RecordkitError(f"chunk_size must be a positive whole number, got {shorten(size)}")
    if isinstance(source, str | os.PathLike):
        return _csv_chunks(csv_file(source), size)
    if isinstance(source, io.TextIOBase) or (
        hasattr(source, "read") and hasattr(source, "readline")
    ):
        return _row_chunks(csv.DictReader(cast("Iterable[str]", source)), size)
    frames = _frame_chunks(source, size)
    module = type(source).__module__.split(".", 1)[0]
    if module in ("pandas", "polars") and frames is not None:
        return frames
    if isinstance(source, Mapping | bytes) or not isinstance(source, Iterable):
        raise RecordkitError(
            "a batch is an iterable of rows (mappings), a CSV path or file, or a DataFrame; "
            f"got {type(source).__name__}"
        )
    return _row_chunks(source, size)


def _csv_chunks(
    path: str | os.PathLike[str], size: int
) -> Iterator[tuple[dict[str, list[Any]], int]]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            yield from _row_chunks(csv.DictReader(handle), size)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RecordkitError(f"cannot read the CSV file: {shorten(str(exc), 200)}") from None


def run_batch(
    rules: CompiledRules,
    source: object,
    *,
    chunk_size: int = 10_000,
    cache: bool = True,
    memo_size: int = DEFAULT_MEMO_SIZE,
) -> BatchOutcome:
    """
    Run *rules* over every row of *source*, chunk by chunk, column by column.

    Example:
        >>> import recordkit as rk
        >>> rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
        >>> out = run_batch(rules, [{"email": "A@B.IO"}, {"email": "nope"}])
        >>> [r["email"] for r in out.rows], [q.row for q in out.quarantine]
        (['a@b.io'], [1])

    Args:
        rules: the rule set (a `RuleSet`).
        source: rows (mappings), a CSV path or file, or a pandas/polars DataFrame.
        chunk_size: rows per chunk.
        cache: memoize each field's pipeline per distinct value within the run.
        memo_size: the most distinct values remembered per field.

    .. versionadded:: 0.1.0
    """
    check_batch(rules, chunk_size, cache, memo_size)
    # The cyclic collector stays paused for the whole run, not only inside each chunk:
    # resumed between chunks, it would walk every object in memory (the source rows
    # included) once per chunk. The engine makes no reference cycles.
    with collector_paused():
        return _run_batch(rules, source, chunk_size, cache, memo_size)


def _run_batch(
    rules: CompiledRules, source: Any, chunk_size: int, cache: bool, memo_size: int
) -> BatchOutcome:
    memo: dict[str, dict[Hashable, Any]] | None = {} if cache else None
    seen: dict[str, dict[Hashable, int]] = {}
    names = rules.schema.field_names
    passed: dict[str, list[Any]] = {n: [] for n in names}
    numbers: list[int] = []
    quarantine: list[RowIssues] = []
    located: list[tuple[int, Issue]] = []
    by_rule: dict[str, RuleStats] = {}
    changes: list[int] = []
    offset = 0
    for columns, length in chunks_of(source, chunk_size):
        result = run_chunk(
            rules, columns, length, offset=offset, memo=memo, memo_size=memo_size, seen=seen
        )
        located.extend(result.located)
        changes.extend(result.changes)
        for rule, stats in result.stats.items():
            total = by_rule.setdefault(rule, RuleStats())
            total.changes += stats.changes
            total.errors += stats.errors
            total.warnings += stats.warnings
            total.infos += stats.infos
        bad = {row for row, issue in result.located if issue.severity is Severity.ERROR}
        empty = [None] * length
        cols = {n: result.columns.get(n) or empty for n in names}
        keep = [offset + i not in bad for i in range(length)] if bad else [True] * length
        for n in names:
            passed[n].extend(compress(cols[n], keep))
        numbers.extend(compress(range(offset, offset + length), keep))
        if bad:
            row_issues: dict[int, list[Issue]] = {}
            for row, issue in result.located:
                if row in bad:
                    row_issues.setdefault(row, []).append(at_row(issue, row))
            for row in sorted(bad):
                i = row - offset
                raw = {n: col[i] for n, col in columns.items()}
                values = {n: cols[n][i] for n in names}
                quarantine.append(RowIssues(row, raw, values, tuple(row_issues[row])))
        offset += length
    return BatchOutcome(passed, numbers, quarantine, located, by_rule, changes)
