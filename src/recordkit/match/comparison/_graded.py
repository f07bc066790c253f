"""
Graded levels: a string similarity or an edit distance, scored once per pair.

`Similar` and `Within` score pairs with rapidfuzz (``process.cpdist`` over arrays of pairs,
``process.cdist`` for one new record against its candidates, one call per pair for a few);
levels on the same metric and feature share the score, so ``jaro_winkler >= 0.92`` then
``>= 0.8`` scores each pair once.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, DamerauLevenshtein, Jaro, JaroWinkler, Levenshtein

from recordkit._errors import SchemaError, shorten
from recordkit.match._check import number
from recordkit.match.comparison._levels import FEW, Bools, Feats, Level, Rows, label_of, present

__all__ = ["Similar", "Within"]

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


def _cpdist(
    a: npt.NDArray[Any], b: npt.NDArray[Any], ok: Bools | None, **options: Any
) -> npt.NDArray[Any]:
    """
    ``process.cpdist`` over two object arrays; *ok* marks the pairs present on both sides.

    Missing cells compare as empty text; the callers mask them out.
    """

    def text(values: npt.NDArray[Any]) -> list[Any]:
        cells: list[Any] = (values if ok is None else np.where(ok, values, "")).tolist()
        return cells

    try:
        out: npt.NDArray[Any] = process.cpdist(text(a), text(b), **options)
    except TypeError:  # a cell that is not text (a misconfigured numeric column)
        out = process.cpdist([str(v) for v in text(a)], [str(v) for v in text(b)], **options)
    return out


def _both_present(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> Bools | None:
    """
    Which pairs hold a value on both sides, or ``None`` when all do.
    """
    ok = present(a) & present(b)
    return None if ok.all() else ok


def _workers(n: int) -> int:
    # threads pay off only on large batches; a point-of-entry lookup stays on one core
    return -1 if n > 20_000 else 1


class _Graded(Level):
    """
    A level over one score per pair (a similarity or a distance) of one feature.

    Levels with the same metric and feature share the score (`score_key`), so graded
    levels (Jaro-Winkler >= 0.92, then >= 0.8) score each pair once; each level only says
    which scores it takes (`passes`).
    """

    __slots__ = ()
    # declared by each subclass, in its own field order
    metric: str
    feature: str
    _missing: ClassVar[float]
    """
    The score of a pair with a side missing.
    """

    def features(self, column: str) -> tuple[str, ...]:
        """
        The feature compared.
        """
        return (f"{self.feature}:{column}",)

    @property
    def score_key(self) -> tuple[str, str]:
        """
        Levels with the same key share one score per pair, computed once.
        """
        return (self.kind, f"{self.metric}:{self.feature}")

    @abc.abstractmethod
    def scores(
        self,
        left: Feats,
        right: Feats,
        column: str,
        *,
        cutoff: float = ...,
        all_present: bool = False,
    ) -> npt.NDArray[np.float64]:
        """
        The score of every pair.
        """

    @abc.abstractmethod
    def passes(self, scores: npt.NDArray[np.float64]) -> Bools:
        """
        Which scores fall into this level.
        """

    def test(self, left: Feats, right: Feats, column: str) -> Bools:
        """
        Score every pair with ``process.cpdist`` and keep those this level takes.
        """
        return self.passes(self.scores(left, right, column))

    @abc.abstractmethod
    def _score_pair(self, a: object, b: object, cutoff: float) -> float:
        """
        The score of one pair of feature values (``None``: missing), as `scores` gives it.
        """

    @abc.abstractmethod
    def _passes_one(self, score: float) -> bool:
        """
        Whether *score* falls into this level, as `passes` says.
        """

    def _test_one(self, left: Rows, i: int, right: Rows, j: int, column: str) -> bool:
        """
        Whether row *i* of *left* and row *j* of *right* fall into this level (no cutoff).
        """
        key = f"{self.feature}:{column}"
        return self._passes_one(self._score_pair(left[key][i], right[key][j], self._no_cutoff))

    _no_cutoff: ClassVar[float]

    def _score_against(self, a: object, others: list[object], cutoff: float) -> list[float]:
        """
        The score of *a* against each of *others*, as `_score_pair` gives each pair.

        One rapidfuzz ``process.cdist`` call for the whole list (a new record against
        its candidates); ``None`` on either side scores `_missing`.
        """
        out = [self._missing] * len(others)
        if a is None:
            return out
        at = [t for t, b in enumerate(others) if b is not None]
        if len(at) <= FEW:  # a call per pair costs less than one array call here
            for t in at:
                out[t] = self._score_pair(a, others[t], cutoff)
        elif at:
            got = self._one_to_many(a, [others[t] for t in at], cutoff)
            for t, score in zip(at, got, strict=True):
                out[t] = score
        return out

    @abc.abstractmethod
    def _one_to_many(self, a: object, others: list[object], cutoff: float) -> list[float]:
        """
        The scores of *a* against every one of *others* (none of them ``None``).
        """

    def _pairwise(
        self, left: Feats, right: Feats, column: str, all_present: bool, **options: Any
    ) -> npt.NDArray[np.float64]:
        """
        ``process.cpdist`` over the feature's aligned pairs.

        A pair missing a side scores `_missing`; *all_present* says the caller knows every
        pair has both sides.
        """
        key = f"{self.feature}:{column}"
        a, b = left[key], right[key]
        if len(a) == 0:
            return np.zeros(0, dtype=np.float64)
        ok = None if all_present else _both_present(a, b)
        out = np.asarray(_cpdist(a, b, ok, workers=_workers(len(a)), **options), dtype=np.float64)
        if ok is not None:
            out[~ok] = self._missing
        return out


@attrs.frozen
class Similar(_Graded):
    """
    A string similarity (rapidfuzz) at or above *threshold* (0..1).

    Metrics: ``jaro_winkler``, ``jaro``, ``levenshtein`` (normalized), ``ratio``,
    ``token_sort``, ``token_set``, ``partial``.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "similar"
    _missing: ClassVar[float] = 0.0
    metric: str = "jaro_winkler"
    threshold: float = 0.9
    feature: str = "value"
    label: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.metric, str) or self.metric not in _SIMILARITY:
            raise SchemaError(
                f"unknown similarity {shorten(self.metric)}; one of {', '.join(_SIMILARITY)}"
            )
        if not 0.0 < number(self.threshold, "threshold") <= 1.0:
            raise SchemaError(f"a similarity threshold is in (0, 1], got {self.threshold!r}")

    def scores(
        self,
        left: Feats,
        right: Feats,
        column: str,
        *,
        cutoff: float = 0.0,
        all_present: bool = False,
    ) -> npt.NDArray[np.float64]:
        """
        The similarity of every pair, 0..1 (``None`` on either side scores 0).

        Scores below *cutoff* may come back as 0 (rapidfuzz stops early on them).
        *all_present* says the caller knows every pair has a value on both sides.
        """
        scorer, scale = _SIMILARITY[self.metric]
        out = self._pairwise(
            left,
            right,
            column,
            all_present,
            scorer=scorer,
            score_cutoff=cutoff * scale,
            dtype=np.float32,
        )
        return out / scale if scale != 1.0 else out

    def passes(self, scores: npt.NDArray[np.float64]) -> Bools:
        """
        Which scores reach the threshold.
        """
        return np.asarray(scores >= self.threshold - 1e-6, dtype=np.bool_)

    _no_cutoff: ClassVar[float] = 0.0

    def _score_pair(self, a: object, b: object, cutoff: float) -> float:
        """
        The similarity of *a* and *b*, rounded through float32 as `scores` keeps it.
        """
        if a is None or b is None:
            return self._missing
        scorer, scale = _SIMILARITY[self.metric]
        try:
            raw = scorer(a, b, score_cutoff=cutoff * scale)
        except TypeError:  # a cell that is not text, as `_cpdist` reads it
            raw = scorer(str(a), str(b), score_cutoff=cutoff * scale)
        score = float(np.float32(raw))
        return score / scale if scale != 1.0 else score

    def _one_to_many(self, a: object, others: list[object], cutoff: float) -> list[float]:
        """
        The similarities of *a* to *others*, rounded through float32 as `scores` keeps them.
        """
        scorer, scale = _SIMILARITY[self.metric]
        options = {"scorer": scorer, "score_cutoff": cutoff * scale, "dtype": np.float32}
        try:
            raw = process.cdist([a], others, **options)
        except TypeError:  # a cell that is not text, as `_cpdist` reads it
            raw = process.cdist([str(a)], [str(b) for b in others], **options)
        scores: list[float] = raw[0].tolist()
        return [s / scale for s in scores] if scale != 1.0 else scores

    def _passes_one(self, score: float) -> bool:
        """
        Whether *score* reaches the threshold.
        """
        return score >= self.threshold - 1e-6

    def describe(self, column: str) -> str:
        """
        ``jaro_winkler >= 0.92`` and the like.
        """
        return label_of(self, f"{self.metric} >= {self.threshold:g}")


