"""
Comparison levels: the graded answers a comparison gives for a pair of values.

A level is a small frozen object with one test, run on whole arrays of pairs at once (numpy
for equality and arithmetic, rapidfuzz ``process.cpdist`` for string similarity, see
`recordkit.match.comparison._graded`). A `Comparison` tries its levels in order and the
first that holds wins, so levels go from the strictest (exact) to the loosest. Each level
names the row features it reads (``"value:email"``, ``"date:birth_date"``) and renders its
own human label.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit.schema import JSONObject

__all__ = ["FEW", "Bools", "Exact", "Feats", "Level", "Rows", "label_of", "present"]

Bools = npt.NDArray[np.bool_]
Feats = Mapping[str, npt.NDArray[Any]]
Rows = Mapping[str, npt.NDArray[np.generic]]
"""
Whole feature arrays by key, read one row at a time (``_test_one``, ``_compare_one``);
a pair's two rows may come from two such mappings (a new record against an index).
"""

_FEATURE_LABELS: Final = {
    "value": "exact",
    "email_key": "same mailbox",
    "email_local": "same user name",
    "digits": "same digits",
}


FEW: Final = 8
"""
Up to this many pairs, a new record is compared with its candidates pair by pair in plain
Python; past it, with one array call (rapidfuzz's, numpy's) for all of them.
"""


def present(values: npt.NDArray[Any]) -> Bools:
    """
    Which cells hold a value (object arrays use ``None`` for missing).
    """
    none: Any = None
    return np.asarray(np.not_equal(values, none), dtype=np.bool_)


@attrs.frozen
class Level(abc.ABC):
    """
    Base of comparison levels: ``kind`` names it in plain data, ``label`` overrides its text.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = ""

    def features(self, column: str) -> tuple[str, ...]:
        """
        The row features this level reads, as ``"feature:column"`` keys.
        """
        return (f"value:{column}",)

    @abc.abstractmethod
    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Which of the pairs (aligned rows of *left* and *right*) fall into this level.
        """

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        Whether row *i* of *left* and row *j* of *right* fall into this level.

        The two sides may be the same arrays (a batch) or not (a new record against an
        index). The same answer as `test` on that pair: the built-in levels answer in
        plain Python (a point-of-entry lookup compares a handful of pairs).
        """
        keys = self.features(column)
        a = {k: left[k][i : i + 1] for k in keys}
        b = {k: right[k][j : j + 1] for k in keys}
        return bool(self.test(a, b, column)[0])

    def _test_list(self, mine: Sequence[Any], theirs: Sequence[list[Any]]) -> list[bool] | None:
        """
        Whether a new record falls into this level with each of its candidates, in lists.

        *mine* holds the new record's features (in `features` order, as plain Python
        values: a row of a numeric feature as a list), *theirs* each feature over the
        candidates. ``None`` when the level has no such test (its array test is used).
        """
        return None

    def describe(self, column: str) -> str:
        """
        The human label of this level.
        """
        return self.kind

    def to_dict(self) -> JSONObject:
        """
        The level as plain data (``{"kind": ..., **options}``).
        """
        data = {k: v for k, v in attrs.asdict(self).items() if v is not None}
        return {"kind": self.kind, **data}


def label_of(level: Any, default: str) -> str:
    """
    A level's own label, else *default*.
    """
    label = getattr(level, "label", None)
    return label if isinstance(label, str) and label else default


@attrs.frozen
class Exact(Level):
    """
    The two values (or one derived feature of them) are equal.

    Args:
        feature: ``value`` (the normalized value), ``email_key`` (the mailbox, provider dots
            and ``+tags`` ignored), ``email_local`` (the user name), ``digits``.
        label: overrides the default label.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "exact"
    feature: str = "value"
    label: str | None = None

    def features(self, column: str) -> tuple[str, ...]:
        """
        The feature compared.
        """
        return (f"{self.feature}:{column}",)

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Equal and present on both sides.
        """
        key = f"{self.feature}:{column}"
        a, b = left[key], right[key]
        return np.asarray((a == b) & present(a), dtype=np.bool_)

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        Equal and present on both sides, for row *i* of *left* and row *j* of *right*.
        """
        key = f"{self.feature}:{column}"
        a = left[key][i]
        return a is not None and bool(a == right[key][j])

    def _test_list(self, mine: Sequence[Any], theirs: Sequence[list[Any]]) -> list[bool]:
        """
        Equal and present on both sides, for each candidate.
        """
        a = mine[0]
        if a is None:
            return [False] * len(theirs[0])
        return [bool(a == b) for b in theirs[0]]

    def describe(self, column: str) -> str:
        """
        ``exact``, or what the feature means.
        """
        return label_of(self, _FEATURE_LABELS.get(self.feature, f"same {self.feature}"))
