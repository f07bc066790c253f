"""
The batch API: a rule set over many rows, from mappings, a CSV file or a DataFrame.

Rows are read lazily in chunks, turned into columns, and taken through `run_chunk` with one
memo for the whole run. Rows with errors go to the quarantine, with their issues; the
others come back normalized.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Hashable, Iterable, Iterator, Mapping
from itertools import compress, islice, repeat
from typing import Any, Final, cast

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._frames import frame_chunks, frame_kind
from recordkit._gc import collector_paused
from recordkit.rules._chunk import DEFAULT_MEMO_SIZE, RuleStats, check_channel, run_chunk
from recordkit.rules._issue import Issue, Severity, at_row
from recordkit.rules._outcome import BatchOutcome, RowIssues, RowSummary
from recordkit.rules._plan import CompiledRules
from recordkit.rules._run_args import check_batch
from recordkit.sources import CsvRow, CsvSource, UnreadableRow

__all__ = ["BatchOutcome", "RowIssues", "RowSummary", "chunks_of", "run_batch"]


def _row_chunks(rows: Iterable[Any], size: int) -> Iterator[tuple[dict[str, list[Any]], int]]:
    iterator = iter(rows)
    offset = 0
    while chunk := list(islice(iterator, size)):
        names: dict[Any, None] = {}
        plain = set(map(type, chunk)) == {dict}
        if plain and all(map(chunk[0].keys().__eq__, map(dict.keys, chunk))):
            names = dict.fromkeys(chunk[0])  # plain dicts with the same keys: the usual batch
        else:
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
        if plain:
            yield {n: list(map(dict.get, chunk, repeat(n))) for n in names}, len(chunk)
        else:
            yield {n: [row.get(n) for row in chunk] for n in names}, len(chunk)
        offset += len(chunk)


def chunks_of(source: object, size: int) -> Iterator[tuple[dict[str, list[object]], int]]:
    """
    Read *source* as chunks of columns: ``(column → values, rows)`` pairs.

    *source* is an iterable of mappings, a pandas or polars DataFrame, an Arrow table
    (a pyarrow ``Table``, ``RecordBatch`` or ``RecordBatchReader``), or a delimited text
    file: a `recordkit.sources.CsvSource`, or a path or an open file, read as
    ``CsvSource(source)`` (byte-order mark, encoding and delimiter detected). Without a
    schema to match, a file's columns are named by its header (after the source's
    ``columns=`` renames). A row of a file that cannot be read keeps its place, so row
    numbers stay aligned: its cells are ``None`` and the column ``"<unreadable>"`` holds the
    `recordkit.sources.UnreadableRow` (``None`` in the other rows); `run_batch` quarantines
    such rows, and rules given the column flag it as an unknown field.

    Raises:
        RecordkitError: the source is none of those, or a row is not a mapping.
        recordkit.sources.SourceError: a file cannot be read as a table (reading it).

    A table's missing cells (``None``, NaN, ``pd.NA``, ``NaT``, null) are ``None``, and
    it is read a chunk at a time, column by column.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 Files are read by `recordkit.sources.CsvSource`; Arrow
       tables are read too.
    """
    _check_size(size)
    return (
        (chunk.columns | ({_UNREADABLE: chunk.markers()} if chunk.unreadable else {}),
         chunk.length)
        for chunk in _chunks(source, size, None, None)
    )  # fmt: skip


_UNREADABLE: Final = "<unreadable>"


def _check_size(size: object) -> None:
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= sys.maxsize:
        raise RecordkitError(f"chunk_size must be a positive whole number, got {shorten(size)}")


@attrs.frozen
class _Chunk:
    """
    Rows as columns; for a file, each row as read and the rows that could not be.
    """

    columns: dict[str, list[Any]]
    length: int
    given: list[dict[str, object]] | None = None
    unreadable: dict[int, UnreadableRow] = attrs.field(factory=dict)

    def markers(self) -> list[object]:
        return [self.unreadable.get(i) for i in range(self.length)]


def _chunks(
    source: object,
    size: int,
    fields: tuple[str, ...] | None,
    kinds: Mapping[str, str] | None,
) -> Iterator[_Chunk]:
    """
    *source* in chunks of *size* rows, its file's columns matched to *fields* (if given).

    A table's numbers are given as the fields of *kinds* (field → type kind) take them.
    """
    if isinstance(source, str | os.PathLike) or (
        hasattr(source, "read") and hasattr(source, "readline")
    ):
        source = CsvSource(cast("str", source))
    if isinstance(source, CsvSource):
        return _file_chunks(source.rows(fields=fields), size)
    if frame_kind(source) is not None:
        tables = frame_chunks(source, size, kinds=kinds)
        return (_Chunk(columns, length) for columns, length in tables)
    if isinstance(source, Mapping | bytes) or not isinstance(source, Iterable):
        raise RecordkitError(
            "a batch is an iterable of rows (mappings), a CSV path or file, a DataFrame or "
            f"an Arrow table; got {type(source).__name__}"
        )
    return (_Chunk(columns, length) for columns, length in _row_chunks(source, size))


def _file_chunks(rows: Iterator[CsvRow | UnreadableRow], size: int) -> Iterator[_Chunk]:
    while chunk := list(islice(rows, size)):
        unreadable = {i: r for i, r in enumerate(chunk) if type(r) is UnreadableRow}
        read = [r for r in chunk if type(r) is CsvRow]
        names = list(read[0].values) if read else []
        if unreadable:
            empty: dict[str, str] = {}
            values = [r.values if type(r) is CsvRow else empty for r in chunk]
            columns: dict[str, list[Any]] = {n: [v.get(n) for v in values] for n in names}
        else:
            columns = {n: [r.values[n] for r in read] for n in names}
        yield _Chunk(columns, len(chunk), [r.as_given() for r in chunk], unreadable)


def run_batch(
    rules: CompiledRules,
    source: object,
    *,
    chunk_size: int = 10_000,
    cache: bool = True,
    memo_size: int = DEFAULT_MEMO_SIZE,
    channel: str | None = None,
) -> BatchOutcome:
    """
    Run *rules* over every row of *source*, chunk by chunk, column by column.

    Examples:
        >>> import recordkit as rk
        >>> rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
        >>> ada = {"first_name": "Ada", "last_name": "Lovelace", "email": "A@B.IO"}
        >>> out = run_batch(rules, [ada, {**ada, "email": "nope"}])
        >>> [r["email"] for r in out.rows], [q.row for q in out.quarantine]
        (['a@b.io'], [1])

    Args:
        rules: the rule set (a `RuleSet`).
        source: rows (mappings), a pandas/polars DataFrame, an Arrow table (``Table``,
            ``RecordBatch``, ``RecordBatchReader``), or a delimited file: a
            `recordkit.sources.CsvSource`, or a path or open file read as one (its columns
            matched to the schema's fields). A row of a file that cannot be read is
            quarantined with the issue ``row.unreadable``; a quarantined row of a file
            keeps its line under ``"<line>"`` in ``raw``. What the reading chose is the
            source's ``layout``.
        chunk_size: rows per chunk.
        cache: memoize each field's pipeline per distinct value within the run.
        memo_size: the most distinct values remembered per field.
        channel: the source the rows come from, which picks each field's ``on_invalid``
            action (``None``: the ``default`` one): a row whose only errors are in fields
            that ``clear`` or ``keep`` passes, those errors kept as warnings.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``channel``.
    """
    check_batch(rules, chunk_size, cache, memo_size)
    check_channel(channel)
    # The cyclic collector stays paused for the whole run, not only inside each chunk:
    # resumed between chunks, it would walk every object in memory (the source rows
    # included) once per chunk. The engine makes no reference cycles.
    with collector_paused():
        return _run_batch(rules, source, chunk_size, cache, memo_size, channel)


def _run_batch(
    rules: CompiledRules,
    source: Any,
    chunk_size: int,
    cache: bool,
    memo_size: int,
    channel: str | None = None,
) -> BatchOutcome:
    run = _Run(rules, cache, memo_size, channel)
    offset = 0
    kinds = {f.name: f.type.kind for f in rules.schema.fields}
    for chunk in _chunks(source, chunk_size, rules.schema.field_names, kinds):
        # A file's unreadable rows split the chunk: the rules run over the readable
        # stretches between them, so every row keeps its number.
        start = 0
        for bad in sorted(chunk.unreadable):
            run.rules_over(chunk, start, bad, offset)
            run.unreadable(offset + bad, chunk.unreadable[bad])
            start = bad + 1
        run.rules_over(chunk, start, chunk.length, offset)
        offset += chunk.length
    return BatchOutcome(
        run.passed, run.numbers, run.quarantine, run.located, run.by_rule, run.changes
    )


class _Run:
    """
    A batch as it goes: what passed, what was held back, and the counts.
    """

    def __init__(
        self, rules: CompiledRules, cache: bool, memo_size: int, channel: str | None = None
    ) -> None:
        self.rules = rules
        self.channel = channel
        self.memo: dict[str, dict[Hashable, Any]] | None = {} if cache else None
        self.memo_size = memo_size
        self.seen: dict[str, dict[Hashable, int]] = {}
        self.names = rules.schema.field_names
        self.passed: dict[str, list[Any]] = {n: [] for n in self.names}
        self.numbers: list[int] = []
        self.quarantine: list[RowIssues] = []
        self.located: list[tuple[int, Issue]] = []
        self.by_rule: dict[str, RuleStats] = {}
        self.changes: list[int] = []

    def rules_over(self, chunk: _Chunk, start: int, stop: int, offset: int) -> None:
        """
        Run the rules over rows *start* to *stop* of *chunk* (numbered from *offset*).
        """
        length = stop - start
        if length <= 0:
            return
        columns = chunk.columns
        if length != chunk.length:
            columns = {n: col[start:stop] for n, col in columns.items()}
        offset += start
        result = run_chunk(
            self.rules,
            columns,
            length,
            offset=offset,
            memo=self.memo,
            memo_size=self.memo_size,
            seen=self.seen,
            channel=self.channel,
        )
        self.located.extend(result.located)
        self.changes.extend(result.changes)
        for rule, stats in result.stats.items():
            total = self.by_rule.setdefault(rule, RuleStats())
            total.changes += stats.changes
            total.errors += stats.errors
            total.warnings += stats.warnings
            total.infos += stats.infos
        bad = {row for row, issue in result.located if issue.severity is Severity.ERROR}
        empty = [None] * length
        cols = {n: result.columns.get(n) or empty for n in self.names}
        keep = [offset + i not in bad for i in range(length)] if bad else [True] * length
        for n in self.names:
            self.passed[n].extend(compress(cols[n], keep))
        self.numbers.extend(compress(range(offset, offset + length), keep))
        if bad:
            row_issues: dict[int, list[Issue]] = {}
            for row, issue in result.located:
                if row in bad:
                    row_issues.setdefault(row, []).append(at_row(issue, row))
            given = chunk.given
            names, held = list(columns), list(columns.values())
            normalized = [cols[n] for n in self.names]
            for row in sorted(bad):
                i = row - offset
                if given is not None:
                    raw: Mapping[str, Any] = given[start + i]
                else:
                    raw = dict(zip(names, [col[i] for col in held], strict=True))
                values = dict(zip(self.names, [col[i] for col in normalized], strict=True))
                self.quarantine.append(RowIssues(row, raw, values, tuple(row_issues[row])))

    def unreadable(self, row: int, bad: UnreadableRow) -> None:
        """
        Quarantine a row of a file that could not be read, with an issue of its own.
        """
        issue = _unreadable_issue(bad, row)
        self.changes.append(0)
        self.located.append((row, issue))
        self.by_rule.setdefault(issue.rule, RuleStats()).count(issue)
        self.quarantine.append(RowIssues(row, bad.as_given(), {}, (issue,)))


def _unreadable_issue(bad: UnreadableRow, row: int) -> Issue:
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