@attrs.frozen
class Within(_Graded):
    """
    An edit distance of at most *distance*.

    Metrics: ``osa`` (optimal string alignment: swapping two neighbouring characters is
    one edit; the fast default), ``levenshtein``, ``damerau`` (unrestricted transpositions,
    several times slower).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "within"
    _missing: ClassVar[float] = np.inf
    metric: str = "osa"
    distance: int = 1
    feature: str = "value"
    label: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.metric, str) or self.metric not in _DISTANCE:
            raise SchemaError(
                f"unknown distance {shorten(self.metric)}; one of {', '.join(_DISTANCE)}"
            )
        if not isinstance(self.distance, int) or self.distance < 0:
            raise SchemaError(f"an edit distance is a whole number >= 0, got {self.distance!r}")

    def scores(
        self,
        left: Feats,
        right: Feats,
        column: str,
        *,
        cutoff: float = 8.0,
        all_present: bool = False,
    ) -> npt.NDArray[np.float64]:
        """
        The edit distance of every pair (a missing side counts as far).

        Distances above *cutoff* may come back as ``cutoff + 1``. *all_present* says the
        caller knows every pair has a value on both sides.
        """
        return self._pairwise(
            left,
            right,
            column,
            all_present,
            scorer=_DISTANCE[self.metric],
            score_cutoff=int(cutoff),
        )

    def passes(self, scores: npt.NDArray[np.float64]) -> Bools:
        """
        Which distances are within *distance*.
        """
        return np.asarray(scores <= self.distance, dtype=np.bool_)

    _no_cutoff: ClassVar[float] = 8.0

    def _score_pair(self, a: object, b: object, cutoff: float) -> float:
        """
        The edit distance of *a* and *b* (a missing side counts as far).
        """
        if a is None or b is None:
            return self._missing
        scorer = _DISTANCE[self.metric]
        try:
            return float(scorer(a, b, score_cutoff=int(cutoff)))
        except TypeError:  # a cell that is not text, as `_cpdist` reads it
            return float(scorer(str(a), str(b), score_cutoff=int(cutoff)))

    def _one_to_many(self, a: object, others: list[object], cutoff: float) -> list[float]:
        """
        The edit distances of *a* to *others*.
        """
        options = {"scorer": _DISTANCE[self.metric], "score_cutoff": int(cutoff)}
        try:
            raw = process.cdist([a], others, **options)
        except TypeError:  # a cell that is not text, as `_cpdist` reads it
            raw = process.cdist([str(a)], [str(b) for b in others], **options)
        return [float(d) for d in raw[0].tolist()]

    def _passes_one(self, score: float) -> bool:
        """
        Whether *score* is within *distance*.
        """
        return score <= self.distance

    def describe(self, column: str) -> str:
        """
        ``damerau <= 1`` and the like.
        """
        return label_of(self, f"{self.metric} <= {self.distance}")
