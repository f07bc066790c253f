"""
The rules over a table file, streamed: cleaned rows out, rejects counted and written.

Each chunk of rows goes through `RuleSet.run_batch` on its own (channel ``import``), so a
file of any size is cleaned with memory bounded by one chunk; what the run saw is tallied
in a `Tally` for the summary and the exit status.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Iterator

import attrs

from recordkit.cli._tables import Reject, Table
from recordkit.cli._writers import RejectsFile
from recordkit.rules import Issue, RuleSet, Severity, run_batch

__all__ = ["Tally", "cleaned", "reasons"]


def reasons(issues: Iterable[Issue]) -> tuple[str, ...]:
    """
    The errors among *issues*, each as ``field: message [code]`` (no batch row numbers).
    """
    return tuple(
        f"{i.field or '<record>'}: {i.message} [{i.code}]"
        for i in issues
        if i.severity is Severity.ERROR
    )


@attrs.define
class Tally:
    """
    What a run over a file saw: rows, outcomes and issues by code and by field.
    """

    rows: int = 0
    passed: int = 0
    rejected: int = 0
    unreadable: int = 0
    changed: int = 0
    errors: collections.Counter[str] = attrs.field(factory=collections.Counter)
    warnings: collections.Counter[str] = attrs.field(factory=collections.Counter)
    fields: collections.Counter[str] = attrs.field(factory=collections.Counter)

    def to_dict(self) -> dict[str, object]:
        """
        The figures as plain data (for ``--format json``).
        """
        return {
            "rows": self.rows,
            "passed": self.passed,
            "rejected": self.rejected,
            "unreadable": self.unreadable,
            "changed_rows": self.changed,
            "errors": sum(self.errors.values()),
            "warnings": sum(self.warnings.values()),
            "errors_by_code": dict(self.errors.most_common()),
            "warnings_by_code": dict(self.warnings.most_common()),
            "issues_by_field": dict(self.fields.most_common()),
        }


def cleaned(
    table: Table,
    rules: RuleSet,
    *,
    chunk_size: int,
    rejects: RejectsFile,
    tally: Tally,
) -> Iterator[list[tuple[int, dict[str, object]]]]:
    """
    Per chunk of *table*, the rows that passed *rules*: ``(line, normalized values)``.

    Rows with errors and rows that could not be read go to *rejects*; *tally* counts all.
    """
    for chunk in table.chunks(chunk_size):
        tally.rows += len(chunk.rows) + len(chunk.unreadable)
        tally.unreadable += len(chunk.unreadable)
        tally.rejected += len(chunk.unreadable)
        if chunk.unreadable:
            tally.errors["row.unreadable"] += len(chunk.unreadable)
        rejects.add(chunk.unreadable)
        if not chunk.rows:
            continue
        outcome = run_batch(rules, chunk.rows, chunk_size=len(chunk.rows), channel="import")
        for _, issue in outcome.located:
            counter = tally.errors if issue.severity is Severity.ERROR else tally.warnings
            if issue.severity is not Severity.INFO:
                counter[issue.code] += 1
                tally.fields[issue.field or "<record>"] += 1
        tally.changed += sum(1 for n in outcome.changes if n)
        extras = chunk.extras
        rejects.add(
            Reject(
                chunk.lines[q.row],
                reasons(q.issues),
                {**chunk.rows[q.row], **(extras[q.row] if extras else {})},
            )
            for q in outcome.quarantine
        )
        tally.rejected += len(outcome.quarantine)
        passed = [
            (chunk.lines[i], row) for i, row in zip(outcome.row_numbers, outcome.rows, strict=True)
        ]
        tally.passed += len(passed)
        yield passed
