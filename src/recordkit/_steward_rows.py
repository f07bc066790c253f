"""
What a batch returns, and the rows it cannot store.

`BatchResult` and `QuarantinedRow` are the results of `Steward.capture_many`; the helpers
turn a row that was refused (its shape, the policy, the database) into a quarantine entry
any store can hold, never raising on the data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import attrs

from recordkit._errors import shorten
from recordkit.rules import Issue
from recordkit.schema import Record
from recordkit.store import QuarantineEntry

__all__ = ["BatchResult", "QuarantinedRow", "held", "keepable", "quarantine_entry", "row_problem"]


@attrs.frozen
class QuarantinedRow:
    """
    A batch row that was not stored, kept whole with the reasons.

    Attributes:
        index: the row's number in the batch.
        row: the row exactly as given.
        errors: the error `Issue` objects that held it back.
        issues: every issue of the row (errors, warnings, infos).

    .. versionadded:: 0.1.0
    """

    index: int
    row: Mapping[str, Any]
    errors: tuple[Issue, ...]
    issues: tuple[Issue, ...] = ()


@attrs.frozen
class BatchResult:
    """
    What a batch did: the records stored and the rows quarantined (nothing is dropped).

    .. versionadded:: 0.1.0
    """

    records: list[Record]
    quarantined: list[QuarantinedRow]
    issues: list[Issue] = attrs.field(factory=list)
    """
    The issues of the rows that were stored (warnings; errors too under ``warn``).
    """

    @property
    def total(self) -> int:
        """
        Rows read.
        """
        return len(self.records) + len(self.quarantined)

    def errors_by_field(self) -> dict[str, int]:
        """
        How many cells failed, per field.
        """
        counts: dict[str, int] = {}
        for q in self.quarantined:
            for e in q.errors:
                name = e.field or "<record>"
                counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def row_problem(row: object) -> str | None:
    """
    Why *row* cannot be read as a record (``None`` when it can).
    """
    if not isinstance(row, Mapping):
        return f"a row is a mapping of field names to values, got {type(row).__name__}"
    for key in row:
        if not isinstance(key, str):
            return f"field names are text, got {shorten(key)}"
    return None


def keepable(row: object) -> dict[str, Any]:
    """
    *row* as a quarantine entry keeps it: JSON data any store can hold, never raising.

    Text a database could not hold (lone surrogates) is kept as its escapes; a row that is
    not a mapping is kept under ``"<row>"``; data nested too deep, and objects JSON has no
    form for, as their (shortened) text.
    """
    value = row if isinstance(row, Mapping) else {"<row>": row}
    out = _plain(value, 0)
    assert isinstance(out, dict)
    return out


def _plain(value: object, depth: int) -> object:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else shorten(value, 100)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if depth >= 40:
        return shorten(value, 1_000)
    if isinstance(value, Mapping):
        return {str(_plain(str(k), depth)): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return shorten(value, 1_000)


def held(index: int, row: object, reason: str, field: str) -> QuarantinedRow:
    """
    A row quarantined for a reason that is not a rule's (its shape, the policy, the store).
    """
    kind = {
        "<row>": "row.shape",
        "<access>": "access.denied",
        "<store>": "store.refused",
        "<erased>": "subject.erased",
        "<duplicate>": "duplicate.blocked",
    }[field]
    text = reason if len(reason) <= 300 else f"{reason[:299]}…"
    issue = Issue(field=None, rule="recordkit", code=kind, message=text, row=index)
    return QuarantinedRow(index, keepable(row), (issue,), (issue,))


def quarantine_entry(
    q: QuarantinedRow, schema: str, at: dt.datetime, source: str, batch: str
) -> QuarantineEntry:
    return QuarantineEntry(
        id=f"{batch}-{q.index}",
        schema=schema,
        at=at,
        source=source,
        row=q.row,
        reasons=[(e.field or "<record>", e.message) for e in q.errors],
        batch=batch,
        index=q.index,
    )
