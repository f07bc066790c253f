"""
What reading a delimited file yields: its rows, the rows it cannot read, and its layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import attrs

__all__ = ["CsvLayout", "CsvRow", "UnreadableRow"]

_HINTS: Final = {
    "encoding": "the row is not in the encoding the file was read with (the layout's "
    "encoding): mend the row, or pass encoding= if the whole file is in another one",
    "cells": "a cell may hold an unquoted delimiter, or a cell may be missing: quote "
    "cells that contain the delimiter, and give every row as many cells as the header",
    "parse": "a quote may be left open above this line: close it, or quote the whole cell",
}


@attrs.frozen
class CsvLayout:
    """
    What a reading of a delimited file chose, for the caller to check or show.

    Attributes:
        source: the file, as messages name it.
        encoding: the codec the bytes were decoded with (``"utf-8"``, ``"cp1252"``);
            ``None`` for a text file object without an ``encoding``.
        encoding_from: how it was chosen: ``"bom"`` (a byte-order mark), ``"declared"``
            (``encoding=``, or the text file object's own), ``"detected"`` (valid UTF-8,
            or else charset-normalizer's choice from the first MiB) or ``"text"`` (text
            given already decoded).
        delimiter: the character between cells.
        delimiter_from: ``"declared"`` (``delimiter=``), ``"file"`` (an Excel
            ``sep=`` first line), ``"detected"`` or ``"default"`` (a one-column file).
        header: the header's cells, as in the file.
        header_line: the line of the file the header ends on (1-based).
        columns: header → the name each read column is read as (a field, when the
            reading knew the fields).
        ignored: the headers of the columns not read.
        extras: the headers of the unknown columns kept beside the rows
            (``unknown="keep"``).

    .. versionadded:: 0.2.0
    """

    source: str
    encoding: str | None
    encoding_from: Literal["bom", "declared", "detected", "text"]
    delimiter: str
    delimiter_from: Literal["declared", "file", "detected", "default"]
    header: tuple[str, ...]
    header_line: int
    columns: Mapping[str, str]
    ignored: tuple[str, ...]
    extras: tuple[str, ...]


@attrs.frozen(slots=True)
class CsvRow:
    """
    A row of a delimited file: where it starts, its values by field, and kept extras.

    Attributes:
        line: the line of the file the row starts on (1-based, as an editor counts).
        values: the cells of the read columns, by the name each is read as.
        extras: the cells of unknown columns kept with ``unknown="keep"``, by header.

    .. versionadded:: 0.2.0
    """

    line: int
    values: dict[str, str]
    extras: Mapping[str, str] = attrs.field(factory=dict)

    def as_given(self) -> dict[str, object]:
        """
        The row as a quarantine keeps it: values, extras, and its line under ``"<line>"``.
        """
        return {**self.values, **self.extras, "<line>": self.line}


@attrs.frozen(slots=True)
class UnreadableRow:
    """
    A row of a delimited file that cannot be read; a batch quarantines it, counted.

    A row is unreadable when its bytes do not decode in the file's encoding, when it has
    more or fewer cells than the header, or when it cannot be parsed (an unclosed quote
    running past the csv module's field size limit, a line longer than 4 MiB).

    Attributes:
        line: the line of the file the row starts on (1-based).
        reason: why it cannot be read.
        raw: the row as found: the ``repr`` of its raw bytes, or of its cells, cut at
            1,000 characters (empty for a row that could not be parsed at all).
        column: the column (its header) where the problem is, when one can be named.
        kind: ``"encoding"`` (the bytes do not decode), ``"cells"`` (not as many cells as
            the header) or ``"parse"`` (cannot be parsed, or too long).

    .. versionadded:: 0.2.0
    """

    line: int
    reason: str
    raw: str
    column: str | None = None
    kind: Literal["encoding", "cells", "parse"] = "parse"

    @property
    def hint(self) -> str:
        """
        How to mend the row, for people.
        """
        return _HINTS[self.kind]

    @property
    def message(self) -> str:
        r"""
        The reason with where: ``line 7, column 'city': bytes b'\xfc' are not valid utf-8``.
        """
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"

    def as_given(self) -> dict[str, object]:
        """
        The row as a quarantine keeps it: ``{"<line>": line, "<raw>": raw}``.
        """
        return {"<line>": self.line, "<raw>": self.raw}
