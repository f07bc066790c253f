"""
A comparison worked out for few pairs: pair by pair, and one new record against many.

The batch road compares whole arrays of pairs (`Comparison.compare`); a point-of-entry
lookup compares one new record with a handful of candidates, where numpy's cost per call
outweighs its speed. A `Plan` holds what a comparison's levels need for that, made once: per
level its way (equality, a shared score, or the level's own test), feature and cutoff; and
per feature the function that makes it from one value. Every answer equals the array road's
(the tests hold them to it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import SchemaError, shorten
from recordkit.match._features import (
    DATE_PARTS,
    EMAIL_KEY,
    EMAIL_LOCAL,
    digits,
    family_function,
    number_or_nan,
)
from recordkit.match.comparison._graded import Similar, Within
from recordkit.match.comparison._levels import FEW, Exact, Level, Rows

__all__ = ["FAMILY_WIDTH", "PREFIX", "Plan", "prefix"]

FAMILY_WIDTH: Final = 4
"""
Name families kept per name; more is rare.
"""
PREFIX: Final = re.compile(r"prefix(\d+)")
"""
The ``prefixN`` feature kinds.
"""
_EXACT, _GRADED, _OTHER = 0, 1, 2  # how a level is tested
_Step = tuple[int, int, str, tuple[str, str], float, Callable[..., Any], Callable[..., Any], Level]
"""
One level: number, how, feature key, shared score key, cutoff, the level's functions, and the
level.
"""
_Feature = tuple[str, str, Callable[[object], object], Any]
"""
One feature made value by value: key, column, function, dtype.
"""


def _none(*_: object) -> None:
    return None


def _same(value: object) -> object:
    return value


def _is_value(value: object) -> bool:
    return value is not None


@attrs.frozen
class FirstChars:
    """
    The first *n* characters of a text value (``None`` when shorter or not text).

    A callable object, not a closure, so a comparison holding it pickles.
    """

    n: int

    def __call__(self, value: object) -> object:
        """
        *value*'s first *n* characters.
        """
        n = self.n
        return value[:n] if isinstance(value, str) and len(value) >= n else None


def prefix(n: int) -> Callable[[object], object]:
    """
    The first *n* characters of a text value (`FirstChars`).
    """
    return FirstChars(n)


def _feature_of_one(
    key: str, families: Mapping[str, tuple[str, ...]] | None, family_index: Mapping[str, int]
) -> _Feature:
    """
    How the array road makes feature *key*: the same functions, one value at a time.
    """
    kind, _, column = key.partition(":")
    fn: Callable[[object], object]
    dtype: Any = object
    if kind == "value":
        fn = _same
    elif kind == "present":
        fn, dtype = _is_value, np.bool_
    elif kind == "email_key":
        fn = EMAIL_KEY
    elif kind == "email_local":
        fn = EMAIL_LOCAL
    elif kind == "digits":
        fn = digits
    elif kind == "date":
        fn, dtype = DATE_PARTS, np.int64
    elif kind == "num":
        fn, dtype = number_or_nan, np.float64
    elif kind == "nick":
        fn = family_function(families or {}, family_index, FAMILY_WIDTH)
        dtype = np.int32
    elif m := PREFIX.fullmatch(kind):
        fn = prefix(int(m[1]))
    else:
        raise SchemaError(f"unknown comparison feature {shorten(key)}")
    return key, column, fn, dtype


@attrs.frozen
class Plan:
    """
    How one comparison is worked out pair by pair, and one new record against many.

    Made with `of` from a comparison's name, primary column (and whether it reads that
    column only: then its features are functions of the value), levels, shared-score
    cutoffs, feature keys and name families.
    """

    name: str
    primary: str
    single: bool
    steps: tuple[_Step, ...]
    features: tuple[_Feature, ...]

    @classmethod
    def of(
        cls,
        name: str,
        primary: str,
        single: bool,
        levels: Sequence[Level],
        cutoffs: Mapping[tuple[str, str], float],
        keys: Sequence[str],
        families: Mapping[str, tuple[str, ...]] | None,
        family_index: Mapping[str, int],
    ) -> Plan:
        """
        The plan of a comparison (see the class), each level's way worked out once.

        Raises:
            SchemaError: a level reads a feature no comparison knows.
        """
        steps: list[_Step] = []
        for k, lv in enumerate(levels, start=1):
            step: _Step
            if isinstance(lv, Similar | Within):
                key = f"{lv.feature}:{primary}"
                cutoff = cutoffs[lv.score_key]
                step = (k, _GRADED, key, lv.score_key, cutoff, lv._score_pair, lv._passes_one, lv)
            elif isinstance(lv, Exact) and lv.feature == "value":
                step = (k, _EXACT, f"value:{primary}", ("", ""), 0.0, _none, _none, lv)
            else:
                step = (k, _OTHER, "", ("", ""), 0.0, lv._test_one, _none, lv)
            steps.append(step)
        made = tuple(_feature_of_one(key, families, family_index) for key in keys)
        return cls(name, primary, single, tuple(steps), made)

    @property
    def present_key(self) -> str:
        """
        The feature saying whether a row holds a value.
        """
        return f"present:{self.primary}"

    def features_of(self, values: Mapping[str, Sequence[object]]) -> dict[str, npt.NDArray[Any]]:
        """
        The feature arrays of a few records, from their prepared *values* (lists by column).

        What the comparison's `features` gives for those rows, each feature made value by
        value, without the array work per feature (a point-of-entry lookup prepares one
        record, and reads a few candidates' stored values).

        Raises:
            SchemaError: a column the comparison reads is not in *values*.
        """
        out: dict[str, npt.NDArray[Any]] = {}
        for key, column, fn, dtype in self.features:
            if column not in values:
                raise SchemaError(
                    f"comparison {self.name!r} reads column {column!r}, which the data lacks",
                    path=self.name,
                )
            made = [fn(v) for v in values[column]]
            if dtype is object:
                cells = np.empty(len(made), dtype=object)
                for i, value in enumerate(made):
                    cells[i] = value
                out[key] = cells
            else:
                out[key] = np.array(made, dtype=dtype)
        return out

    def one(self, left: Rows, i: int, right: Rows, j: int) -> int:
        """
        The level of the pair of row *i* of *left* and row *j* of *right* (whole arrays).

        The two sides may be the same arrays (a batch) or not (a new record against an
        index).
        """
        present = self.present_key
        if not (left[present][i] and right[present][j]):
            return 0
        shared: dict[tuple[str, str], float] = {}
        for k, how, key, score_key, cutoff, first, then, _ in self.steps:
            if how == _EXACT:
                hit = bool(left[key][i] == right[key][j])  # both present here
            elif how == _GRADED:  # first scores a pair of values, then says if it passes
                score = shared.get(score_key)
                if score is None:
                    score = shared[score_key] = first(left[key][i], right[key][j], cutoff)
                hit = then(score)
            else:  # first tests the rows
                hit = first(left, i, right, j, self.primary)
            if hit:
                return k
        return len(self.steps) + 1

    def against(self, left: Rows, right: Rows, rows: npt.NDArray[np.int64]) -> list[int]:
        """
        The level of row 0 of *left* (a new record) against each of *rows* of *right*.

        The levels `one` gives each pair. Past a few candidates they are worked out level
        by level over all the candidates at once: each feature read once, each similarity
        in one rapidfuzz call, a comparison of one column once per distinct value among the
        candidates (candidates found by a shared surname or postcode share it).
        """
        if len(rows) <= FEW:  # a call per pair costs less than the work per level here
            return [self.one(left, 0, right, j) for j in rows.tolist()]
        if self.single:
            values = right[f"value:{self.primary}"][rows].tolist()
            codes: dict[object, int] = {}
            firsts: list[int] = []
            shape: list[int] = []
            try:
                for t, v in enumerate(values):
                    # text (the usual value) is its own key, as text equals text only;
                    # another value goes with its type (1, 1.0 and True stay apart)
                    code = codes.setdefault(
                        v if v.__class__ is str else (v.__class__, v), len(firsts)
                    )
                    if code == len(firsts):
                        firsts.append(t)
                    shape.append(code)
            except TypeError:  # an unhashable value: every candidate on its own
                firsts = []
            if firsts and len(firsts) < len(rows):
                once = self._each(left, right, rows[firsts])
                return [once[c] for c in shape]
        return self._each(left, right, rows)

    def _each(self, left: Rows, right: Rows, rows: npt.NDArray[np.int64]) -> list[int]:
        """
        `against`, every candidate on its own, level by level.
        """
        n = len(rows)
        present = self.present_key
        if not left[present][0]:
            return [0] * n
        here = right[present][rows].tolist()
        last = len(self.steps) + 1
        out = [last if h else 0 for h in here]
        todo = [t for t, h in enumerate(here) if h]
        column: dict[str, list[Any]] = {}  # each feature over the candidates, read once
        shared: dict[tuple[str, str], dict[int, float]] = {}  # scores by candidate
        for k, how, key, score_key, cutoff, _, then, level in self.steps:
            if not todo:
                break
            if how == _OTHER:
                hits = self._listed(level, left, right, rows, todo, column)
            else:
                theirs = column.get(key)
                if theirs is None:
                    theirs = column[key] = right[key][rows].tolist()
                mine = left[key][0]
                if how == _EXACT:
                    hits = [bool(mine == theirs[t]) for t in todo]
                else:  # scored once for every candidate still open, shared by the levels
                    scores = shared.get(score_key)
                    if scores is None:
                        assert isinstance(level, Similar | Within)
                        found = level._score_against(mine, [theirs[t] for t in todo], cutoff)
                        shared[score_key] = dict(zip(todo, found, strict=True))
                        hits = list(map(then, found))
                    else:
                        hits = [then(scores[t]) for t in todo]
            if True in hits:  # the candidates at this level leave; the others go on
                rest = []
                for t, hit in zip(todo, hits, strict=True):
                    if hit:
                        out[t] = k
                    else:
                        rest.append(t)
                todo = rest
        return out

    def _listed(
        self,
        level: Level,
        left: Rows,
        right: Rows,
        rows: npt.NDArray[np.int64],
        todo: list[int],
        column: dict[str, list[Any]],
    ) -> list[bool]:
        """
        Whether row 0 of *left* falls into *level* with each of the candidates *todo*.

        The level's test in lists (`Level._test_list`) over the features of *column* (read
        on first need), else its array test (the new record's row repeated).
        """
        keys = level.features(self.primary)
        for key in keys:
            if key not in column:
                column[key] = right[key][rows].tolist()
        mine = [left[key][:1].tolist()[0] for key in keys]
        hits = level._test_list(mine, [[column[key][t] for t in todo] for key in keys])
        if hits is None:  # a level with only an array test
            picked = rows[todo]
            repeated = {
                k: np.broadcast_to(left[k][:1], (len(picked), *left[k].shape[1:])) for k in keys
            }
            theirs = {k: right[k][picked] for k in keys}
            hits = level.test(repeated, theirs, self.primary).tolist()
        return hits
