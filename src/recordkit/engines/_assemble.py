"""
From chunk results to one `recordkit.rules.BatchOutcome`, in row order.

Chunks may be cleaned anywhere (a worker process, a DuckDB batch) with no knowledge of one
another; what needs the whole run is done here, chunk after chunk in row order: the
uniqueness checks (a value repeating one of an earlier row), the quarantine (a row with an
error, uniqueness errors included), and the counts. Issues come out in row order; within a
row, in the order of the schema's fields, the record rules last.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import compress
from typing import Any

import attrs

from recordkit._errors import RecordkitError
from recordkit.engines._read import Chunk, unreadable_issue
from recordkit.rules import (
    BatchOutcome,
    ChunkResult,
    CompiledRules,
    Issue,
    RowIssues,
    RuleStats,
    Severity,
)
from recordkit.sources import UnreadableRow

__all__ = ["Assembly"]


def _key(value: Any) -> Hashable | None:
    """
    The uniqueness key of a normalized value: ``1``, ``True`` and ``"1"`` differ.
    """
    key: Hashable = value if type(value) is str else (type(value), value)
    try:
        hash(key)
    except TypeError:
        return None
    return key


class Assembly:
    """
    The outcome of a batch as its chunks' results arrive, in row order.
    """

    def __init__(self, rules: CompiledRules) -> None:
        self.rules = rules
        self.names = rules.schema.field_names
        self.rank = {name: i for i, name in enumerate(rules.order)}
        self.unique = {n: p.unique for n, p in rules.plans.items() if p.unique}
        self.seen: dict[str, dict[Hashable, int]] = {}
        self.passed: dict[str, list[Any]] = {n: [] for n in self.names}
        self.numbers: list[int] = []
        self.quarantine: list[RowIssues] = []
        self.located: list[tuple[int, Issue]] = []
        self.by_rule: dict[str, RuleStats] = {}
        self.changes: list[int] = []

    def _order(self, item: tuple[int, Issue]) -> tuple[int, int]:
        row, issue = item
        field = issue.field
        if field is None:
            return row, len(self.rank)
        return row, self.rank.get(field, -1)

    def _count(self, issue: Issue) -> None:
        stats = self.by_rule.get(issue.rule)
        if stats is None:
            stats = self.by_rule[issue.rule] = RuleStats()
        stats.count(issue)

    def add(self, chunk: Chunk, start: int, result: ChunkResult) -> None:
        """
        Take the result of rows *start*… of *chunk* (cleaned without uniqueness checks).
        """
        length = result.length
        offset = chunk.offset + start
        if len(result.changes) != length:
            raise RecordkitError(f"a chunk result of {length} rows has {len(result.changes)}")
        located = list(result.located)
        for rule, stats in result.stats.items():
            total = self.by_rule.setdefault(rule, RuleStats())
            total.changes += stats.changes
            total.errors += stats.errors
            total.warnings += stats.warnings
            total.infos += stats.infos
        for name, checks in self.unique.items():
            values = result.columns.get(name)
            if values is not None:
                self._unique(name, checks, values, offset, located)
        located.sort(key=self._order)
        self.located.extend(located)
        self.changes.extend(result.changes)
        bad = {row for row, issue in located if issue.severity is Severity.ERROR}
        empty = [None] * length
        cols = {n: result.columns.get(n) or empty for n in self.names}
        keep = [offset + i not in bad for i in range(length)] if bad else [True] * length
        for n in self.names:
            self.passed[n].extend(compress(cols[n], keep))
        self.numbers.extend(compress(range(offset, offset + length), keep))
        if bad:
            by_row: dict[int, list[Issue]] = {}
            for row, issue in located:
                if row in bad:
                    by_row.setdefault(row, []).append(attrs.evolve(issue, row=row))
            for row in sorted(bad):
                i = row - offset
                held = {n: cols[n][i] for n in self.names}
                raw = chunk.raw(start + i)
                self.quarantine.append(RowIssues(row, raw, held, tuple(by_row[row])))

    def _unique(
        self,
        name: str,
        checks: tuple[Any, ...],
        values: list[Any],
        offset: int,
        located: list[tuple[int, Issue]],
    ) -> None:
        first = self.seen.setdefault(name, {})
        for i, value in enumerate(values):
            if value is None:
                continue
            key = _key(value)
            if key is None:
                continue
            row = offset + i
            earlier = first.setdefault(key, row)
            if earlier != row:
                for check in checks:
                    issue = attrs.evolve(check.duplicate(value, earlier), field=name)
                    located.append((row, issue))
                    self._count(issue)

    def add_unreadable(self, row: int, bad: UnreadableRow) -> None:
        """
        Quarantine a row of a file that could not be read.
        """
        issue = unreadable_issue(bad, row)
        self.changes.append(0)
        self.located.append((row, issue))
        self._count(issue)
        self.quarantine.append(RowIssues(row, bad.as_given(), {}, (issue,)))

    def outcome(self) -> BatchOutcome:
        """
        The outcome of every row taken so far.

        Raises:
            RecordkitError: the rows out and the rows held back do not add up to the rows
                read (a row lost on the way: never expected, always checked).
        """
        total = len(self.changes)
        if len(self.numbers) + len(self.quarantine) != total:
            raise RecordkitError(
                f"{total} rows read, but {len(self.numbers)} passed and "
                f"{len(self.quarantine)} were quarantined"
            )
        return BatchOutcome(
            self.passed, self.numbers, self.quarantine, self.located, self.by_rule, self.changes
        )


def sorted_issues(rules: CompiledRules, located: list[tuple[int, Issue]]) -> list[Issue]:
    """
    *located* issues with their rows, in the order an `Assembly` gives them.
    """
    rank = {name: i for i, name in enumerate(rules.order)}

    def order(item: tuple[int, Issue]) -> tuple[int, int]:
        row, issue = item
        return row, len(rank) if issue.field is None else rank.get(issue.field, -1)

    return [attrs.evolve(issue, row=row) for row, issue in sorted(located, key=order)]
