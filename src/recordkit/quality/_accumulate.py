"""
Profiling one column chunk by chunk: exact counts, and sketches updated per distinct value.

Each chunk's column is counted first (`collections.Counter`, in C), so a value repeated a
thousand times costs one sketch update with weight 1,000, and shapes are computed once per
distinct value of the chunk (`shapes_of`).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np

from recordkit.quality._field import FieldProfile
from recordkit.quality._shapes import shapes_of
from recordkit.quality._sketch import FREQUENT_LG_MAX_K, HLL_LG_K, KLL_K, datasketches
from recordkit.schema import Money

__all__ = ["FieldAccumulator"]

_EPOCH_DAY: Final = dt.date(1970, 1, 1).toordinal()


def _text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # a hostile __str__ still has a type
        return f"<{type(value).__name__}>"


def _counted(column: Sequence[object]) -> Counter[Any]:
    try:
        return Counter(column)
    except TypeError:  # unhashable cells (lists, dicts): counted by their text
        return Counter(v if v is None or type(v) is str else _text(v) for v in column)


class _Numbers:
    """
    The numbers and dates of one chunk, each with its count, for the quantile sketches.
    """

    def __init__(self) -> None:
        self.numbers: list[float] = []
        self.numbers_n: list[int] = []
        self.times: list[float] = []
        self.times_n: list[int] = []
        self.datetimes = False

    def add(self, value: object, n: int) -> None:
        kind = type(value)
        if kind is int or kind is float:
            try:
                number = float(value)  # type: ignore[arg-type]  # an int or a float
            except OverflowError:  # an int beyond any float
                return
        elif isinstance(value, decimal.Decimal):
            if not value.is_finite():
                return
            number = float(value)
        elif isinstance(value, Money):
            number = float(value.amount)
        elif kind is dt.date:
            self.times.append(float(value.toordinal() - _EPOCH_DAY))  # type: ignore[attr-defined]
            self.times_n.append(n)
            return
        elif isinstance(value, dt.datetime):
            aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
            self.times.append(aware.timestamp() / 86_400)
            self.times_n.append(n)
            self.datetimes = True
            return
        else:
            return
        if number == number and abs(number) != float("inf"):
            self.numbers.append(number)
            self.numbers_n.append(n)


class FieldAccumulator:
    """
    One field's counts and live sketches while a profile runs.
    """

    def __init__(self, name: str, rows: int, *, rules: bool) -> None:
        ds = datasketches()
        self.name = name
        self.rows = rows  # rows before the field first appeared were blank
        self.filled = 0
        self.invalid: int | None = 0 if rules else None
        self.datetimes = False
        self.distinct = ds.hll_sketch(HLL_LG_K, ds.HLL_8)
        self.values = ds.frequent_strings_sketch(FREQUENT_LG_MAX_K)
        self.shapes = ds.frequent_strings_sketch(FREQUENT_LG_MAX_K)
        self.numbers: Any = None
        self.times: Any = None

    def blanks(self, length: int) -> None:
        """
        Count *length* rows in which the field is absent.
        """
        self.rows += length

    def add(
        self,
        column: Sequence[object],
        *,
        typed: Sequence[object] | None = None,
        invalid: int = 0,
    ) -> None:
        """
        Count one chunk's cells; quantiles read *typed* (the normalized cells) when given.
        """
        self.rows += len(column)
        if self.invalid is not None:
            self.invalid += invalid
        counts = _counted(column)
        blank = counts.pop(None, 0) + counts.pop("", 0)
        keys = list(counts)
        # Text is what most columns hold: taken apart with comprehensions and fed to the
        # sketches with map(), C-level loops, once per distinct value.
        texts = [k for k in keys if type(k) is str]
        n_text = len(texts)
        if any(map(str.isspace, texts)):
            blank += sum(counts[t] for t in texts if t.isspace())
            texts = [t for t in texts if not t.isspace()]
        weights = list(map(counts.__getitem__, texts))
        found = _Numbers()
        if len(keys) > n_text:
            others = [k for k in keys if type(k) is not str]
            blank += sum(counts[k] for k in others if type(k) is float and k != k)
            more, more_n = self._others(others, counts, found if typed is None else None)
            texts.extend(more)
            weights.extend(more_n)
        self.filled += len(column) - blank
        deque(map(self.distinct.update, texts), maxlen=0)
        deque(map(self.values.update, texts, weights), maxlen=0)
        shapes = shapes_of(texts)
        if len(weights) == len(column) - blank:  # every value once: count the shapes in C
            shape_counts: Mapping[str, int] = Counter(shapes)
        else:
            tally: dict[str, int] = {}
            get = tally.get
            for shape, n in zip(shapes, weights, strict=True):
                tally[shape] = get(shape, 0) + n
            shape_counts = tally
        deque(map(self.shapes.update, shape_counts, shape_counts.values()), maxlen=0)
        if typed is not None:
            for value, n in _counted(typed).items():
                if value is not None and type(value) is not str:
                    found.add(value, n)
        self._quantiles(found)

    @staticmethod
    def _others(
        others: list[Any], counts: Counter[Any], found: _Numbers | None
    ) -> tuple[list[str], list[int]]:
        """
        The text and count of each value that is not text; numbers and dates to *found*.
        """
        plain = [k for k in others if (type(k) is int or type(k) is float) and k == k]
        if len(plain) == len(others):
            try:
                array = np.asarray(plain, dtype=np.float64)
            except OverflowError:  # an int beyond any float: one by one
                pass
            else:
                weights = list(map(counts.__getitem__, plain))
                if found is not None:
                    finite = np.isfinite(array)
                    found.numbers.extend(array[finite].tolist())
                    found.numbers_n.extend(np.asarray(weights)[finite].tolist())
                return list(map(str, plain)), weights
        texts, weights = [], []
        for value in others:
            if type(value) is float and value != value:
                continue
            if found is not None:
                found.add(value, counts[value])
            texts.append(_text(value))
            weights.append(counts[value])
        return texts, weights

    def _quantiles(self, found: _Numbers) -> None:
        ds = datasketches()
        if found.numbers:
            if self.numbers is None:
                self.numbers = ds.kll_doubles_sketch(KLL_K)
            self.numbers.update(np.repeat(np.asarray(found.numbers), found.numbers_n))
        if found.times:
            if self.times is None:
                self.times = ds.kll_doubles_sketch(KLL_K)
            self.times.update(np.repeat(np.asarray(found.times), found.times_n))
            self.datetimes = self.datetimes or found.datetimes

    def result(self) -> FieldProfile:
        """
        The field's profile so far.
        """
        sketches = {
            "distinct": bytes(self.distinct.serialize_compact()),
            "values": bytes(self.values.serialize()),
            "shapes": bytes(self.shapes.serialize()),
        }
        if self.numbers is not None:
            sketches["numbers"] = bytes(self.numbers.serialize())
        if self.times is not None:
            sketches["times"] = bytes(self.times.serialize())
        return FieldProfile(
            self.name,
            rows=self.rows,
            filled=self.filled,
            invalid=self.invalid,
            sketches=sketches,
            datetimes=self.datetimes,
        )
