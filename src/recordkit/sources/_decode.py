"""
Bytes to lines of text: the byte-order mark, the encoding, and the lines that do not decode.

A file is read in blocks that end at a line break, and a block is decoded at once; only a
block that fails is decoded line by line, so a line in another encoding (a file pasted
together from two exports) costs only itself: it is handed on decoded with replacement
characters, and remembered as *lossy* with its raw bytes, for the reader to quarantine the
row it belongs to. Memory stays bounded: a block, one line (at most `MAX_LINE` bytes) and
the sample the encoding was chosen from.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import BinaryIO, Final, Literal, TextIO

from recordkit.sources._errors import SourceError

__all__ = ["INSTALL", "MAX_LINE", "SAMPLE", "Choice", "Lines", "TextLines", "choose_encoding"]

SAMPLE: Final = 1 << 20
"""
Bytes read before anything else: the encoding and the delimiter are chosen from them.
"""

BLOCK: Final = 1 << 16
MAX_LINE: Final = 1 << 22
"""
The longest line read, in bytes (4 MiB); a longer one is quarantined, not held in memory.
"""

INSTALL: Final = "pip install 'recordkit[import]'"

_BOMS: Final = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WITH_BOM: Final = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}
_STATEFUL: Final = ("utf-7", "hz", "iso2022")
_PREFERRED: Final = ("cp1252", "latin_1", "iso8859_15")
_CLOSE: Final = 0.02  # coherence within which charset-normalizer's ratings are a toss-up

How = Literal["bom", "declared", "detected", "text"]


class Choice:
    """
    The encoding chosen for a byte stream, how, and the byte-order mark's length.
    """

    __slots__ = ("bom", "encoding", "how")

    def __init__(self, encoding: str, how: How, bom: int) -> None:
        self.encoding = encoding
        self.how: How = how
        self.bom = bom


def _codec(name: str, source: str) -> str:
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise SourceError(f"unknown encoding {name!r}", source=source) from None
    canonical = info.name
    if canonical.startswith(_STATEFUL):
        raise SourceError(
            f"encoding {name!r} keeps state across lines and cannot be read line by line; "
            "convert the file to UTF-8",
            source=source,
        )
    return canonical


def choose_encoding(head: bytes, declared: str | None, at_end: bool, source: str) -> Choice:
    """
    The encoding of a stream that starts with *head*: declared, from its mark, or detected.

    Detection: a head that is valid UTF-8 is UTF-8 (text in a legacy encoding is almost
    never valid UTF-8 by chance), and so is one whose lines with non-ASCII bytes are at least
    half valid UTF-8 (a UTF-8 file with a few rows pasted in from another encoding: those rows
    will not decode and are quarantined). Otherwise charset-normalizer chooses, when
    installed. Of the encodings it rates as well as its choice (no more mess, coherence
    within 0.02: on Western text its choice among cp1250, cp1252 and cp1257 is a toss-up),
    the most common is taken: cp1252, then Latin-1, then Latin-9; else its choice.

    Raises:
        SourceError: the declared encoding is unknown or stateful, or the head is not
            UTF-8 and charset-normalizer is missing or finds no encoding.
    """
    bom = next(((m, name) for m, name in _BOMS if head.startswith(m) and _fits(head, m, name)),
               None)  # fmt: skip
    if declared is not None:
        name = _codec(declared, source)
        plain = _WITH_BOM.get(name, name)
        if bom is not None and (name in _WITH_BOM or plain == bom[1]):
            return Choice(bom[1], "declared", len(bom[0]))  # the mark says which byte order
        return Choice(plain, "declared", 0)
    if bom is not None:
        return Choice(bom[1], "bom", len(bom[0]))
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=at_end)
    except UnicodeDecodeError as exc:
        if _mostly_utf8(head, at_end):
            return Choice("utf-8", "detected", 0)
        return Choice(_detect(head, exc, source), "detected", 0)
    return Choice("utf-8", "detected", 0)


def _mostly_utf8(head: bytes, at_end: bool) -> bool:
    """
    Whether at least half the lines of *head* that are not plain ASCII are valid UTF-8.

    A valid multi-byte UTF-8 sequence is strong evidence (legacy text rarely forms one),
    an invalid line only says that line is something else.
    """
    lines = head.split(b"\n")
    if not at_end:
        lines.pop()  # it may end inside a character
    valid = invalid = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            invalid += 1
        else:
            valid += 1
    return valid >= invalid and valid > 0


def _fits(head: bytes, mark: bytes, name: str) -> bool:
    """
    Whether *head* reads as *name* after its *mark*.

    A UTF-16 mark followed by a NUL looks like a UTF-32 mark: UTF-32 text decodes to
    characters of the first two planes (letters, symbols, emoji), the same bytes read as
    UTF-32 when they are UTF-16 to characters of the planes above.
    """
    if not name.startswith("utf-32"):
        return True
    body = head[len(mark) : len(mark) + 4096]
    try:
        text = body[: len(body) - len(body) % 4].decode(name)
    except UnicodeDecodeError:
        return False
    return all(ch <= "\U0001ffff" for ch in text)


def _detect(head: bytes, failure: UnicodeDecodeError, source: str) -> str:
    line = head.count(b"\n", 0, failure.start) + 1
    try:
        import charset_normalizer
    except ImportError:
        raise SourceError(
            f"the file is not UTF-8 (bytes {head[failure.start : failure.end]!r}) and "
            f"charset-normalizer, which detects encodings, is not installed: {INSTALL}, "
            "or pass encoding= (e.g. encoding='cp1252')",
            source=source,
            line=line,
        ) from None
    found = charset_normalizer.from_bytes(head)
    best = found.best()
    if best is None:
        raise SourceError(
            "cannot tell the file's encoding (it may not be text); pass encoding=",
            source=source,
        )
    same = {
        name
        for match in found
        if match.chaos <= best.chaos and match.coherence >= best.coherence - _CLOSE
        for name in match.could_be_from_charset
    }
    chosen = next((name for name in _PREFERRED if name in same), best.encoding)
    return _codec(chosen, source)


class Lines:
    r"""
    The lines of a byte stream, decoded, for `csv.reader`, with those that did not decode.

    Iterating yields each line with its line break (``\r\n``, ``\n`` or ``\r``), as a
    file opened with ``newline=""`` does. `lossy` maps the number (1-based) of each line
    that did not decode, or was too long, to its raw bytes (cut) and the reason; the reader
    takes the entries out as it passes them.
    """

    def __init__(
        self, stream: BinaryIO, head: bytes, at_end: bool, encoding: str, *, cr: bool = False
    ) -> None:
        self.lossy: dict[int, tuple[bytes, str]] = {}
        self.encoding = encoding
        self._stream = stream
        self._head = head
        self._at_end = at_end
        self._newline = ("\r" if cr else "\n").encode(encoding)
        self._unit = len("\n".encode(encoding))
        self._count = 0

    def __iter__(self) -> Iterator[str]:
        return self._run()

    def _run(self) -> Iterator[str]:
        pending = bytearray(self._head)
        self._head = b""
        at_end = self._at_end
        skipping = False
        while pending or not at_end:
            if not at_end and (skipping or self._last_break(pending) == 0):
                more = self._stream.read(BLOCK)
                at_end = not more
                pending += more
            if skipping:
                found = self._first_break(pending)
                if found < 0 and not at_end:
                    del pending[:]
                    continue
                del pending[: len(pending) if found < 0 else found]
                skipping = False
                yield "\n"  # stands for the long line, so the numbers stay right
                continue
            end = self._last_break(pending, BLOCK) or self._last_break(pending)
            if at_end and (not end or len(pending) <= BLOCK):
                end = len(pending)
            if end:
                block = bytes(pending[:end])
                del pending[:end]
                yield from self._decode(block)
            elif len(pending) > MAX_LINE:
                self._count += 1
                self.lossy[self._count] = (
                    bytes(pending[:200]),
                    f"the line is longer than {MAX_LINE} bytes",
                )
                skipping = True

    def _last_break(self, data: bytearray, limit: int | None = None) -> int:
        """
        The end of the last whole line in *data*, or in its first *limit* bytes (0: none).
        """
        newline, unit = self._newline, self._unit
        hi = len(data) if limit is None else min(limit, len(data))
        while (i := data.rfind(newline, 0, hi)) >= 0:
            if i % unit == 0:
                return i + len(newline)
            hi = i + len(newline) - 1
        return 0

    def _first_break(self, data: bytes | bytearray, start: int = 0) -> int:
        """
        The end of the first whole line in *data* from *start* (-1 when there is none).
        """
        newline, unit = self._newline, self._unit
        while (i := data.find(newline, start)) >= 0:
            if i % unit == 0:
                return i + len(newline)
            start = i + 1
        return -1

    def _decode(self, block: bytes) -> Iterator[str]:
        try:
            text = block.decode(self.encoding)
        except UnicodeDecodeError:
            yield from self._decode_lines(block)
            return
        lines = io.StringIO(text, newline="").readlines()
        self._count += len(lines)
        yield from lines

    def _decode_lines(self, block: bytes) -> Iterator[str]:
        start = 0
        while start < len(block):
            end = self._first_break(block, start)
            end = len(block) if end < 0 else end
            piece, start = block[start:end], end
            try:
                lines = io.StringIO(piece.decode(self.encoding), newline="").readlines()
            except UnicodeDecodeError as exc:
                bad = exc.object[exc.start : exc.end]
                why = f"bytes {bad!r} are not valid {self.encoding}"
                text = piece.decode(self.encoding, "replace")
                lines = io.StringIO(text, newline="").readlines()
                for k in range(len(lines)):
                    self.lossy[self._count + k + 1] = (piece[:1_000], why)
            self._count += len(lines)
            yield from lines


class TextLines:
    """
    The lines of an open text file, for `csv.reader`, with those too long to read.

    Lines are read at most `MAX_LINE` characters at a time, so a file without line breaks
    cannot fill memory; a longer line is skipped to its end and marked `lossy`, as `Lines`
    does.
    """

    def __init__(self, stream: TextIO, source: str) -> None:
        self.lossy: dict[int, tuple[bytes, str]] = {}
        self._stream = stream
        self._source = source

    def __iter__(self) -> Iterator[str]:
        return self._run()

    def _run(self) -> Iterator[str]:
        count = 0
        skipping = False
        while line := self._readline():
            whole = line.endswith(("\n", "\r"))
            if skipping:
                skipping = not whole
                if whole:
                    yield "\n"  # stands for the long line, so the numbers stay right
                continue
            count += 1
            if not whole and len(line) >= MAX_LINE:
                shown = line[:200].encode("utf-8", "backslashreplace")
                self.lossy[count] = (shown, f"the line is longer than {MAX_LINE} characters")
                skipping = True
                continue
            yield line
        if skipping:
            yield "\n"

    def _readline(self) -> str:
        try:
            return self._stream.readline(MAX_LINE)
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"the text file cannot decode its bytes ({exc.reason}); open it in binary "
                "mode ('rb') so that recordkit detects the encoding and quarantines only "
                "the rows that do not decode",
                source=self._source,
            ) from None
