"""
A file's first lines: which delimiter separates its cells, and which field each column is.

The delimiter is found by parsing a sample with each candidate, quotes respected (so a
``;`` inside a quoted value never counts): the candidate that splits the header into two or
more cells and the most records into as many cells as the header wins. Columns are matched
to fields by the explicit ``columns=`` mapping first, then by name, then by name folded
(case, punctuation and spaces ignored): only exact matches of the folded forms count; a near
miss is refused with suggestions, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from itertools import islice
from typing import Final, Literal

from recordkit._suggest import close_matches
from recordkit.sources._errors import SourceError

__all__ = [
    "DELIMITERS",
    "DelimiterHow",
    "Plan",
    "Unknown",
    "delimiter_of",
    "fold",
    "plan_columns",
    "sample_lines",
    "sep_line",
    "shown",
    "suggest",
]

DELIMITERS: Final = (",", ";", "\t", "|")
"""
The delimiters detected, in order of preference when two fit a sample equally well.
"""

Unknown = Literal["error", "ignore", "keep"]
DelimiterHow = Literal["declared", "file", "detected", "default"]

_SEP: Final = re.compile(r"sep=(.)\r?\n?")
_RECORDS: Final = 500


def sep_line(first: str) -> str | None:
    """
    The delimiter an Excel ``sep=;`` first line declares, if *first* is one.
    """
    found = _SEP.fullmatch(first)
    return found.group(1) if found else None


def delimiter_of(lines: Sequence[str], at_end: bool) -> tuple[str, DelimiterHow]:
    """
    The delimiter of a sample of *lines* (whole lines; *at_end*: they are the whole file).

    Returns ``","`` (``default``) when no candidate splits the header: a one-column file.
    """
    best: tuple[float, int, int] | None = None
    chosen = ","
    for rank, candidate in enumerate(DELIMITERS):
        reader = csv.reader(lines, delimiter=candidate, quotechar='"', strict=False)
        try:
            records = [r for r in islice(reader, _RECORDS) if r]
        except csv.Error:
            continue
        if len(records) > 1 and not at_end:
            records.pop()  # the sample may end inside a quoted value
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        agree = sum(len(r) == width for r in records) / len(records)
        score = (agree, width, -rank)
        if best is None or score > best:
            best, chosen = score, candidate
    return chosen, "default" if best is None else "detected"


def fold(name: str) -> str:
    """
    *name* with case, punctuation and spaces ignored: ``"E-Mail "`` → ``"email"``.
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def shown(header: Sequence[str], i: int) -> str:
    """
    Column *i* as a message names it: its header, or its position when it has none.
    """
    name = header[i]
    return repr(name) if name.strip() else f"column {i + 1} (no name)"


class Plan:
    """
    What to do with each column: the name it is read as, or ``None`` (ignored); extras.
    """

    __slots__ = ("extras", "names")

    def __init__(self, names: list[str | None], extras: list[int]) -> None:
        self.names = names
        self.extras = extras


def plan_columns(
    header: Sequence[str],
    fields: Collection[str] | None,
    columns: Mapping[str, str | None],
    unknown: Unknown,
    *,
    source: str,
    line: int,
) -> Plan:
    """
    Match the columns of *header* to *fields*.

    Without *fields* (``None``), every column is read as its own header.

    Raises:
        SourceError: a ``columns=`` key names no column or its value no field; two
            columns are read as one name; under ``unknown="error"``, columns match no
            field (all named, with suggestions and the ways out).
    """
    names: list[str | None] = [None] * len(header)
    decided = [False] * len(header)
    for key, target in columns.items():
        i = _find(header, key, decided, source, line)
        if target is not None and fields is not None and target not in fields:
            raise SourceError(
                f"columns= maps {key!r} to {target!r}, which is not a field",
                source=source,
                suggestions=close_matches(target, fields),
            )
        names[i], decided[i] = target, True
    unknowns: list[int] = []
    by_fold = _folded(fields) if fields is not None else {}
    for i, name in enumerate(header):
        if decided[i]:
            continue
        if fields is None or name in fields:
            names[i] = name
            continue
        matches = by_fold.get(fold(name), [])
        if len(matches) == 1 and name.strip():
            names[i] = matches[0]
        else:
            unknowns.append(i)
    extras: list[int] = []
    if unknowns and unknown == "error":
        assert fields is not None  # without fields every column is known
        raise _unknown_columns(header, unknowns, fields, source, line)
    if unknown == "keep":
        extras = unknowns
    _check_unique(header, names, extras, source, line)
    return Plan(names, extras)


