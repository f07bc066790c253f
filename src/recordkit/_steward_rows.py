"""
What a batch returns, and the rows it cannot store.

`BatchResult` and `QuarantinedRow` are the results of `Steward.capture_many`; the helpers
turn a row that was refused (its shape, the policy, the database) into a quarantine entry
any store can hold, never raising on the data. A result renders in a notebook, keeps a
short ``repr`` whatever its size, and converts to a DataFrame or an Arrow table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from recordkit._errors import shorten
from recordkit._frames import (
    arrow_table,
    check_part,
    issue_columns,
    pandas_frame,
    polars_frame,
    rows_columns,
)
from recordkit._notebook import cell, html_block, html_table, short_list
from recordkit.rules import Issue
from recordkit.schema import Record
from recordkit.store import QuarantineEntry

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]
    import polars
    import pyarrow  # type: ignore[import-untyped]

__all__ = ["BatchResult", "QuarantinedRow", "held", "keepable", "quarantine_entry", "row_problem"]

_PARTS: Final = ("records", "issues", "quarantine")


@attrs.frozen(repr=False)
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

    def __repr__(self) -> str:
        return f"QuarantinedRow(index={self.index}, errors=[{_reasons(self, 3)}])"


def _reasons(q: QuarantinedRow, limit: int) -> str:
    found = [f"{e.field or '<record>'}: {e.message}" for e in q.errors]
    return short_list(found, len(found), limit)


@attrs.frozen(repr=False)
class BatchResult:
    """
    What a batch did: the records stored and the rows quarantined (nothing is dropped).

    In a notebook it shows its counts, the errors per field and a few quarantined rows;
    `to_pandas`, `to_polars` and `to_arrow` give the stored records' cleaned values, the
    issues, or the quarantined rows (to fix and capture again) as a table.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Renders in a notebook; converts to tables.
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

    def __repr__(self) -> str:
        shown = [f"row {q.index} {cell(_reasons(q, 1), 100)}" for q in self.quarantined[:3]]
        held = f", quarantined rows: {short_list(shown, len(self.quarantined))}" if shown else ""
        counts = (f"rows={self.total}, stored={len(self.records)}, "
                  f"quarantined={len(self.quarantined)}, issues={len(self.issues)}")  # fmt: skip
        return f"BatchResult({counts}{held})"

    def _repr_html_(self) -> str:
        facts = [("rows", f"{self.total:,}"), ("stored", f"{len(self.records):,}"),
                 ("quarantined", f"{len(self.quarantined):,}"),
                 ("issues of stored rows", f"{len(self.issues):,}")]  # fmt: skip
        by_field = self.errors_by_field()
        parts = []
        if by_field:
            parts.append(html_table(("field", "errors"), by_field.items(), total=len(by_field)))
            parts.append(html_table(
                ("row", "errors"),
                ((q.index, _reasons(q, 3)) for q in self.quarantined),
                total=len(self.quarantined),
            ))  # fmt: skip
        return html_block("Batch result", facts, *parts)

    def _part(self, part: object) -> dict[str, list[object]]:
        part = check_part(part, _PARTS)
        if part == "records":
            names = self.records[0].field_names if self.records else ()
            columns = rows_columns([r.values for r in self.records],
                                   {"_id": [r.id for r in self.records]})  # fmt: skip
            for name in names:
                columns.setdefault(name, [None] * len(self.records))
            order = ["_id", *names, *(n for n in columns if n not in names and n != "_id")]
            return {n: columns[n] for n in order}
        if part == "issues":
            found = [*self.issues, *(i for q in self.quarantined for i in q.issues or q.errors)]
            columns = issue_columns(sorted(found, key=lambda i: -1 if i.row is None else i.row))
            held_back = {q.index for q in self.quarantined}
            columns["quarantined"] = [i in held_back for i in columns["row"]]
            return columns
        return rows_columns(
            [q.row for q in self.quarantined],
            {"_row": [q.index for q in self.quarantined],
             "_errors": [_reasons(q, len(q.errors)) for q in self.quarantined]},
        )  # fmt: skip

    def to_pandas(self, *, part: str = "records") -> pandas.DataFrame:
        """
        One part of the result as a pandas DataFrame.

        Examples:
            >>> import recordkit as rk
            >>> steward = rk.Steward(rk.bundled_schema("contact"))
            >>> result = steward.capture_many(
            ...     [{"first_name": "ada", "last_name": "LOVELACE", "email": "ADA@EXAMPLE.COM"},
            ...      {"first_name": "Bob", "last_name": "Ross", "email": "nope"}], source="doc")
            >>> result.to_pandas()[["first_name", "last_name", "email"]].values.tolist()
            [['Ada', 'Lovelace', 'ada@example.com']]
            >>> result.to_pandas(part="quarantine")[["_row", "email"]].values.tolist()
            [[1, 'nope']]

        Args:
            part: ``records`` (one row per stored record: its id in ``_id``, then its
                cleaned value of every field of the schema), ``issues`` (one row per issue
                of every row read: row, field, code, severity, message, value, hint, rule,
                and whether the row was ``quarantined``) or ``quarantine`` (each
                quarantined row as given, with its row number in ``_row`` and its errors
                in ``_errors``: drop those two columns, fix the cells, capture again).

        Raises:
            RecordkitError: *part* is none of those, or pandas is not installed (the
                ``pandas`` extra).

        .. versionadded:: 0.2.0
        """
        return pandas_frame(self._part(part), "BatchResult.to_pandas")

    def to_polars(self, *, part: str = "records") -> polars.DataFrame:
        """
        One part of the result as a polars DataFrame (the parts of `to_pandas`).

        Values polars cannot hold in a typed column (`Money`, mixed types) are text.

        Raises:
            RecordkitError: *part* is not a part, or polars is not installed (the
                ``polars`` extra).

        .. versionadded:: 0.2.0
        """
        return polars_frame(self._part(part), "BatchResult.to_polars")

    def to_arrow(self, *, part: str = "records") -> pyarrow.Table:
        """
        One part of the result as an Arrow table (the parts of `to_pandas`).

        Values Arrow cannot hold in a typed column (`Money`, mixed types) are text.

        Raises:
            RecordkitError: *part* is not a part, or pyarrow is not installed (the
                ``arrow`` extra).

        .. versionadded:: 0.2.0
        """
        return arrow_table(self._part(part), "BatchResult.to_arrow")


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
