"""
What a rule set made of a batch: the rows that passed, the rows held back, and the counts.

`BatchOutcome` is what `run_batch` returns. It renders in a notebook (``_repr_html_``),
keeps a short ``repr`` whatever its size, and converts to a pandas or polars DataFrame or
an Arrow table, one part at a time (`OUTCOME_PARTS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from recordkit._frames import (
    arrow_table,
    check_part,
    issue_columns,
    pandas_frame,
    polars_frame,
    rows_columns,
)
from recordkit._notebook import cell, html_block, html_table, short_list
from recordkit.rules._chunk import RuleStats
from recordkit.rules._issue import Issue, Severity, at_row

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]
    import polars
    import pyarrow  # type: ignore[import-untyped]

__all__ = ["BatchOutcome", "RowIssues", "RowSummary"]

_PARTS: Final = ("rows", "issues", "quarantine")


@attrs.frozen(repr=False)
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

    def __repr__(self) -> str:
        reasons = self.reasons
        return f"RowIssues(row={self.row}, errors=[{short_list(reasons, len(reasons))}])"


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


def _first_error(q: RowIssues) -> str:
    for issue in q.issues:
        if issue.severity is Severity.ERROR:
            return f"{issue.field or '<record>'}: {issue.message}"
    return ""


@attrs.frozen(repr=False)
class BatchOutcome:
    """
    What a rule set made of a batch.

    The rows that passed are held column by column (`columns`); `rows` gives them as
    mappings.

    In a notebook it shows its counts and a few held-back rows; `to_pandas`,
    `to_polars` and `to_arrow` give each part as a table.

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

    def __repr__(self) -> str:
        counts = self.summary()
        shown = [f"row {q.row} {cell(_first_error(q), 100)}" for q in self.quarantine[:3]]
        held = f", held back: {short_list(shown, len(self.quarantine))}" if shown else ""
        return (f"BatchOutcome(rows={counts['rows']}, passed={counts['passed']}, "
                f"quarantined={counts['quarantined']}, errors={counts['errors']}, "
                f"warnings={counts['warnings']}{held})")  # fmt: skip

    def _repr_html_(self) -> str:
        counts = self.summary()
        held = html_table(
            ("row", "errors"),
            ((q.row, "; ".join(q.reasons)) for q in self.quarantine),
            total=len(self.quarantine),
        )
        rules = sorted(self.by_rule.items(), key=lambda kv: -(kv[1].errors + kv[1].warnings))
        by_rule = html_table(
            ("rule", "changes", "errors", "warnings"),
            ((r, s.changes, s.errors, s.warnings) for r, s in rules),
            total=len(rules),
        )
        facts = [(k.replace("_", " "), f"{v:,}") for k, v in counts.items()]
        return html_block("Batch outcome", facts, held if self.quarantine else "", by_rule)

    def _part(self, part: object) -> dict[str, list[object]]:
        part = check_part(part, _PARTS)
        if part == "rows":
            return {"_row": list(self.row_numbers), **self.columns}
        if part == "issues":
            return issue_columns(sorted(self.issues, key=lambda i: i.row or 0))
        return rows_columns(
            [q.raw for q in self.quarantine],
            {"_row": [q.row for q in self.quarantine],
             "_errors": ["; ".join(q.reasons) for q in self.quarantine]},
        )  # fmt: skip

    def to_pandas(self, *, part: str = "rows") -> pandas.DataFrame:
        """
        One part of the outcome as a pandas DataFrame.

        Args:
            part: ``rows`` (the normalized rows that passed, with their batch row number
                in ``_row``), ``issues`` (one row per issue of every row: row, field, code,
                severity, message, value, hint, rule) or ``quarantine`` (each row held
                back as given, with ``_row`` and its error messages in ``_errors``).

        Raises:
            RecordkitError: *part* is none of those, or pandas is not installed (the
                ``pandas`` extra).

        .. versionadded:: 0.2.0
        """
        return pandas_frame(self._part(part), "BatchOutcome.to_pandas")

    def to_polars(self, *, part: str = "rows") -> polars.DataFrame:
        """
        One part of the outcome as a polars DataFrame (the parts of `to_pandas`).

        Values polars cannot hold in a typed column are given as text.

        Raises:
            RecordkitError: *part* is not a part, or polars is not installed (the
                ``polars`` extra).

        .. versionadded:: 0.2.0
        """
        return polars_frame(self._part(part), "BatchOutcome.to_polars")

    def to_arrow(self, *, part: str = "rows") -> pyarrow.Table:
        """
        One part of the outcome as an Arrow table (the parts of `to_pandas`).

        Values Arrow cannot hold in a typed column are given as text.

        Raises:
            RecordkitError: *part* is not a part, or pyarrow is not installed (the
                ``arrow`` extra).

        .. versionadded:: 0.2.0
        """
        return arrow_table(self._part(part), "BatchOutcome.to_arrow")