def _find(header: Sequence[str], key: str, decided: list[bool], source: str, line: int) -> int:
    exact = [i for i, h in enumerate(header) if h == key] or [
        i for i, h in enumerate(header) if h.strip() == key.strip()
    ]
    if not exact:
        exact = [i for i, h in enumerate(header) if fold(h) == fold(key) and fold(key)]
    if len(exact) != 1 or decided[exact[0]]:
        why = "matches no column" if not exact else "matches more than one column"
        raise SourceError(
            f"columns= names {key!r}, which {why} of the header",
            source=source,
            line=line,
            suggestions=close_matches(key, [h for h in header if h.strip()]),
        )
    return exact[0]


def _folded(fields: Collection[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name in fields:
        out.setdefault(fold(name), []).append(name)
    return out


def suggest(name: str, fields: Collection[str]) -> list[str]:
    """
    Fields a column name may have meant: close in spelling, or contained in it.
    """
    folded = _folded(fields)
    key = fold(name)
    near = close_matches(key, list(folded))
    inside = [f for f in folded if len(f) >= 3 and key and (f in key or key in f)]
    out: list[str] = []
    for f in [*near, *inside]:
        for field in folded[f]:
            if field not in out:
                out.append(field)
    return out[:3]


def _unknown_columns(
    header: Sequence[str], unknowns: list[int], fields: Collection[str], source: str, line: int
) -> SourceError:
    parts = []
    example: dict[str, str] = {}
    for i in unknowns:
        hints = suggest(header[i], fields)
        part = shown(header, i)
        if hints:
            part += " (did you mean " + " or ".join(repr(h) for h in hints) + "?)"
            example.setdefault(header[i], hints[0])
        parts.append(part)
    how = f"columns={example!r}" if example else "columns={'<column>': '<field>'}"
    reason = (
        f"{len(unknowns)} column(s) match no field: {', '.join(parts)}; map them with {how}, "
        "or pass unknown='ignore' to skip them or unknown='keep' to keep them beside "
        "the rows that are quarantined"
    )
    one = len(unknowns) == 1
    return SourceError(
        reason,
        source=source,
        line=line,
        column=header[unknowns[0]] if one else None,
    )


def _check_unique(
    header: Sequence[str], names: list[str | None], extras: list[int], source: str, line: int
) -> None:
    seen: dict[str, int] = {}
    for i, name in [*((i, n) for i, n in enumerate(names) if n is not None),
                    *((i, header[i]) for i in extras)]:  # fmt: skip
        if name in seen:
            first = seen[name]
            if header[first] == header[i]:
                reason = (
                    f"the header names {name!r} twice (columns {first + 1} and {i + 1}); "
                    "rename one of them in the file"
                )
            else:
                reason = (
                    f"columns {first + 1} and {i + 1} ({shown(header, first)} and "
                    f"{shown(header, i)}) are both read as {name!r}; rename one with "
                    f"columns=, or drop one with columns={{{header[i]!r}: None}}"
                )
            raise SourceError(reason, source=source, line=line, column=name)
        seen[name] = i


def sample_lines(sample: str, at_end: bool) -> list[str]:
    """
    The whole lines of a decoded *sample* (its last, cut line dropped unless *at_end*).
    """
    lines = io.StringIO(sample, newline="").readlines()
    if lines and not at_end and not lines[-1].endswith(("\n", "\r")):
        lines.pop()
    return lines
