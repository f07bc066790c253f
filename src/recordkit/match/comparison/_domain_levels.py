"""
Levels for names, dates, places and numbers: nicknames, swapped fields, date slips.

They follow the same protocol as the text levels in `recordkit.match.comparison._levels`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs
import numpy as np

from recordkit._errors import SchemaError, shorten
from recordkit.match._check import number
from recordkit.match.comparison._graded import Similar, Within
from recordkit.match.comparison._levels import (
    Bools,
    Exact,
    Feats,
    Level,
    Rows,
    label_of,
    present,
)

__all__ = [
    "DateSwap",
    "DateWithin",
    "NameFamily",
    "NumberWithin",
    "Prefix",
    "Swapped",
    "level_from_dict",
]


@attrs.frozen
class NameFamily(Level):
    """
    The first names belong to one name family (Bob/Robert, Liz/Elizabeth).

    The families come from the bundled nickname table (or the comparison's own).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "name_family"
    label: str | None = None

    def features(self, column: str) -> tuple[str, ...]:
        """
        The family ids of each name.
        """
        return (f"nick:{column}",)

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Any family shared.
        """
        a, b = left[f"nick:{column}"], right[f"nick:{column}"]
        if len(a) == 0:
            return np.zeros(0, dtype=np.bool_)
        same = (a[:, :, None] == b[:, None, :]) & (a[:, :, None] >= 0)
        return np.asarray(same.any(axis=(1, 2)), dtype=np.bool_)

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        Any family shared by row *i* of *left* and row *j* of *right*.
        """
        key = f"nick:{column}"
        theirs = set(right[key][j].tolist())
        return any(f >= 0 and f in theirs for f in left[key][i].tolist())

    def _test_list(self, mine: Sequence[Any], theirs: Sequence[list[Any]]) -> list[bool]:
        """
        Any family shared with each candidate.
        """
        families = [f for f in mine[0] if f >= 0]
        return [any(f in row for f in families) for row in theirs[0]]

    def describe(self, column: str) -> str:
        """
        ``nickname``.
        """
        return label_of(self, "nickname / same name family")


@attrs.frozen
class Swapped(Level):
    """
    The column and *other* are swapped between the records (first and last names).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "swapped"
    other: str = ""
    label: str | None = None

    def features(self, column: str) -> tuple[str, ...]:
        """
        Both columns' values.
        """
        return (f"value:{column}", f"value:{self.other}")

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        ``left[column] == right[other]`` and ``left[other] == right[column]``, not all equal.
        """
        a1, a2 = left[f"value:{column}"], left[f"value:{self.other}"]
        b1, b2 = right[f"value:{column}"], right[f"value:{self.other}"]
        hit = (a1 == b2) & (a2 == b1) & (a1 != a2) & present(a1) & present(a2)
        return np.asarray(hit, dtype=np.bool_)

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        The two columns swapped between row *i* of *left* and row *j* of *right*.
        """
        mine, other = f"value:{column}", f"value:{self.other}"
        a1, a2, b1, b2 = left[mine][i], left[other][i], right[mine][j], right[other][j]
        if a1 is None or a2 is None:
            return False
        return bool(a1 == b2) and bool(a2 == b1) and bool(a1 != a2)

    def _test_list(self, mine: Sequence[Any], theirs: Sequence[list[Any]]) -> list[bool]:
        """
        The two columns swapped with each candidate.
        """
        a1, a2 = mine
        if a1 is None or a2 is None or not bool(a1 != a2):
            return [False] * len(theirs[0])
        return [bool(a1 == b2) and bool(a2 == b1) for b1, b2 in zip(*theirs, strict=True)]

    def describe(self, column: str) -> str:
        """
        ``swapped with last_name``.
        """
        return label_of(self, f"swapped with {self.other}")


@attrs.frozen
class DateSwap(Level):
    """
    The same year, with day and month swapped (03/07 against 07/03).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "date_swap"
    label: str | None = None

    def features(self, column: str) -> tuple[str, ...]:
        """
        Date parts.
        """
        return (f"date:{column}",)

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Year equal, month of one is the day of the other and the reverse.
        """
        a, b = left[f"date:{column}"], right[f"date:{column}"]
        if len(a) == 0:
            return np.zeros(0, dtype=np.bool_)
        hit = (
            (a[:, 0] >= 0)
            & (a[:, 0] == b[:, 0])
            & (a[:, 1] == b[:, 2])
            & (a[:, 2] == b[:, 1])
            & (a[:, 1] != a[:, 2])
        )
        return np.asarray(hit, dtype=np.bool_)

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        Day and month swapped between row *i* of *left* and row *j* of *right*, in one year.
        """
        key = f"date:{column}"
        a: list[int] = left[key][i].tolist()
        b: list[int] = right[key][j].tolist()
        return a[0] >= 0 and a[0] == b[0] and a[1] == b[2] and a[2] == b[1] and a[1] != a[2]

    def _test_list(self, mine: Sequence[Any], theirs: Sequence[list[Any]]) -> list[bool]:
        """
        Day and month swapped with each candidate, in one year.
        """
        y, m, d, _ = mine[0]
        if y < 0 or m == d:
            return [False] * len(theirs[0])
        return [b[0] == y and b[2] == m and b[1] == d for b in theirs[0]]

    def describe(self, column: str) -> str:
        """
        ``day and month swapped``.
        """
        return label_of(self, "day and month swapped")


@attrs.frozen
class DateWithin(Level):
    """
    Two dates at most *days* apart.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "date_within"
    days: int = 31
    label: str | None = None

    def features(self, column: str) -> tuple[str, ...]:
        """
        Date parts (with the ordinal day).
        """
        return (f"date:{column}",)

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Both real dates, the difference within *days*.
        """
        a, b = left[f"date:{column}"], right[f"date:{column}"]
        if len(a) == 0:
            return np.zeros(0, dtype=np.bool_)
        da, db = a[:, 3], b[:, 3]
        return np.asarray((da >= 0) & (db >= 0) & (np.abs(da - db) <= self.days), dtype=np.bool_)

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        Row *i* of *left* and row *j* of *right* both real dates, at most *days* apart.
        """
        key = f"date:{column}"
        da, db = int(left[key][i][3]), int(right[key][j][3])
        return da >= 0 and db >= 0 and abs(da - db) <= self.days

    def _test_list(self, mine: Sequence[Any], theirs: Sequence[list[Any]]) -> list[bool]:
        """
        Both real dates, at most *days* apart, for each candidate.
        """
        da = mine[0][3]
        if da < 0:
            return [False] * len(theirs[0])
        return [b[3] >= 0 and abs(da - b[3]) <= self.days for b in theirs[0]]

    def describe(self, column: str) -> str:
        """
        ``within 31 days``.
        """
        return label_of(self, f"within {self.days} days")


@attrs.frozen
class Prefix(Level):
    """
    The first *length* characters are equal (postcode district, street number).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "prefix"
    length: int = 3
    label: str | None = None

    def features(self, column: str) -> tuple[str, ...]:
        """
        The prefixes.
        """
        return (f"prefix{self.length}:{column}",)

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Equal prefixes, present on both sides.
        """
        key = f"prefix{self.length}:{column}"
        a, b = left[key], right[key]
        return np.asarray((a == b) & present(a), dtype=np.bool_)

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        Equal prefixes at row *i* of *left* and row *j* of *right*, present on both sides.
        """
        key = f"prefix{self.length}:{column}"
        a = left[key][i]
        return a is not None and bool(a == right[key][j])

    def _test_list(self, mine: Sequence[Any], theirs: Sequence[list[Any]]) -> list[bool]:
        """
        Equal prefixes, present on both sides, for each candidate.
        """
        a = mine[0]
        if a is None:
            return [False] * len(theirs[0])
        return [bool(a == b) for b in theirs[0]]

    def describe(self, column: str) -> str:
        """
        ``first 3 characters``.
        """
        return label_of(self, f"first {self.length} characters")


@attrs.frozen
class NumberWithin(Level):
    """
    Two numbers within *absolute* of each other, or within *relative* (a fraction).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "number_within"
    absolute: float | None = None
    relative: float | None = None
    label: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.absolute is None and self.relative is None:
            raise SchemaError("number_within needs 'absolute' or 'relative'")
        for name in ("absolute", "relative"):
            if getattr(self, name) is not None:
                number(getattr(self, name), name)

    def features(self, column: str) -> tuple[str, ...]:
        """
        The values as floats.
        """
        return (f"num:{column}",)

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Within the absolute or relative tolerance (NaN never is).
        """
        a, b = left[f"num:{column}"], right[f"num:{column}"]
        hit = np.zeros(len(a), dtype=np.bool_)
        # near the float limits a difference overflows to infinity, as plain Python's does
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(a - b)
            if self.absolute is not None:
                hit |= diff <= self.absolute
            if self.relative is not None:
                hit |= diff <= self.relative * np.maximum(np.abs(a), np.abs(b))
        return hit

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        Row *i* of *left* and row *j* of *right* within the tolerance (NaN never is).
        """
        key = f"num:{column}"
        return self._near(float(left[key][i]), float(right[key][j]))

    def _near(self, a: float, b: float) -> bool:
        diff = abs(a - b)
        if diff != diff:  # NaN: a side missing, or inf against inf
            return False
        if self.absolute is not None and diff <= self.absolute:
            return True
        return self.relative is not None and diff <= self.relative * max(abs(a), abs(b))

    def _test_list(self, mine: Sequence[Any], theirs: Sequence[list[Any]]) -> list[bool]:
        """
        Within the absolute or relative tolerance of each candidate (NaN never is).
        """
        a = float(mine[0])
        return [self._near(a, float(b)) for b in theirs[0]]

    def describe(self, column: str) -> str:
        """
        ``within 5`` or ``within 10%``.
        """
        parts = []
        if self.absolute is not None:
            parts.append(f"within {self.absolute:g}")
        if self.relative is not None:
            parts.append(f"within {self.relative:.0%}")
        return label_of(self, " or ".join(parts))


_LEVELS: Final[dict[str, type[Level]]] = {
    cls.kind: cls
    for cls in (Exact, Similar, Within, NameFamily, Swapped, DateSwap, DateWithin, Prefix)
}
_LEVELS[NumberWithin.kind] = NumberWithin


def level_from_dict(data: Mapping[str, object] | Level) -> Level:
    """
    Build a level from plain data (``{"kind": "similar", "metric": ..., "threshold": ...}``).

    Raises:
        SchemaError: unknown kind or options, with the valid kinds.

    .. versionadded:: 0.1.0
    """
    if isinstance(data, Level):
        return data
    if not isinstance(data, Mapping):
        raise SchemaError(f"a level is a mapping, got {shorten(data)}")
    options = dict(data)
    kind = options.pop("kind", None)
    cls = _LEVELS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise SchemaError(
            f"unknown level kind {shorten(kind)}; one of {', '.join(sorted(_LEVELS))}"
        )
    try:
        return cls(**options)
    except TypeError as exc:
        raise SchemaError(f"level {kind!r}: {exc}"[:300]) from None
