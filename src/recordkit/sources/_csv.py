"""
`CsvSource`: a delimited text file as people have it, read row by row in bounded memory.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Collection, Iterator, Mapping
from operator import itemgetter
from typing import IO, BinaryIO, Final, Literal, Protocol, TextIO, cast

from recordkit._errors import shorten
from recordkit._files import not_regular, source_name
from recordkit._suggest import close_matches
from recordkit.sources._decode import SAMPLE, Lines, TextLines, choose_encoding
from recordkit.sources._errors import SourceError
from recordkit.sources._header import (
    DELIMITERS,
    DelimiterHow,
    Plan,
    Unknown,
    delimiter_of,
    plan_columns,
    sample_lines,
    sep_line,
)
from recordkit.sources._rows import CsvLayout, CsvRow, UnreadableRow

__all__ = ["CsvSource"]

_POLICIES: Final = ("error", "ignore", "keep")
_SAMPLE_TEXT: Final = 1 << 16  # bytes the delimiter is chosen from
_EMPTY: Final[Mapping[str, str]] = {}


class CsvSource:
    r"""
    A delimited text file (CSV, ``;``- or tab-separated) to import, as people have them.

    Pass it wherever rows are accepted (`Steward.capture_many`, `recordkit.rules.run_batch`);
    a plain path or an open file is read as ``CsvSource(file)``. Reading:

    - **encoding**: a byte-order mark (UTF-8, UTF-16, UTF-32) is honoured and stripped;
      otherwise the first MiB decides: valid UTF-8 is UTF-8, anything else is detected by
      charset-normalizer (the ``import`` extra: ``pip install 'recordkit[import]'``; without
      it, a file that is not UTF-8 is refused, naming the command). ``encoding=`` wins.
    - **delimiter**: ``,`` ``;`` tab or ``|``, whichever splits the header and the most
      rows of a sample consistently, quotes respected; an Excel ``sep=;`` first line is
      obeyed. ``delimiter=`` wins.
    - **columns**: ``columns=`` maps headers to fields (a header mapped to ``None`` is not
      read), then a header that is a field's name is that field, then one that equals a
      field's name once case, spaces and punctuation are ignored (``E-Mail``, ``e_mail``
      → ``email``). Nothing else is guessed: ``Email Address`` is an unknown column.
    - **unknown columns** follow *unknown*: ``"error"`` (the default) refuses the file
      before any row is read, listing every unknown column with suggestions and the ways
      out, because a column nobody mapped is most often a misspelt field and importing
      around it would lose its values silently; ``"ignore"`` skips them; ``"keep"`` carries
      them beside each row, so a quarantined row keeps them in its raw data. A stored record
      never holds them (a record holds its schema's fields only): to store a column, map it
      to a field.
    - **bad rows** cost only themselves: a row whose bytes do not decode (a file pasted
      together from two encodings), with more or fewer cells than the header, or that
      cannot be parsed, is yielded as an `UnreadableRow`, which a batch quarantines with
      the row's raw bytes or cells, its line and the column when known.

    Memory stays bounded whatever the file's size: the first MiB for detection, then
    64 KiB blocks; a line longer than 4 MiB is an unreadable row. A path is opened on each
    reading; a file object is read once, from where it stands. After a reading starts,
    `layout` says what it chose.

    Examples:
        >>> import io
        >>> data = io.BytesIO("\ufeffE-Mail;Name\nada@example.org;Ada\n".encode("utf-8"))
        >>> source = CsvSource(data)
        >>> [row.values for row in source.rows(fields=["email", "name"])]
        [{'email': 'ada@example.org', 'name': 'Ada'}]
        >>> source.layout.encoding, source.layout.encoding_from, source.layout.delimiter
        ('utf-8', 'bom', ';')

    Args:
        file: a path (text or path-like) to a regular file, or an open file: binary
            (preferred: encoding detected, undecodable rows quarantined) or text.
        encoding: the file's encoding (any codec name Python knows); detected when
            ``None``. Not for a text file, which is decoded already.
        delimiter: the cell delimiter (one character); detected when ``None``.
        columns: header → field name, or ``None`` to leave that column out.
        unknown: what to do with columns that match no field: ``"error"``, ``"ignore"``
            or ``"keep"``.

    Raises:
        SourceError: an argument is not of its kind (naming it), or the path names no
            regular file (a directory, a FIFO, a device) or cannot be read.

    .. versionadded:: 0.2.0
    """

    layout: CsvLayout | None
    """
    What the latest reading chose (encoding, delimiter, columns); ``None`` before one.
    """

    def __init__(
        self,
        file: str | os.PathLike[str] | IO[bytes] | IO[str],
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        columns: Mapping[str, str | None] | None = None,
        unknown: Unknown = "error",
    ) -> None:
        self._path: str | os.PathLike[str] | None = None
        self._file: IO[bytes] | IO[str] | None = None
        self._text = False
        if isinstance(file, str | os.PathLike):
            self.name = source_name(file)
            self._path = _regular_file(file, self.name)
        elif hasattr(file, "read") and hasattr(file, "readline"):
            self.name = source_name(getattr(file, "name", None) or f"<{type(file).__name__}>")
            self._file = file
            self._text = isinstance(_peek(file, self.name), str)
        else:
            raise SourceError(
                f"expected a file path or an open file (binary or text), got {type(file).__name__}",
                source="file",
            )
        self.encoding = _check_encoding(encoding, self._text, self.name)
        self.delimiter = _check_delimiter(delimiter, self.name)
        self.columns = _check_columns(columns, self.name)
        if not isinstance(unknown, str) or unknown not in _POLICIES:
            raise SourceError(
                f"unknown must be one of {', '.join(map(repr, _POLICIES))}, got {shorten(unknown)}",
                source=self.name,
                suggestions=close_matches(unknown, _POLICIES),
            )
        self.unknown: Unknown = unknown
        self.layout = None

    def __repr__(self) -> str:
        return f"CsvSource({self.name!r})"

    def rows(self, *, fields: Collection[str] | None = None) -> Iterator[CsvRow | UnreadableRow]:
        """
        Read the file row by row: a `CsvRow` per row read, an `UnreadableRow` per row not.

        Blank lines are skipped; the header is read (and checked) when the first row is
        asked for, and `layout` is set then.

        Args:
            fields: the field names columns are matched to (a schema's
                ``field_names``); ``None`` reads every column as its header.

        Raises:
            SourceError: *fields* is not a collection of names; and, from the iterator,
                the file is empty or cannot be read, its encoding cannot be told, or its
                header does not fit (duplicate columns, unknown columns under
                ``unknown="error"``, a ``columns=`` key it lacks).
        """
        if fields is not None and (
            isinstance(fields, str | bytes | Mapping)
            or not isinstance(fields, Collection)
            or not all(isinstance(f, str) for f in fields)
        ):
            raise SourceError(
                f"fields must be a collection of field names, got {shorten(fields)}",
                source=self.name,
            )
        known = None if fields is None else frozenset(fields)
        return self._read(known)

    def _read(self, fields: frozenset[str] | None) -> Iterator[CsvRow | UnreadableRow]:
        stream: IO[bytes] | IO[str]
        if self._path is not None:
            stream = _open(self._path, self.name)
        else:
            assert self._file is not None
            stream = self._file
        try:
            if self._text:
                lines, lossy, sample, at_end = _text_lines(cast("TextIO", stream), self.name)
                declared = getattr(stream, "encoding", None)
                encoding = declared if isinstance(declared, str) else None
                how = "declared" if encoding else "text"
            else:
                head, ended = _head(cast("BinaryIO", stream), self.name)
                choice = choose_encoding(head, self.encoding, ended, self.name)
                head = head[choice.bom :]
                sampled = head[:_SAMPLE_TEXT]
                sample = sampled.decode(choice.encoding, "replace")
                at_end = ended and len(sampled) == len(head)  # the sample is the whole file
                cr = "\n" not in sample and "\r" in sample
                decoded = Lines(cast("BinaryIO", stream), head, ended, choice.encoding, cr=cr)
                lines, lossy = iter(decoded), decoded.lossy
                encoding, how = choice.encoding, choice.how
            yield from self._records(lines, lossy, sample, at_end, encoding, how, fields)
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}", source=self.name) from None
        finally:
            if self._path is not None:
                stream.close()

    def _records(
        self,
        lines: Iterator[str],
        lossy: dict[int, tuple[bytes, str]],
        sample: str,
        at_end: bool,
        encoding: str | None,
        how: str,
        fields: frozenset[str] | None,
    ) -> Iterator[CsvRow | UnreadableRow]:
        whole = sample_lines(sample, at_end)
        declared = sep_line(whole[0]) if whole else None
        delimiter_from: DelimiterHow
        if self.delimiter is not None:
            delimiter, delimiter_from = self.delimiter, "declared"
        elif declared is not None:
            delimiter, delimiter_from = declared, "file"
        else:
            delimiter, delimiter_from = delimiter_of(whole, at_end)
        reader = csv.reader(lines, delimiter=delimiter, quotechar='"', strict=False)
        if declared is not None:
            next(reader)
        header: list[str] = []
        while not any(cell.strip() for cell in header):  # blank rows before it are skipped
            try:
                header = next(reader)
            except StopIteration:
                raise SourceError("the file is empty: it has no header row",
                                  source=self.name) from None  # fmt: skip
            except csv.Error as exc:
                raise SourceError(f"cannot parse the header: {exc}",
                                  source=self.name, line=reader.line_num) from None  # fmt: skip
        line = reader.line_num
        if lossy and next(iter(lossy)) <= line:
            why = lossy[next(iter(lossy))][1]
            raise SourceError(f"the header cannot be read: {why}", source=self.name, line=line)
        plan = plan_columns(header, fields, self.columns, self.unknown, source=self.name, line=line)
        self.layout = CsvLayout(
            source=self.name,
            encoding=encoding,
            encoding_from=how,  # type: ignore[arg-type]  # one of the four, by construction
            delimiter=delimiter,
            delimiter_from=delimiter_from,
            header=tuple(header),
            header_line=line,
            columns={h: n for h, n in zip(header, plan.names, strict=True) if n is not None},
            ignored=tuple(
                h
                for i, (h, n) in enumerate(zip(header, plan.names, strict=True))
                if n is None and i not in plan.extras
            ),
            extras=tuple(header[i] for i in plan.extras),
        )
        yield from _rows(reader, lossy, header, plan, line)


class _Reader(Protocol):
    line_num: int

    def __next__(self) -> list[str]: ...


def _rows(
    reader: _Reader,
    lossy: dict[int, tuple[bytes, str]],
    header: list[str],
    plan: Plan,
    line: int,
) -> Iterator[CsvRow | UnreadableRow]:
    width = len(header)
    kept = [i for i, n in enumerate(plan.names) if n is not None]
    names = [n for n in plan.names if n is not None]
    every = len(kept) == width
    pick = itemgetter(*kept) if len(kept) > 1 else None
    extra_names = [header[i] for i in plan.extras]
    extra_pick = itemgetter(*plan.extras) if len(plan.extras) > 1 else None
    previous = line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start, previous = previous + 1, reader.line_num
            _drop(lossy, previous)
            yield UnreadableRow(start, f"cannot be parsed: {exc}", "", kind="parse")
            continue
        start, previous = previous + 1, reader.line_num
        if lossy and next(iter(lossy)) <= previous:
            yield _undecodable(start, _drop(lossy, previous), cells, header)
            continue
        if len(cells) != width:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # a blank line
            many = f"{len(cells)} cell{'s' if len(cells) != 1 else ''}"
            yield UnreadableRow(
                start, f"{many} where the header has {width}", shorten(cells, 1_000), kind="cells"
            )
            continue
        if every:
            values = dict(zip(names, cells, strict=True))
        elif pick is not None:
            values = dict(zip(names, pick(cells), strict=True))
        else:
            values = {names[0]: cells[kept[0]]} if kept else {}
        extras = _EMPTY
        if extra_names:
            got = extra_pick(cells) if extra_pick is not None else (cells[plan.extras[0]],)
            extras = dict(zip(extra_names, got, strict=True))
        yield CsvRow(start, values, extras)


def _drop(lossy: dict[int, tuple[bytes, str]], end: int) -> list[tuple[bytes, str]]:
    """
    Take the lossy lines up to *end* out of *lossy*.
    """
    taken = []
    while lossy and (first := next(iter(lossy))) <= end:
        taken.append(lossy.pop(first))
    return taken


def _undecodable(
    start: int, taken: list[tuple[bytes, str]], cells: list[str], header: list[str]
) -> UnreadableRow:
    raw = b"".join(piece for piece, _ in taken)
    reasons = list(dict.fromkeys(why for _, why in taken))
    column = None
    if len(cells) == len(header):
        column = next((header[i] for i, c in enumerate(cells) if "\ufffd" in c), None)
    long = all(why.startswith("the line is longer") for _, why in taken)
    kind: Literal["encoding", "parse"] = "parse" if long else "encoding"
    return UnreadableRow(start, "; ".join(reasons), shorten(raw, 1_000), column, kind)


def _text_lines(
    stream: TextIO, name: str
) -> tuple[Iterator[str], dict[int, tuple[bytes, str]], str, bool]:
    """
    The lines of a text file, its first 64 Ki characters' worth read ahead as a sample.
    """
    decoded = TextLines(stream, name)
    lines = iter(decoded)
    first: list[str] = []
    size = 0
    at_end = True
    for line in lines:
        first.append(line)
        size += len(line)
        if size >= _SAMPLE_TEXT:
            at_end = False
            break
    if first:
        first[0] = first[0].removeprefix("\ufeff")  # a text file opened as UTF-8, not -sig
    return itertools.chain(first, lines), decoded.lossy, "".join(first), at_end


def _head(stream: BinaryIO, name: str) -> tuple[bytes, bool]:
    """
    The first `SAMPLE` bytes of *stream*, and whether that is all of it.
    """
    parts: list[bytes] = []
    size = 0
    while size < SAMPLE:
        part = stream.read(SAMPLE - size)
        if not isinstance(part, bytes | bytearray):
            raise SourceError(f"the file gave {type(part).__name__}, not bytes", source=name)
        if not part:
            return b"".join(parts), True
        parts.append(bytes(part))
        size += len(part)
    return b"".join(parts), False


def _peek(file: object, name: str) -> object:
    try:
        return cast("IO[bytes]", file).read(0)
    except Exception as exc:  # a closed file (ValueError), or an object that only looks like one
        raise SourceError(f"cannot read the file: {shorten(exc, 200)}", source=name) from None


def _regular_file(path: str | os.PathLike[str], name: str) -> str | os.PathLike[str]:
    try:
        _check_kind(os.stat(path), name)
    except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SourceError(f"cannot read the file: {reason[:200]}", source=name) from None
    return path


def _check_kind(info: os.stat_result, name: str) -> None:
    if (why := not_regular(info)) is not None:
        raise SourceError(why, source=name)


def _open(path: str | os.PathLike[str], name: str) -> BinaryIO:
    """
    Open *path* for reading without blocking on a FIFO swapped in since it was checked.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SourceError(f"cannot read the file: {reason[:200]}", source=name) from None
    try:
        _check_kind(os.fstat(fd), name)
    except SourceError:
        os.close(fd)
        raise
    return io.open(fd, "rb")  # noqa: UP020 - the descriptor, not a path


def _check_encoding(encoding: object, text: bool, name: str) -> str | None:
    if encoding is None:
        return None
    if not isinstance(encoding, str):
        raise SourceError(f"encoding must be a codec name, got {shorten(encoding)}", source=name)
    if text:
        raise SourceError(
            "encoding= applies to a path or a binary file; a text file is decoded already "
            "(open it in binary mode to have its encoding detected)",
            source=name,
        )
    return encoding


def _check_delimiter(delimiter: object, name: str) -> str | None:
    if delimiter is None:
        return None
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise SourceError(
            "delimiter must be one character other than a quote or a line break "
            f"(one of {', '.join(map(repr, DELIMITERS))} is detected), got {shorten(delimiter)}",
            source=name,
        )
    return delimiter


def _check_columns(columns: object, name: str) -> dict[str, str | None]:
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise SourceError(
            f"columns must map headers to field names, got {shorten(columns)}", source=name
        )
    for key, value in columns.items():
        if not isinstance(key, str) or not (value is None or isinstance(value, str)):
            raise SourceError(
                "columns must map headers (text) to field names (text) or None, "
                f"got {shorten(key)}: {shorten(value)}",
                source=name,
            )
    return dict(columns)
