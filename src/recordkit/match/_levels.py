"""
Comparison levels: the graded answers a comparison gives for a pair of values.

A level is a small frozen object with one test, run on whole arrays of pairs at once (numpy
for equality and arithmetic, rapidfuzz ``process.cpdist`` for string similarity). A
`Comparison` tries its levels in order and the first that holds wins, so levels go from the
strictest (exact) to the loosest. Each level names the row features it reads
(``"value:email"``, ``"date:birth_date"``) and renders its own human label.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, DamerauLevenshtein, Jaro, JaroWinkler, Levenshtein

from recordkit._errors import SchemaError, shorten

__all__ = [
    "DateSwap",
    "DateWithin",
    "Exact",
    "Level",
    "NameFamily",
    "NumberWithin",
    "Prefix",
    "Similar",
    "Swapped",
    "Within",
    "level_from_dict",
]

Bools = npt.NDArray[np.bool_]
Feats = Mapping[str, npt.NDArray[Any]]

_SIMILARITY: Final[dict[str, tuple[Any, float]]] = {
    "jaro_winkler": (JaroWinkler.normalized_similarity, 1.0),
    "jaro": (Jaro.normalized_similarity, 1.0),
    "levenshtein": (Levenshtein.normalized_similarity, 1.0),
    "ratio": (fuzz.ratio, 100.0),
    "token_sort": (fuzz.token_sort_ratio, 100.0),
    "token_set": (fuzz.token_set_ratio, 100.0),
    "partial": (fuzz.partial_ratio, 100.0),
}
_DISTANCE: Final[dict[str, Any]] = {
    "levenshtein": Levenshtein.distance,
    "damerau": DamerauLevenshtein.distance,
    "osa": OSA.distance,
}
_FEATURE_LABELS: Final = {
    "value": "exact",
    "email_key": "same mailbox",
    "email_local": "same user name",
    "digits": "same digits",
}


def present(values: npt.NDArray[Any]) -> Bools:
    """
    Which cells hold a value (object arrays use ``None`` for missing).
    """
    none: Any = None
    return np.asarray(np.not_equal(values, none), dtype=np.bool_)


def _cpdist(a: npt.NDArray[Any], b: npt.NDArray[Any], **options: Any) -> npt.NDArray[Any]:
    """
    ``process.cpdist`` over two object arrays.

    Missing cells compare as empty text; the callers mask them out.
    """

    def text(values: npt.NDArray[Any]) -> list[Any]:
        mask = present(values)
        cells: list[Any] = (values if mask.all() else np.where(mask, values, "")).tolist()
        return cells

    try:
        out: npt.NDArray[Any] = process.cpdist(text(a), text(b), **options)
    except TypeError:  # a cell that is not text (a misconfigured numeric column)
        out = process.cpdist([str(v) for v in text(a)], [str(v) for v in text(b)], **options)
    return out


def _workers(n: int) -> int:
    # threads pay off only on large batches; a point-of-entry lookup stays on one core
    return -1 if n > 20_000 else 1


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

    def describe(self, column: str) -> str:
        """
        The human label of this level.
        """
        return self.kind

    def to_dict(self) -> dict[str, Any]:
        """
        The level as plain data (``{"kind": ..., **options}``).
        """
        data = {k: v for k, v in attrs.asdict(self).items() if v is not None}
        return {"kind": self.kind, **data}


def _label(level: Any, default: str) -> str:
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

    def describe(self, column: str) -> str:
        """
        ``exact``, or what the feature means.
        """
        return _label(self, _FEATURE_LABELS.get(self.feature, f"same {self.feature}"))


@attrs.frozen
class Similar(Level):
    """
    A string similarity (rapidfuzz) at or above *threshold* (0..1).

    Metrics: ``jaro_winkler``, ``jaro``, ``levenshtein`` (normalized), ``ratio``,
    ``token_sort``, ``token_set``, ``partial``.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "similar"
    metric: str = "jaro_winkler"
    threshold: float = 0.9
    feature: str = "value"
    label: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.metric not in _SIMILARITY:
            raise SchemaError(
                f"unknown similarity {shorten(self.metric)}; one of {', '.join(_SIMILARITY)}"
            )
        if not 0.0 < float(self.threshold) <= 1.0:
            raise SchemaError(f"a similarity threshold is in (0, 1], got {self.threshold!r}")

    def features(self, column: str) -> tuple[str, ...]:
        """
        The feature compared.
        """
        return (f"{self.feature}:{column}",)

    @property
    def score_key(self) -> tuple[str, str]:
        """
        Levels with the same key share one score per pair (0..1), computed once.
        """
        return ("similar", f"{self.metric}:{self.feature}")

    def scores(
        self, left: Feats, right: Feats, column: str, *, cutoff: float = 0.0
    ) -> npt.NDArray[np.float64]:
        """
        The similarity of every pair, 0..1 (``None`` on either side scores 0).

        Scores below *cutoff* may come back as 0 (rapidfuzz stops early on them).
        """
        key = f"{self.feature}:{column}"
        a, b = left[key], right[key]
        if len(a) == 0:
            return np.zeros(0, dtype=np.float64)
        scorer, scale = _SIMILARITY[self.metric]
        raw = _cpdist(
            a,
            b,
            scorer=scorer,
            score_cutoff=cutoff * scale,
            workers=_workers(len(a)),
            dtype=np.float32,
        )
        out = np.asarray(raw, dtype=np.float64) / scale
        out[~(present(a) & present(b))] = 0.0
        return out

    def passes(self, scores: npt.NDArray[np.float64]) -> Bools:
        """
        Which scores reach the threshold.
        """
        return np.asarray(scores >= self.threshold - 1e-6, dtype=np.bool_)

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Score every pair with ``process.cpdist`` and keep those at the threshold.
        """
        return self.passes(self.scores(left, right, column))

    def describe(self, column: str) -> str:
        """
        ``jaro_winkler >= 0.92`` and the like.
        """
        return _label(self, f"{self.metric} >= {self.threshold:g}")


@attrs.frozen
class Within(Level):
    """
    An edit distance of at most *distance*.

    Metrics: ``osa`` (optimal string alignment: swapping two neighbouring characters is
    one edit; the fast default), ``levenshtein``, ``damerau`` (unrestricted transpositions,
    several times slower).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "within"
    metric: str = "osa"
    distance: int = 1
    feature: str = "value"
    label: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.metric not in _DISTANCE:
            raise SchemaError(
                f"unknown distance {shorten(self.metric)}; one of {', '.join(_DISTANCE)}"
            )
        if not isinstance(self.distance, int) or self.distance < 0:
            raise SchemaError(f"an edit distance is a whole number >= 0, got {self.distance!r}")

    def features(self, column: str) -> tuple[str, ...]:
        """
        The feature compared.
        """
        return (f"{self.feature}:{column}",)

    @property
    def score_key(self) -> tuple[str, str]:
        """
        Levels with the same key share one distance per pair, computed once.
        """
        return ("within", f"{self.metric}:{self.feature}")

    def scores(
        self, left: Feats, right: Feats, column: str, *, cutoff: float = 8.0
    ) -> npt.NDArray[np.float64]:
        """
        The edit distance of every pair (a missing side counts as far).

        Distances above *cutoff* may come back as ``cutoff + 1``.
        """
        key = f"{self.feature}:{column}"
        a, b = left[key], right[key]
        if len(a) == 0:
            return np.zeros(0, dtype=np.float64)
        d = _cpdist(
            a, b, scorer=_DISTANCE[self.metric], score_cutoff=int(cutoff), workers=_workers(len(a))
        )
        out = np.asarray(d, dtype=np.float64)
        out[~(present(a) & present(b))] = np.inf
        return out

    def passes(self, scores: npt.NDArray[np.float64]) -> Bools:
        """
        Which distances are within *distance*.
        """
        return np.asarray(scores <= self.distance, dtype=np.bool_)

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Distances by ``process.cpdist`` with a cutoff, at most *distance*.
        """
        return self.passes(self.scores(left, right, column))

    def describe(self, column: str) -> str:
        """
        ``damerau <= 1`` and the like.
        """
        return _label(self, f"{self.metric} <= {self.distance}")


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

    def describe(self, column: str) -> str:
        """
        ``nickname``.
        """
        return _label(self, "nickname / same name family")


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

    def describe(self, column: str) -> str:
        """
        ``swapped with last_name``.
        """
        return _label(self, f"swapped with {self.other}")


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

    def describe(self, column: str) -> str:
        """
        ``day and month swapped``.
        """
        return _label(self, "day and month swapped")


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

    def describe(self, column: str) -> str:
        """
        ``within 31 days``.
        """
        return _label(self, f"within {self.days} days")


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

    def describe(self, column: str) -> str:
        """
        ``first 3 characters``.
        """
        return _label(self, f"first {self.length} characters")


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
        diff = np.abs(a - b)
        hit = np.zeros(len(a), dtype=np.bool_)
        with np.errstate(invalid="ignore"):
            if self.absolute is not None:
                hit |= diff <= self.absolute
            if self.relative is not None:
                hit |= diff <= self.relative * np.maximum(np.abs(a), np.abs(b))
        return hit

    def describe(self, column: str) -> str:
        """
        ``within 5`` or ``within 10%``.
        """
        parts = []
        if self.absolute is not None:
            parts.append(f"within {self.absolute:g}")
        if self.relative is not None:
            parts.append(f"within {self.relative:.0%}")
        return _label(self, " or ".join(parts))


_LEVELS: Final[dict[str, type[Level]]] = {
    cls.kind: cls
    for cls in (Exact, Similar, Within, NameFamily, Swapped, DateSwap, DateWithin, Prefix)
}
_LEVELS[NumberWithin.kind] = NumberWithin


def level_from_dict(data: Mapping[str, Any] | Level) -> Level:
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
