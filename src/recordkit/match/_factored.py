"""
Columns held as codes into their distinct values, and pair features gathered lazily.

A million-row column with a hundred thousand distinct values is normalized, featurized and
keyed a hundred thousand times, then expanded to rows with a numpy take.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["Factored", "Gathered", "Objects"]

Objects = npt.NDArray[np.object_]


def _first_seen(cells: list[Any], table: dict[Any, int]) -> npt.NDArray[np.int64]:
    """
    Dense codes of *cells* in order of first appearance; *table* ends as value → first row.

    One hashing pass in C (``map`` over ``dict.setdefault``), no Python step per cell.

    Raises:
        TypeError: a cell is unhashable.
    """
    n = len(cells)
    first = np.fromiter(map(table.setdefault, cells, range(n)), dtype=np.int64, count=n)
    rows = np.fromiter(table.values(), dtype=np.int64, count=len(table))
    dense = np.empty(n, dtype=np.int64)
    dense[rows] = np.arange(len(rows))
    out: npt.NDArray[np.int64] = dense[first]
    return out


@attrs.frozen(eq=False)
class Factored:
    """
    A column as codes into its distinct values: work per distinct value, then a take.

    .. versionadded:: 0.1.0
    """

    codes: npt.NDArray[np.int64]
    uniques: Objects
    _memo: dict[Any, Any] = attrs.field(init=False, factory=dict, repr=False)

    @classmethod
    def of(cls, values: Sequence[Any] | Objects | Factored) -> Factored:
        """
        Factor *values* (a sequence or an object array) by equality.
        """
        if isinstance(values, Factored):
            return values
        cells: list[Any]
        if isinstance(values, np.ndarray):
            cells = values.tolist()
        else:
            cells = values if type(values) is list else list(values)  # only read
        if len(cells) == 1:  # one record at the point of entry: nothing to factor
            one = np.empty(1, dtype=object)
            one[0] = cells[0]
            return cls(np.zeros(1, dtype=np.int64), one)
        table: dict[Any, int] = {}
        try:
            codes = _first_seen(cells, table)
        except TypeError:  # an unhashable cell: each such cell is its own value
            table = {}
            extra: list[Any] = []
            out = []
            for v in cells:
                try:
                    out.append(table.setdefault(v, len(table)))
                except TypeError:
                    extra.append(v)
                    out.append(-len(extra))
            n = len(table)
            codes = np.array([c if c >= 0 else n - c - 1 for c in out], dtype=np.int64)
            uniques = np.empty(n + len(extra), dtype=object)
            uniques[:n] = list(table)
            uniques[n:] = extra
            return cls(codes, uniques)
        uniques = np.empty(len(table), dtype=object)
        uniques[:] = list(table)
        return cls(codes, uniques)

    def __len__(self) -> int:
        return len(self.codes)

    def values(self) -> Objects:
        """
        The column, row by row (read-only: computed once and shared).
        """
        if "values" not in self._memo:
            rows = self.uniques[self.codes] if len(self.uniques) else self._empty()
            rows.flags.writeable = False  # shared by every reader
            self._memo["values"] = rows
        out: Objects = self._memo["values"]
        return out

    def _empty(self) -> Objects:
        return np.full(len(self.codes), None, dtype=object)

    def map(self, fn: Callable[[Any], Any]) -> Factored:
        """
        *fn* applied once per distinct value (the codes stay).

        The result is kept: a feature and a blocking key derived with the same function
        (the canonical mailbox, say) are computed once.
        """
        if fn not in self._memo:
            uniques = np.empty(len(self.uniques), dtype=object)
            uniques[:] = [fn(u) for u in self.uniques.tolist()]
            self._memo[fn] = Factored(self.codes, uniques)
        made: Factored = self._memo[fn]
        return made

    @property
    def is_text(self) -> bool:
        """
        Whether every value is text or ``None``.
        """
        if "is_text" not in self._memo:
            kinds = set(map(type, self.uniques.tolist()))  # map and set run in C
            self._memo["is_text"] = kinds <= {str, type(None)}
        return bool(self._memo["is_text"])

    def present(self) -> npt.NDArray[np.bool_]:
        """
        Per row, whether it holds a value (is not ``None``).
        """
        cells = self.uniques.tolist()
        per_unique = np.fromiter(map(operator.is_not, cells, itertools.repeat(None)), np.bool_)
        if not len(per_unique):
            return np.zeros(len(self.codes), dtype=np.bool_)
        out: npt.NDArray[np.bool_] = per_unique[self.codes]
        return out

    def rows(self, fn: Callable[[Any], Any], dtype: Any, width: int | None = None) -> Any:
        """
        *fn* per distinct value as a numeric array, expanded to rows.
        """
        out = [fn(u) for u in self.uniques.tolist()]
        shape = (len(out),) if width is None else (len(out), width)
        table = np.array(out, dtype=dtype).reshape(shape)
        if not len(table):
            return np.zeros((len(self.codes), *shape[1:]), dtype=dtype)
        return table[self.codes]

    def value_codes(self, *, blank_is_missing: bool = False) -> npt.NDArray[np.int64]:
        """
        Per distinct entry, a code of its value: entries holding equal values share one.

        ``None`` gets ``-1`` (and ``""`` too with *blank_is_missing*). Distinct raw values
        often share a prepared value (``"Ann "`` and ``"ann"``); this joins them without a
        Python step per value.
        """
        if "value_codes" not in self._memo:
            table: dict[Any, int] = {}
            codes = _first_seen(self.uniques.tolist(), table)
            if None in table:
                codes[codes == codes[table[None]]] = -1
            self._memo["value_codes"] = codes
        out: npt.NDArray[np.int64] = self._memo["value_codes"]
        if blank_is_missing:
            if "value_codes_blank" not in self._memo:
                blank = np.asarray(self.uniques == "", dtype=np.bool_)
                self._memo["value_codes_blank"] = np.where(blank, -1, out) if blank.any() else out
            out = self._memo["value_codes_blank"]
        return out

    def value_rows(self) -> tuple[npt.NDArray[np.int64], int]:
        """
        Per row, a code of its value (``None`` included, as the last code); and the count.
        """
        if "value_rows" not in self._memo:
            per_unique = self.value_codes()
            count = int(per_unique.max(initial=-1)) + 2
            rows = np.where(per_unique < 0, count - 1, per_unique)[self.codes]
            self._memo["value_rows"] = (rows, count)
        made: tuple[npt.NDArray[np.int64], int] = self._memo["value_rows"]
        return made

    def recode(self, fn: Callable[[Any], Any] | None = None) -> npt.NDArray[np.int64]:
        """
        Codes of ``fn(value)`` per row, equal results sharing a code; ``-1`` for ``None``.

        Without *fn*, codes of the values themselves (``None`` and ``""`` get ``-1``),
        computed without a Python step per value.
        """
        per_unique: npt.NDArray[np.int64]
        if fn is None:
            per_unique = self.value_codes(blank_is_missing=True)
        else:
            seen: dict[Any, int] = {}
            per_unique = np.fromiter(
                (
                    -1 if (r := fn(u)) is None else seen.setdefault(r, len(seen))
                    for u in self.uniques.tolist()
                ),
                dtype=np.int64,
                count=len(self.uniques),
            )
        if not len(per_unique):
            return np.full(len(self.codes), -1, dtype=np.int64)
        out: npt.NDArray[np.int64] = per_unique[self.codes]
        return out


class Gathered(Mapping[str, npt.NDArray[Any]]):
    """
    Row features gathered lazily for one side of many pairs.

    ``take`` fetches only the pairs still undecided, so a feature that only deep levels
    read is never gathered whole.

    .. versionadded:: 0.1.0
    """

    def __init__(self, features: Mapping[str, npt.NDArray[Any]], rows: npt.NDArray[np.int64]):
        self._features = features
        self._rows = rows
        self._done: dict[str, npt.NDArray[Any]] = {}

    def __getitem__(self, key: str) -> npt.NDArray[Any]:
        if key not in self._done:
            self._done[key] = self._features[key][self._rows]
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._features)

    def __len__(self) -> int:
        return len(self._features)

    def take(self, key: str, pairs: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
        """
        Feature *key* for the given pairs only.
        """
        if key in self._done:
            return self._done[key][pairs]
        return self._features[key][self._rows[pairs]]
