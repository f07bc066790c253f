"""Evaluation against the truth: counts, the threshold curve, linkage, and bad input."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit import RecordkitError
from recordkit.match import (
    CurvePoint,
    Evaluation,
    Matcher,
    MatchResult,
    PairCounts,
    WeightedRules,
    block_on,
    email_comparison,
    name_comparison,
)
from tests.match.strategies import rules_matcher
from tests.strategies import people

# Four records: ann twice (the same email), bo twice (emails differ: never linked), and
# cy, who shares ann's last name but not her email.
ROWS = [
    {"email": "ann@x.com", "last_name": "Li"},
    {"email": "ANN@x.com", "last_name": "Li"},
    {"email": "bo@x.com", "last_name": "Wu"},
    {"email": "bob@y.com", "last_name": "Wu"},
    {"email": "cy@x.com", "last_name": "Li"},
]
IDS = ["a1", "a2", "b1", "b2", "c1"]
TRUTH = {"a1": "ann", "a2": "ann", "b1": "bo", "b2": "bo", "c1": "cy"}


def _matcher(**options: Any) -> Matcher:
    settings: dict[str, Any] = {
        "blocking": [block_on("last_name")],
        "prepare": {"email": "email", "last_name": "name"},
        "model": WeightedRules({"email": {"exact": 5}, "last_name": {"exact": 1}}),
        "threshold": 5,
        **options,
    }
    return Matcher([email_comparison("email"), name_comparison("last_name")], **settings)


def _fitted() -> Matcher:
    """A Fellegi-Sunter matcher fitted on three copies of the rows."""
    m = _matcher(model=None, threshold=0.9)
    return m.fit(ROWS * 3, ids=[f"{i}-{k}" for k in range(3) for i in IDS])


def _result(**options: Any) -> MatchResult:
    return _matcher(**options).dedupe(ROWS, ids=IDS)


class TestCounts:
    def test_counts_pairs_of_the_clusters_and_links(self) -> None:
        """Ann's pair is found, Bo's missed, and nothing is wrongly joined."""
        e = _result().evaluate(TRUTH)
        assert (PairCounts(1, 0, 1), PairCounts(1, 0, 1), 2, 5) == (
            e.clusters,
            e.links,
            e.true_pairs,
            e.labelled,
        )
        assert (1.0, 0.5, round(2 / 3, 9)) == (e.precision, e.recall, round(e.f1, 9))

    def test_a_wrong_join_is_a_false_positive(self) -> None:
        """Joining on the last name alone puts ann and cy together: two wrong pairs."""
        e = _matcher(threshold=1).evaluate(ROWS, TRUTH, ids=IDS)
        # clusters {a1, a2, c1} and {b1, b2}: right a1-a2 and b1-b2; wrong a1-c1, a2-c1
        assert (2, 2, 0) == (e.true_positives, e.false_positives, e.false_negatives)

    def test_truth_as_pairs_is_the_same_as_a_mapping(self) -> None:
        """Truth given as (id, label) pairs counts as the same mapping does."""
        result = _result()
        assert result.evaluate(TRUTH) == result.evaluate(list(TRUTH.items()))

    def test_unlabelled_records_are_left_out(self) -> None:
        """Pairs that touch a record without a label count neither way."""
        e = _result().evaluate({"a1": "ann", "a2": "ann", "c1": "cy"})
        assert (PairCounts(1, 0, 0), 1, 3) == (e.clusters, e.true_pairs, e.labelled)

    def test_repr_is_short(self) -> None:
        """The repr gives the figures on one line."""
        assert (
            "Evaluation(precision=1.000, recall=0.500, f1=0.667, 2 true pairs, 2 thresholds)"
            == repr(_result().evaluate(TRUTH))
        )

    def test_linkage_counts_only_pairs_across_the_datasets(self) -> None:
        """In a linkage, two records of one side are never a pair to find."""
        left = [ROWS[0], ROWS[1]]
        right = [{"email": "ann@x.com", "last_name": "Li"}]
        result = _matcher().link(left, right, left_ids=["a1", "a2"], right_ids=["r1"])
        e = result.evaluate({"a1": "ann", "a2": "ann", "r1": "ann"})
        assert (2, PairCounts(2, 0, 0)) == (e.true_pairs, e.clusters)


class TestCurve:
    def test_the_curve_counts_links_at_each_threshold(self) -> None:
        """At 1 point every blocked pair links; at 5 only the same email; at 7 nothing."""
        e = _result().evaluate(TRUTH, thresholds=[7, 1, 5])
        # blocked pairs: a1-a2 (6 points), a1-c1 and a2-c1 (1), b1-b2 (1)
        assert (
            CurvePoint(1.0, 0.5, 1.0, 2 * 0.5 * 1.0 / 1.5),
            CurvePoint(5.0, 1.0, 0.5, 2 * 1.0 * 0.5 / 1.5),
            CurvePoint(7.0, 1.0, 0.0, 0.0),
        ) == e.curve

    def test_the_best_threshold_has_the_highest_f1(self) -> None:
        """best_threshold is the point of highest F1, the higher threshold on ties."""
        e = _result().evaluate(TRUTH, thresholds=[7, 1, 5])
        assert 5.0 == e.best_threshold().threshold

    def test_a_pair_never_blocked_is_missed_at_every_threshold(self) -> None:
        """A true pair blocking never compared keeps recall below 1 even at threshold 0."""
        m = _matcher(blocking=[block_on("email")])
        e = m.dedupe(ROWS, ids=IDS).evaluate({"a1": "x", "c1": "x"}, thresholds=[0.0])
        assert (0.0, 1) == (e.curve[0].recall, e.true_pairs)

    def test_a_fellegi_sunter_curve_is_over_probabilities(self) -> None:
        """A fitted model's default curve runs over match probabilities, below 1."""
        e = _fitted().dedupe(ROWS, ids=IDS).evaluate(TRUTH)
        assert all(0.0 < p.threshold < 1.0 for p in e.curve)
        assert 0.9 in [p.threshold for p in e.curve]

    @settings(max_examples=25, deadline=None)
    @given(people(), st.data())
    def test_figures_match_a_pair_by_pair_count(
        self, rows: list[dict[str, Any]], data: Any
    ) -> None:
        """Cluster counts, link counts and the curve agree with counting pair by pair."""
        ids = [r["id"] for r in rows]
        labels = data.draw(st.lists(st.sampled_from("xyz"), min_size=len(ids), max_size=len(ids)))
        truth = dict(zip(ids, labels, strict=True))
        result = rules_matcher().dedupe(rows, ids=ids)
        e = result.evaluate(truth, thresholds=[-5, 0, 9, 12, 20])
        true = {(a, b) for a, b in itertools.combinations(sorted(ids), 2) if truth[a] == truth[b]}
        found = result.assignment.pairs()
        links = {(min(a, b), max(a, b)) for a, b, _ in result.links()}
        assert (len(found & true), len(found - true), len(true - found)) == (
            e.true_positives,
            e.false_positives,
            e.false_negatives,
        )
        assert (len(links & true), len(links - true)) == (
            e.links.true_positives,
            e.links.false_positives,
        )
        at_threshold = next(p for p in e.curve if p.threshold == 9)
        assert (e.links.precision, e.links.recall) == (
            at_threshold.precision,
            at_threshold.recall,
        )
        recalls = [p.recall for p in e.curve]
        assert sorted(recalls, reverse=True) == recalls


