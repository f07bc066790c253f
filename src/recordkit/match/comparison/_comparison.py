"""
Comparators: the `Comparator` protocol and the level-list `Comparison`.

A comparator turns pairs of records into *levels* for one aspect (a field, or a few fields
read together): level 0 is always "missing" (a value absent on either side, which weighs
nothing), then the comparison's own levels from strictest to loosest, then "different".
Comparisons are declarative and round-trip to plain data; third parties add comparators
through the ``recordkit.comparators`` entry-point group (see `recordkit.match.comparison._library`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import SchemaError, shorten
from recordkit.match._check import items
from recordkit.match._factored import Factored, Gathered, Objects
from recordkit.match._features import (
    DATE_PARTS,
    EMAIL_KEY,
    EMAIL_LOCAL,
    date_parts,
    digits,
    family_function,
    family_ids,
    mapped,
    nickname_families,
    number_or_nan,
    numbers,
)
from recordkit.match.comparison._domain_levels import (
    NameFamily,
    Swapped,
    level_from_dict,
)
from recordkit.match.comparison._levels import (
    FEW,
    Exact,
    Feats,
    Level,
    Rows,
    Similar,
    Within,
    present,
)
from recordkit.schema import JSONObject

__all__ = ["Comparator", "Comparison"]

_FAMILY_WIDTH: Final = 4  # name families kept per name; more is rare
_PREFIX: Final = re.compile(r"prefix(\d+)")
_EXACT, _GRADED, _OTHER = 0, 1, 2  # how `_compare_one` tests a level
_Step = tuple[int, int, str, tuple[str, str], float, Callable[..., Any], Callable[..., Any], Level]
"""
One level in `Comparison._compare_one`: number, how, feature key, shared score key, cutoff,
the level's functions, and the level.
"""


def _none(*_: object) -> None:
    return None


@runtime_checkable
class Comparator(Protocol):
    """
    What the matcher needs from a comparator.

    ``labels[0]`` is the "missing" level and ``labels[-1]`` the "different" one;
    ``compare`` returns one level index per pair, as an ``int8`` array.

    .. versionadded:: 0.1.0
    """

    @property
    def name(self) -> str:
        """
        The comparator's name, unique within a model (usually the field name).
        """

    @property
    def columns(self) -> tuple[str, ...]:
        """
        The prepared columns it reads.
        """

    @property
    def labels(self) -> tuple[str, ...]:
        """
        One human label per level.
        """

    @property
    def term_frequency(self) -> bool:
        """
        Whether the first level's weight is adjusted by how common the value is.
        """

    def features(self, columns: Mapping[str, Objects]) -> dict[str, npt.NDArray[Any]]:
        """
        Row-aligned feature arrays computed from the prepared *columns*.
        """

    def compare(self, left: Feats, right: Feats) -> npt.NDArray[np.int8]:
        """
        The level of each pair; *left*/*right* hold the features gathered per pair.
        """

    def to_dict(self) -> JSONObject:
        """
        Plain data that `comparator_from_dict` turns back into an equal comparator.
        """


def _levels(value: Sequence[Level | Mapping[str, object]]) -> tuple[Level, ...]:
    if isinstance(value, str | Mapping):
        raise SchemaError("levels must be a list of levels")
    return tuple(level_from_dict(v) for v in items(value, "levels"))


def _feature(
    key: str,
    values: Objects | Factored,
    families: Mapping[str, tuple[str, ...]] | None,
    family_index: Mapping[str, int],
) -> Any:
    kind = key.partition(":")[0]
    if kind == "value":
        return values.values() if isinstance(values, Factored) else values
    if kind == "present":
        if isinstance(values, Factored):
            return values.present()
        return present(values)
    if kind == "email_key":
        return mapped(values, EMAIL_KEY)
    if kind == "email_local":
        return mapped(values, EMAIL_LOCAL)
    if kind == "digits":
        return mapped(values, digits)
    if kind == "date":
        return date_parts(values)
    if kind == "num":
        return numbers(values)
    if kind == "nick":
        return family_ids(values, families or {}, family_index, _FAMILY_WIDTH)
    if m := _PREFIX.fullmatch(kind):
        return mapped(values, _prefix(int(m[1])))
    raise SchemaError(f"unknown comparison feature {shorten(key)}")


def _same(value: object) -> object:
    return value


def _is_value(value: object) -> bool:
    return value is not None


def _prefix(n: int) -> Callable[[object], object]:
    def prefix(value: object) -> object:
        return value[:n] if isinstance(value, str) and len(value) >= n else None

    return prefix


_OneFeature = tuple[str, str, Callable[[object], object], Any]
"""
One feature of a few records (`Comparison.features_of`): key, column, function, dtype.
"""


def _feature_of_one(
    key: str, families: Mapping[str, tuple[str, ...]] | None, family_index: Mapping[str, int]
) -> _OneFeature:
    """
    How `_feature` computes *key* for one value: the same functions, one value at a time.
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
        fn = family_function(families or {}, family_index, _FAMILY_WIDTH)
        dtype = np.int32
    elif m := _PREFIX.fullmatch(kind):
        fn = _prefix(int(m[1]))
    else:
        raise SchemaError(f"unknown comparison feature {shorten(key)}")
    return key, column, fn, dtype


@attrs.frozen(repr=False)
class Comparison:
    """
    A comparison as an ordered list of levels; the first level that holds wins.

    Examples:
        >>> c = Comparison("email", [Exact(), Exact(feature="email_key")])
        >>> c.labels
        ('missing', 'exact', 'same mailbox', 'different')

    Args:
        name: unique within a model; also the default column.
        levels: strictest first. "missing" and "different" are implied.
        column: the prepared column compared (default: *name*).
        term_frequency: adjust the first level's weight by how common the value is.
        nicknames: a ``name,nickname`` CSV replacing the bundled table (for `NameFamily`).

    .. versionadded:: 0.1.0
    """

    name: str
    levels: tuple[Level, ...] = attrs.field(converter=_levels)
    column: str | None = attrs.field(default=None, kw_only=True)
    term_frequency: bool = attrs.field(default=False, kw_only=True)
    nicknames: str | None = attrs.field(default=None, kw_only=True)
    _families: dict[str, tuple[str, ...]] | None = attrs.field(
        init=False, eq=False, hash=False, repr=False
    )
    _family_index: dict[str, int] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _columns: tuple[str, ...] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _feature_keys: list[str] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _cutoffs: dict[tuple[str, str], float] = attrs.field(
        init=False, eq=False, hash=False, repr=False
    )
    _labels: tuple[str, ...] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _one_plan: tuple[_Step, ...] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _present_key: str = attrs.field(init=False, eq=False, hash=False, repr=False)
    _one_features: tuple[_OneFeature, ...] = attrs.field(
        init=False, eq=False, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise SchemaError(f"a comparison needs a name, got {shorten(self.name)}")
        if not self.levels:
            raise SchemaError(f"comparison {self.name!r} has no levels", path=self.name)
        families = None
        if any(isinstance(lv, NameFamily) for lv in self.levels):
            families = nickname_families(self.nicknames)
        object.__setattr__(self, "_families", families)
        names = sorted({f for fs in (families or {}).values() for f in fs})
        object.__setattr__(self, "_family_index", {f: i for i, f in enumerate(names)})
        cols = [self.primary]
        for lv in self.levels:
            if isinstance(lv, Swapped) and lv.other not in cols:
                cols.append(lv.other)
        object.__setattr__(self, "_columns", tuple(cols))
        keys = [f"present:{self.primary}", f"value:{self.primary}"]
        for lv in self.levels:
            keys.extend(k for k in lv.features(self.primary) if k not in keys)
        object.__setattr__(self, "_feature_keys", keys)
        # levels sharing one score only need it down to their loosest threshold
        cutoffs: dict[tuple[str, str], float] = {}
        for lv in self.levels:
            if isinstance(lv, Similar):
                cutoffs[lv.score_key] = min(cutoffs.get(lv.score_key, 1.0), lv.threshold)
            elif isinstance(lv, Within):
                cutoffs[lv.score_key] = max(cutoffs.get(lv.score_key, 0.0), float(lv.distance))
        object.__setattr__(self, "_cutoffs", cutoffs)
        labels = ("missing", *(lv.describe(self.primary) for lv in self.levels), "different")
        object.__setattr__(self, "_labels", labels)
        # one pair at a time (`_compare_one`): each level's way, feature and cutoff, once
        plan: list[_Step] = []
        for k, lv in enumerate(self.levels, start=1):
            step: _Step
            if isinstance(lv, Similar | Within):
                key = f"{lv.feature}:{self.primary}"
                cutoff = cutoffs[lv.score_key]
                step = (k, _GRADED, key, lv.score_key, cutoff, lv._score_pair, lv._passes_one, lv)
            elif isinstance(lv, Exact) and lv.feature == "value":
                step = (k, _EXACT, f"value:{self.primary}", ("", ""), 0.0, _none, _none, lv)
            else:
                step = (k, _OTHER, "", ("", ""), 0.0, lv._test_one, _none, lv)
            plan.append(step)
        object.__setattr__(self, "_one_plan", tuple(plan))
        object.__setattr__(self, "_present_key", f"present:{self.primary}")
        one = tuple(_feature_of_one(key, families, self._family_index) for key in keys)
        object.__setattr__(self, "_one_features", one)

    def __repr__(self) -> str:
        return f"Comparison({self.name!r}, {list(self.labels[1:-1])})"

    @property
    def primary(self) -> str:
        """
        The column this comparison is about.
        """
        return self.column or self.name

    @property
    def columns(self) -> tuple[str, ...]:
        """
        Every prepared column read (the primary one first).
        """
        return self._columns

    @property
    def labels(self) -> tuple[str, ...]:
        """
        ``missing``, each level's label, ``different``.
        """
        return self._labels

    def _keys(self) -> list[str]:
        return self._feature_keys

    def features(
        self, columns: Mapping[str, Objects] | Mapping[str, Objects | Factored]
    ) -> dict[str, npt.NDArray[Any]]:
        """
        The feature arrays the levels read, from the prepared *columns*.

        Columns may be object arrays or `Factored` ones (then each feature is computed
        once per distinct value).

        Raises:
            SchemaError: a column this comparison reads is not in *columns*.
        """
        out: dict[str, npt.NDArray[Any]] = {}
        for key in self._keys():
            column = key.partition(":")[2]
            if column not in columns:
                raise SchemaError(
                    f"comparison {self.name!r} reads column {column!r}, which the data lacks",
                    path=self.name,
                )
            out[key] = _feature(key, columns[column], self._families, self._family_index)
        return out

    def features_of(self, values: Mapping[str, Sequence[object]]) -> dict[str, npt.NDArray[Any]]:
        """
        The feature arrays of a few records, from their prepared *values* (lists by column).

        What `features` gives for those rows, each feature made value by value, without
        the array work per feature (a point-of-entry lookup prepares one record, and reads
        a few candidates' stored values).

        Raises:
            SchemaError: a column this comparison reads is not in *values*.
        """
        out: dict[str, npt.NDArray[Any]] = {}
        for key, column, fn, dtype in self._one_features:
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

    def compare(self, left: Feats, right: Feats) -> npt.NDArray[np.int8]:
        """
        The level of each pair, trying levels in order on the pairs still undecided.
        """
        present = np.asarray(left[f"present:{self.primary}"] & right[f"present:{self.primary}"])
        n = len(present)
        out = np.full(n, len(self.levels) + 1, dtype=np.int8)
        out[~present] = 0
        todo = np.flatnonzero(present)

        def sub(side: Feats, key: str, rows: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
            return side.take(key, rows) if isinstance(side, Gathered) else side[key][rows]

        value = f"value:{self.primary}"
        # graded levels on one metric (jaro-winkler >= 0.92, then >= 0.8) share one score
        shared: dict[tuple[str, str], npt.NDArray[np.float64]] = {}
        for k, level in enumerate(self.levels, start=1):
            if todo.size == 0:
                break
            if isinstance(level, Similar | Within):
                if level.score_key not in shared:
                    keys = level.features(self.primary)
                    scores = np.full(n, np.nan)
                    scores[todo] = level.scores(
                        {key: sub(left, key, todo) for key in keys},
                        {key: sub(right, key, todo) for key in keys},
                        self.primary,
                        cutoff=self._cutoffs[level.score_key],
                        all_present=level.feature == "value",  # todo holds present pairs
                    )
                    shared[level.score_key] = scores
                hit = level.passes(shared[level.score_key][todo])
            elif isinstance(level, Exact) and level.feature == "value":
                # both sides are present here: plain equality is the whole test
                hit = np.asarray(sub(left, value, todo) == sub(right, value, todo), dtype=bool)
            else:
                keys = level.features(self.primary)
                sub_l = {key: sub(left, key, todo) for key in keys}
                sub_r = {key: sub(right, key, todo) for key in keys}
                hit = level.test(sub_l, sub_r, self.primary)
            out[todo[hit]] = k
            todo = todo[~hit]
        return out

    def _compare_one(self, left: Rows, i: int, right: Rows, j: int) -> int:
        """
        The level of the pair of row *i* of *left* and row *j* of *right* (whole arrays).

        The two sides may be the same arrays (a batch) or not (a new record against an
        index). The same level `compare` gives that pair, worked out in plain Python:
        cheaper when only a few pairs are compared (a point-of-entry lookup).
        """
        if not (left[self._present_key][i] and right[self._present_key][j]):
            return 0
        shared: dict[tuple[str, str], float] = {}
        for k, how, key, score_key, cutoff, first, then, _ in self._one_plan:
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
        return len(self.levels) + 1

    def _compare_against(self, left: Rows, right: Rows, rows: npt.NDArray[np.int64]) -> list[int]:
        """
        The level of row 0 of *left* (a new record) against each of *rows* of *right*.

        The levels `_compare_one` gives each pair, worked out level by level over all the
        candidates at once: each feature read once, each similarity in one rapidfuzz call.
        A comparison of one column works once per distinct value among the candidates (its
        features are functions of the value): candidates found by a shared surname or
        postcode share it.
        """
        if len(rows) <= FEW:  # a call per pair costs less than the work per level here
            return [self._compare_one(left, 0, right, j) for j in rows.tolist()]
        if len(self._columns) == 1:
            values = right[f"value:{self.primary}"][rows].tolist()
            codes: dict[tuple[type, object], int] = {}
            firsts: list[int] = []
            try:
                for t, v in enumerate(values):
                    if codes.setdefault((v.__class__, v), len(firsts)) == len(firsts):
                        firsts.append(t)
                shape = [codes[(v.__class__, v)] for v in values]
            except TypeError:  # an unhashable value: every candidate on its own
                firsts = []
            if firsts and len(firsts) < len(rows):
                once = self._against(left, right, rows[firsts])
                return [once[c] for c in shape]
        return self._against(left, right, rows)

    def _against(self, left: Rows, right: Rows, rows: npt.NDArray[np.int64]) -> list[int]:
        """
        `_compare_against`, every candidate on its own.
        """
        n = len(rows)
        if not left[self._present_key][0]:
            return [0] * n
        different = len(self.levels) + 1
        todo = [t for t, here in enumerate(right[self._present_key][rows].tolist()) if here]
        out = [0] * n
        for t in todo:
            out[t] = different
        column: dict[str, list[Any]] = {}  # each feature over the candidates, read once
        shared: dict[tuple[str, str], list[float]] = {}
        for k, how, key, score_key, cutoff, _, then, level in self._one_plan:
            if not todo:
                break
            if how == _OTHER:
                hits = self._test_listed(level, left, right, rows, todo, column)
            else:
                if key not in column:
                    column[key] = right[key][rows].tolist()
                theirs = column[key]
                mine = left[key][0]
                if how == _EXACT:
                    hits = [bool(mine == theirs[t]) for t in todo]
                else:  # scored once for every candidate still open, shared by the levels
                    if score_key not in shared:
                        assert isinstance(level, Similar | Within)
                        scores = [0.0] * n
                        found = level._score_against(mine, [theirs[t] for t in todo], cutoff)
                        for t, score in zip(todo, found, strict=True):
                            scores[t] = score
                        shared[score_key] = scores
                    scores = shared[score_key]
                    hits = [then(scores[t]) for t in todo]
            rest_todo = []
            for t, hit in zip(todo, hits, strict=True):
                if hit:
                    out[t] = k
                else:
                    rest_todo.append(t)
            todo = rest_todo
        return out

    def _test_listed(
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
        on first need), else its array test.
        """
        keys = level.features(self.primary)
        for key in keys:
            if key not in column:
                column[key] = right[key][rows].tolist()
        mine = [left[key][:1].tolist()[0] for key in keys]
        hits = level._test_list(mine, [[column[key][t] for t in todo] for key in keys])
        if hits is None:  # a level with only an array test
            hits = self._test_against(level, left, right, rows[todo])
        return hits

    def _test_against(
        self, level: Level, left: Rows, right: Rows, rows: npt.NDArray[np.int64]
    ) -> list[bool]:
        """
        `Level.test` of row 0 of *left* against each of *rows* of *right*.
        """
        keys = level.features(self.primary)
        mine = {k: np.broadcast_to(left[k][:1], (len(rows), *left[k].shape[1:])) for k in keys}
        theirs = {k: right[k][rows] for k in keys}
        hits: list[bool] = level.test(mine, theirs, self.primary).tolist()
        return hits

    def to_dict(self) -> JSONObject:
        """
        Plain data (``kind: levels``) that round-trips through `comparator_from_dict`.
        """
        data: dict[str, Any] = {
            "kind": "levels",
            "name": self.name,
            "levels": [lv.to_dict() for lv in self.levels],
        }
        if self.column is not None:
            data["column"] = self.column
        if self.term_frequency:
            data["term_frequency"] = True
        if self.nicknames is not None:
            data["nicknames"] = self.nicknames
        return data
