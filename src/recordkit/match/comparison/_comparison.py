"""
Comparators: the `Comparator` protocol and the level-list `Comparison`.

A comparator turns pairs of records into *levels* for one aspect (a field, or a few fields
read together): level 0 is always "missing" (a value absent on either side, which weighs
nothing), then the comparison's own levels from strictest to loosest, then "different".
Comparisons are declarative and round-trip to plain data; third parties add comparators
through the ``recordkit.comparators`` entry-point group (see `recordkit.match.comparison._library`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import SchemaError, shorten
from recordkit.match._check import items
from recordkit.match._factored import Factored, Gathered, Objects
from recordkit.match._features import (
    EMAIL_KEY,
    EMAIL_LOCAL,
    date_parts,
    digits,
    family_ids,
    mapped,
    nickname_families,
    numbers,
)
from recordkit.match.comparison._domain_levels import (
    NameFamily,
    Swapped,
    level_from_dict,
)
from recordkit.match.comparison._graded import Similar, Within
from recordkit.match.comparison._levels import (
    Exact,
    Feats,
    Level,
    Rows,
    present,
)
from recordkit.match.comparison._plan import FAMILY_WIDTH, PREFIX, Plan, prefix
from recordkit.schema import JSONObject

__all__ = ["Comparator", "Comparison"]


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
        return family_ids(values, families or {}, family_index, FAMILY_WIDTH)
    if m := PREFIX.fullmatch(kind):
        return mapped(values, prefix(int(m[1])))
    raise SchemaError(f"unknown comparison feature {shorten(key)}")


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
    _plan: Plan = attrs.field(init=False, eq=False, hash=False, repr=False)

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
        # few pairs (`_compare_one`, `_compare_against`): each level's way, worked out once
        single = len(cols) == 1
        plan = Plan.of(
            self.name,
            self.primary,
            single,
            self.levels,
            cutoffs,
            keys,
            families,
            self._family_index,
        )
        object.__setattr__(self, "_plan", plan)

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

    def _features_of(self, values: Mapping[str, Sequence[object]]) -> dict[str, npt.NDArray[Any]]:
        """
        The feature arrays of a few records from their prepared values (`Plan.features_of`).
        """
        return self._plan.features_of(values)

    def _compare_one(self, left: Rows, i: int, right: Rows, j: int) -> int:
        """
        The level of row *i* of *left* with row *j* of *right* (`Plan.one`).

        The same level `compare` gives that pair, worked out in plain Python: cheaper when
        only a few pairs are compared (a point-of-entry lookup).
        """
        return self._plan.one(left, i, right, j)

    def _compare_against(self, left: Rows, right: Rows, rows: npt.NDArray[np.int64]) -> list[int]:
        """
        The level of row 0 of *left* (a new record) with each of *rows* of *right*.

        The levels `compare` gives those pairs (`Plan.against`).
        """
        return self._plan.against(left, right, rows)

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