class TestBadInput:
    @pytest.mark.parametrize(
        ("truth", "message"),
        [
            pytest.param({}, "truth is empty", id="empty"),
            pytest.param([], "truth is empty", id="empty-pairs"),
            pytest.param({"zz": "x"}, "record 'zz'", id="unknown-id"),
            pytest.param({"a1": 7}, "text label", id="number-label"),
            pytest.param({"a1": None}, "text label", id="no-label"),
            pytest.param({1: "x"}, "ids must be text", id="number-id"),
            pytest.param(["a1"], r"\(id, label\) pairs", id="not-pairs"),
            pytest.param([("a1", "x"), ("a1", "y")], "two labels", id="two-labels"),
            pytest.param("a1", "truth must be a list", id="one-string"),
            pytest.param(42, "truth must be a list", id="number"),
        ],
    )
    def test_bad_truth_is_refused(self, truth: object, message: str) -> None:
        """Truth that is empty, names unknown records or holds non-text labels is refused."""
        with pytest.raises(RecordkitError, match=message):
            _result().evaluate(truth)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("thresholds", "message"),
        [
            pytest.param([], "thresholds is empty", id="empty"),
            pytest.param(["0.5"], "must be a number", id="text"),
            pytest.param([True], "must be a number", id="bool"),
            pytest.param([float("nan")], "finite", id="nan"),
            pytest.param(0.5, "must be a list", id="one-number"),
        ],
    )
    def test_bad_thresholds_are_refused(self, thresholds: object, message: str) -> None:
        """Thresholds that are not a list of finite numbers are refused."""
        with pytest.raises(RecordkitError, match=message):
            _result().evaluate(TRUTH, thresholds=thresholds)  # type: ignore[arg-type]

    def test_probabilities_above_one_are_refused_for_a_fitted_model(self) -> None:
        """A Fellegi-Sunter curve is over probabilities: 5 is no threshold there."""
        with pytest.raises(RecordkitError, match=r"probabilities in \[0, 1\]"):
            _fitted().dedupe(ROWS, ids=IDS).evaluate(TRUTH, thresholds=[5])

    def test_an_empty_curve_has_no_best_threshold(self) -> None:
        """best_threshold on an evaluation without a curve says so."""
        e = Evaluation(PairCounts(0, 0, 0), PairCounts(0, 0, 0), (), 0.9, 0, 0)
        with pytest.raises(RecordkitError, match="no curve"):
            e.best_threshold()
