"""
The error a file source raises when it cannot be read as a table at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from recordkit._errors import RecordkitError

__all__ = ["SourceError"]


class SourceError(RecordkitError, ValueError):
    """
    A file cannot be read as a table: nothing of it was imported.

    Raised before the first row is handed on, for what concerns the whole file (it is
    empty, its header names a column twice or columns the schema does not have, its
    encoding cannot be told); a single row that cannot be read is quarantined instead.

    Attributes:
        source: the file, as messages name it (its path, or the file object's name).
        reason: what is wrong.
        line: the 1-based line of the file concerned, if one is.
        column: the column concerned (its header), if one is.
        suggestions: close names, for a column that matches no field.

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str,
        line: int | None = None,
        column: str | None = None,
        suggestions: Sequence[str] = (),
    ) -> None:
        self.source = source
        self.reason = reason if len(reason) <= 1_000 else f"{reason[:999]}…"
        self.line = line
        self.column = column
        self.suggestions = tuple(suggestions)
        where = [source]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        hint = ""
        if self.suggestions:
            hint = " (did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?)"
        super().__init__(f"{', '.join(where)}: {self.reason}{hint}")
