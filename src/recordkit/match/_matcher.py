"""
`Matcher`: match settings with the batch road through them, and the `MatchResult` it returns.

The road is columnar: prepare each column once, block with numpy, compare whole arrays of
pairs, score by table lookups, cluster the edges. Each step is a function of the settings
(`_pairs`, `_fit`, `_scoring`, `_dedupe`); the `Matcher` calls down into them, and nothing
below it imports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, shorten
from recordkit._frames import arrow_table, pandas_frame, polars_frame
from recordkit._gc import collector_paused
from recordkit.match._blocking import BlockingReport
from recordkit.match._cluster import Assignment, Cluster
from recordkit.match._data import Prepared
from recordkit.match._dedupe import BatchRun, dedupe, link
from recordkit.match._defaults import settings_for_schema
from recordkit.match._evaluate import Evaluation, evaluate_run
from recordkit.match._explain import MatchExplanation
from recordkit.match._fit import fit_model, u_sample
from recordkit.match._model import WeightedRules
from recordkit.match._pairs import candidate_pairs, compare_pairs, count_pairs
from recordkit.match._result_view import result_columns, result_html, result_repr
from recordkit.match._scoring import Scored, explain_scored, score_pairs
from recordkit.match._settings import MatchSettings

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]
    import polars
    import pyarrow  # type: ignore[import-untyped]

__all__ = ["MatchResult", "Matcher"]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]


@attrs.frozen(repr=False)
class Matcher(MatchSettings):
    """
    Match settings: how to prepare columns, compare, block, score and decide.

    Examples:
        >>> from recordkit.match import Matcher, block_on, email_comparison, name_comparison
        >>> m = Matcher([email_comparison("email"), name_comparison("last_name")],
        ...             [block_on("email")], prepare={"email": "email", "last_name": "name"})
        >>> sorted(m.to_dict())[:3]
        ['blocking', 'chain_guard', 'comparisons']

    Args:
        comparisons: the comparators (objects or plain data), one per aspect compared.
        blocking: rules choosing candidate pairs (a union).
        prepare: column → how to normalize it (``"email"``, ``{"kind": "phone", "region":
            "US"}``…); unlisted columns are cleaned text.
        must_match: rules that make a pair a match whatever the score.
        never_match: rules that forbid a pair (they win over ``must_match``).
        threshold: the match probability (or points, for `WeightedRules`) to link a pair.
        model: a fitted `FellegiSunter` or fixed `WeightedRules`; ``None`` until `fit`.
        max_pairs: refuse a blocking rule that makes more pairs than this.
        chain_guard: share of cross pairs that must match to join two groups (0: off).
        sample_pairs: the most random pairs used to estimate u (50 per record, at least
            100,000, up to this).
        seed: the seed for that sample.
        schema: the schema name whose records this matcher accepts (``None``: any).

    The settings, their checks and their plain-data form (`to_dict`, `from_dict`) come
    from `MatchSettings`.

    .. versionadded:: 0.1.0
    """

    @classmethod
    def for_schema(cls, schema: Any, **overrides: Any) -> Matcher:
        """
        The default matcher for a schema: its ``matching`` section, else from field types.

        Raises:
            SchemaError: nothing in the schema can be compared by default.
        """
        return settings_for_schema(cls, schema, **overrides)

    # -- the batch road, step by step -----------------------------------------------------

    def count_pairs(self, prepared: Prepared) -> BlockingReport:
        """
        Candidate pairs per blocking rule, counted without making any.
        """
        return count_pairs(self, _prepared(prepared))

    def candidates(self, prepared: Prepared) -> tuple[Ints, Ints, BlockingReport]:
        """
        The union of every rule's pairs, each pair once, with the per-rule report.

        Raises:
            BlockingError: a rule would make more than ``max_pairs`` pairs (checked before
                any pair is made).
        """
        return candidate_pairs(self, _prepared(prepared))

    def compare(self, prepared: Prepared, left: Ints, right: Ints) -> Levels:
        """
        The level of every pair in every comparison, in chunks of a few million pairs.
        """
        prepared = _prepared(prepared)
        left, right = _pairs(prepared, left, right)
        prepared.memo["compared"] = (left, right)  # so fit_prepared knows the levels' pairs
        return compare_pairs(self, prepared, left, right)

    def fit(self, data: object, *, ids: Sequence[str] | None = None) -> Matcher:
        """
        Estimate a Fellegi-Sunter model from *data*, without labels.

        u comes from random pairs, m and the prior from EM on the blocked pairs, term
        frequencies from the values. Returns a new matcher holding the model.

        Raises:
            BlockingError: a blocking rule explodes.
        """
        with collector_paused():  # as in `dedupe`: no cycles to find among the batch
            prepared = self.prepared(data, ids=ids)
            left, right, _ = self.candidates(prepared)
            levels = self.compare(prepared, left, right)
            return self.fit_prepared(prepared, levels)

    def fit_prepared(
        self, prepared: Prepared, levels: Levels, random_levels: Levels | None = None
    ) -> Matcher:
        """
        `fit` on data already prepared and compared (so `dedupe` does that work once).

        *random_levels* are the levels of the random pairs that estimate u, when the
        caller compared them already (`u_sample` draws them).
        """
        prepared = _prepared(prepared)
        levels = self._levels(levels, None, "levels")
        if random_levels is not None:
            random_levels = self._levels(random_levels, None, "random_levels")
        return attrs.evolve(self, model=fit_model(self, prepared, levels, random_levels))

    def u_sample(self, prepared: Prepared) -> tuple[Ints, Ints]:
        """
        The random pairs `fit` compares to estimate u.
        """
        return u_sample(self, _prepared(prepared))

    def score(self, prepared: Prepared, left: Ints, right: Ints, levels: Levels) -> Scored:
        """
        Match weights and verdicts for compared pairs.

        Raises:
            RecordkitError: the matcher has not been fitted.
        """
        prepared = _prepared(prepared)
        left, right = _pairs(prepared, left, right)
        levels = self._levels(levels, len(left), "levels")
        return score_pairs(self, self.fitted(), prepared, left, right, levels)

    def explain(self, left: object, right: object) -> MatchExplanation:
        """
        Compare two records (mappings or `Record` values) and explain the score.
        """
        prepared = self.prepared([left, right], default_ids="record ")
        a, b = np.array([0], np.int64), np.array([1], np.int64)
        levels = self.compare(prepared, a, b)
        scored = self.score(prepared, a, b, levels)
        return self.explain_scored(prepared, scored, 0)

    def explain_scored(self, prepared: Prepared, scored: Scored, k: int) -> MatchExplanation:
        """
        The explanation of pair *k* of *scored*.
        """
        prepared = _prepared(prepared)
        if not isinstance(scored, Scored):
            raise RecordkitError(f"scored must be a Scored (from score), got {shorten(scored)}")
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < len(scored.left):
            raise RecordkitError(
                f"k must be a pair number in [0, {len(scored.left)}), got {shorten(k)}"
            )
        return explain_scored(self, self.fitted(), prepared, scored, k)

    # -- whole runs -----------------------------------------------------------------------

    def dedupe(
        self,
        data: object,
        *,
        ids: Sequence[str] | None = None,
        previous: Mapping[str, str] | None = None,
        never: Iterable[tuple[str, str]] | None = None,
    ) -> MatchResult:
        """
        Cluster the duplicates within *data*; fits the model first when there is none.

        Args:
            data: columns (mapping of name → values), rows (mappings), `Record` values,
                or a table (a pandas or polars DataFrame, an Arrow table; a missing cell
                is blank).
            ids: record ids (default: records' ids, an ``id`` column, or positions).
            previous: record id → entity id from an earlier run; ids are kept where they can.
            never: pairs of record ids a person said are not the same (rejected reviews):
                never linked, whatever their score.

        Raises:
            BlockingError: a blocking rule would make more than ``max_pairs`` pairs.
            RecordkitError: *never* is not a list of pairs of ids.

        .. versionchanged:: 0.2.0 *never*.
        """
        return self._result(dedupe(self, data, ids=ids, previous=previous, never=never))

    def evaluate(
        self,
        data: object,
        truth: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        ids: Sequence[str] | None = None,
        thresholds: Sequence[float] | None = None,
    ) -> Evaluation:
        """
        Dedupe *data* and measure the result against *truth* (see `MatchResult.evaluate`).

        Args:
            data: as for `dedupe`.
            truth: record id → true entity label, or ``(id, label)`` pairs; records
                without a label are left out of the figures.
            ids: record ids, as for `dedupe`.
            thresholds: where to draw the curve (match probabilities for a
                Fellegi-Sunter model, points for `WeightedRules`; default: a fixed grid).

        Raises:
            RecordkitError: *truth* is empty, names an unknown record or holds a label
                that is not text; *thresholds* are not numbers.

        .. versionadded:: 0.2.0
        """
        return self.dedupe(data, ids=ids).evaluate(truth, thresholds=thresholds)

    def link(
        self,
        left: object,
        right: object,
        *,
        left_ids: Sequence[str] | None = None,
        right_ids: Sequence[str] | None = None,
        previous: Mapping[str, str] | None = None,
    ) -> MatchResult:
        """
        Link two datasets into clusters, comparing only pairs across them.
        """
        run = link(self, left, right, left_ids=left_ids, right_ids=right_ids, previous=previous)
        return self._result(run)

    def _levels(self, value: object, n: int | None, name: str) -> Levels:
        if not isinstance(value, Mapping):
            raise RecordkitError(
                f"{name} must map comparison names to levels, got {shorten(value)}"
            )
        for c in self.comparisons:
            got = value.get(c.name)
            if not isinstance(got, np.ndarray) or got.ndim != 1 or got.dtype.kind not in "iu":
                raise RecordkitError(
                    f"{name}[{c.name!r}] must be an array of levels (from compare)"
                )
            if n is not None and len(got) != n:
                raise RecordkitError(f"{name}[{c.name!r}] has {len(got)} levels for {n} pairs")
        return dict(value)

    def _result(self, run: BatchRun) -> MatchResult:
        fitted = self if run.model is self.model else attrs.evolve(self, model=run.model)
        return MatchResult(fitted, run.assignment, run.report, run.prepared, run.scored)


def _prepared(value: object) -> Prepared:
    if not isinstance(value, Prepared):
        raise RecordkitError(f"prepared must be a Prepared (from prepared), got {shorten(value)}")
    return value


def _pairs(prepared: Prepared, left: object, right: object) -> tuple[Ints, Ints]:
    """
    *left* and *right*, checked to be row numbers of *prepared*, one of each per pair.
    """
    out = []
    for name, side in (("left", left), ("right", right)):
        if not isinstance(side, np.ndarray) or side.ndim != 1 or side.dtype.kind not in "iu":
            raise RecordkitError(f"{name} must be an array of row numbers, got {shorten(side)}")
        if len(side) and (int(side.min()) < 0 or int(side.max()) >= len(prepared)):
            raise RecordkitError(f"{name} holds row numbers outside [0, {len(prepared)})")
        out.append(side.astype(np.int64, copy=False))
    if len(out[0]) != len(out[1]):
        raise RecordkitError(f"left has {len(out[0])} rows, right {len(out[1])}")
    return out[0], out[1]


@attrs.frozen(eq=False, repr=False)
class MatchResult:
    """
    The outcome of a batch run: clusters with entity ids, the scored pairs, the report.

    In a notebook it shows its counts, the largest clusters and the blocking report;
    `to_pandas`, `to_polars` and `to_arrow` give the clusters (one row per record, with
    its entity id) or the compared pairs (with their match weights) as a table.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Renders in a notebook; converts to tables.
    """

    matcher: Matcher
    assignment: Assignment
    report: BlockingReport
    prepared: Prepared = attrs.field(repr=False)
    scored: Scored = attrs.field(repr=False)

    def __repr__(self) -> str:
        return result_repr(self.assignment, len(self.prepared.ids), self.scored)

    def _repr_html_(self) -> str:
        return result_html(self.assignment, len(self.prepared.ids), self.scored, self.report)

    def _table(self, part: object) -> dict[str, list[object]]:
        weighted = isinstance(self.matcher.model, WeightedRules)
        return result_columns(part, self.prepared.ids, self.assignment, self.scored, weighted)

    def to_pandas(self, *, part: str = "clusters") -> pandas.DataFrame:
        """
        The clusters or the compared pairs as a pandas DataFrame.

        Examples:
            >>> import recordkit as rk
            >>> m = rk.Matcher.for_schema(rk.bundled_schema("contact"))
            >>> ada = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
            >>> result = m.dedupe([ada, dict(ada), {**ada, "email": "bob@example.com",
            ...                                     "first_name": "Bob"}])
            >>> result.to_pandas()["cluster_size"].tolist()
            [2, 2, 1]

        Args:
            part: ``clusters`` (one row per record, in the data's order: ``record_id``,
                ``entity_id``, ``cluster_size``; assign ``entity_id`` to the data's own
                table to group it) or ``pairs`` (one row per compared pair: ``left_id``,
                ``right_id``, ``match_weight``, ``match_probability`` (empty for weighted
                rules), ``is_match``, ``decided_by`` (a ``must_match`` or
                ``never_match`` rule, or empty)).

        Raises:
            RecordkitError: *part* is neither, or pandas is not installed (the ``pandas``
                extra).

        .. versionadded:: 0.2.0
        """
        return pandas_frame(self._table(part), "MatchResult.to_pandas")

    def to_polars(self, *, part: str = "clusters") -> polars.DataFrame:
        """
        The clusters or the compared pairs as a polars DataFrame (see `to_pandas`).

        Raises:
            RecordkitError: *part* is not a part, or polars is not installed (the
                ``polars`` extra).

        .. versionadded:: 0.2.0
        """
        return polars_frame(self._table(part), "MatchResult.to_polars")

    def to_arrow(self, *, part: str = "clusters") -> pyarrow.Table:
        """
        The clusters or the compared pairs as an Arrow table (see `to_pandas`).

        Raises:
            RecordkitError: *part* is not a part, or pyarrow is not installed (the
                ``arrow`` extra).

        .. versionadded:: 0.2.0
        """
        return arrow_table(self._table(part), "MatchResult.to_arrow")

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        """
        The clusters, each with its entity id.
        """
        return self.assignment.clusters

    @property
    def entity_of(self) -> dict[str, str]:
        """
        Record id → entity id.
        """
        return self.assignment.entity_of

    def links(self) -> list[tuple[str, str, float]]:
        """
        The matching pairs ``(id, id, match weight)``, strongest first.
        """
        ids = self.prepared.ids
        k = np.flatnonzero(self.scored.match)
        k = k[np.argsort(-self.scored.weight[k], kind="stable")]
        return [
            (
                ids[int(self.scored.left[i])],
                ids[int(self.scored.right[i])],
                float(self.scored.weight[i]),
            )
            for i in k
        ]

    def evaluate(
        self,
        truth: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        thresholds: Sequence[float] | None = None,
    ) -> Evaluation:
        """
        Precision, recall and F1 of these clusters and links against *truth*, with a curve.

        Pairs of labelled records are counted: the clusters' figures from the pairs that
        share a cluster, the links' from the pairs scored at or above the threshold, and
        the curve re-counts the links at each of *thresholds*. A pair blocking never
        compared counts as missed at every threshold. For a linkage, only pairs across
        the two datasets count.

        Args:
            truth: record id → true entity label, or ``(id, label)`` pairs; records
                without a label are left out of the figures.
            thresholds: where to draw the curve (match probabilities for a
                Fellegi-Sunter model, points for `WeightedRules`; default: a fixed grid
                of probabilities, or up to 20 of the scores for points).

        Raises:
            RecordkitError: *truth* is empty, names a record not in this result, or
                holds a label that is not text; *thresholds* are not numbers
                (probabilities in [0, 1] for a Fellegi-Sunter model).

        .. versionadded:: 0.2.0
        """
        return evaluate_run(
            self.prepared.ids,
            self.prepared.source,
            self.scored,
            self.assignment,
            self.matcher.fitted(),
            self.matcher.threshold,
            truth,
            thresholds,
        )

    def explain(self, left_id: str, right_id: str) -> MatchExplanation:
        """
        Why records *left_id* and *right_id* scored what they did.

        Raises:
            RecordkitError: an id is not in this result.
        """
        pos = {rid: i for i, rid in enumerate(self.prepared.ids)}
        for rid in (left_id, right_id):
            if rid not in pos:
                raise RecordkitError(f"no record {shorten(rid)} in this result")
        a, b = sorted((pos[left_id], pos[right_id]))
        hit = np.flatnonzero((self.scored.left == a) & (self.scored.right == b))
        if len(hit):
            return self.matcher.explain_scored(self.prepared, self.scored, int(hit[0]))
        ia, ib = np.array([a], np.int64), np.array([b], np.int64)
        levels = self.matcher.compare(self.prepared, ia, ib)
        scored = self.matcher.score(self.prepared, ia, ib, levels)
        return self.matcher.explain_scored(self.prepared, scored, 0)
