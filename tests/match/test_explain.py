"""MatchExplanation and WeightTerm: totals, probabilities, text and plain data."""

from __future__ import annotations

import json
import math

import pytest

from recordkit import RecordkitError
from recordkit.match import MatchExplanation, WeightTerm, probability_from_weight


def _example() -> MatchExplanation:
    return MatchExplanation(
        "a",
        "b",
        prior=-10.0,
        terms=(
            WeightTerm("email", "exact", 1, 14.0, m=0.9, u=0.00005, tf_adjustment=1.5),
            WeightTerm("phone", "missing", 0, 0.0),
            WeightTerm("last_name", "different", 3, -3.0, m=0.1, u=0.99),
        ),
    )


class TestMatchExplanation:
    def test_total_is_prior_plus_terms(self) -> None:
        assert 1.0 == _example().total

    def test_probability_follows_the_total(self) -> None:
        assert math.isclose(2 / 3, _example().probability)

    def test_rule_decides_whatever_the_weights(self) -> None:
        e = MatchExplanation("a", "b", prior=-40.0, rule="never_match: email=different")
        assert (0.0, False) == (e.probability, e.is_match(threshold=0.0))

    def test_weights_as_data(self) -> None:
        assert {"email": 14.0, "phone": 0.0, "last_name": -3.0} == _example().weights()

    def test_round_trips_through_json(self) -> None:
        e = _example()
        assert e == MatchExplanation.from_dict(json.loads(json.dumps(e.to_dict())))

    def test_text_names_every_comparison_and_level(self) -> None:
        text = _example().text()
        for part in ("email", "exact", "phone", "missing", "last_name", "different", "prior"):
            assert part in text

    def test_unknown_comparison_is_a_recordkit_error(self) -> None:
        with pytest.raises(RecordkitError, match="no comparison 'zip'"):
            _example().term("zip")

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param({}, id="empty"),
            pytest.param({"left": "a", "right": "b", "terms": [{"level": 1}]}, id="bad-term"),
            pytest.param({"left": "a", "right": "b", "terms": 5}, id="terms-not-a-list"),
        ],
    )
    def test_garbage_is_refused(self, data: dict[str, object]) -> None:
        with pytest.raises(RecordkitError, match="not a match explanation"):
            MatchExplanation.from_dict(data)

    def test_weighted_rules_report_points(self) -> None:
        e = MatchExplanation(
            "a", "b", terms=(WeightTerm("email", "exact", 1, 10.0),), model="weighted_rules"
        )
        assert (True, "a ~ b: +10.00 points") == (
            e.is_match(threshold=10),
            e.text().splitlines()[0],
        )


class TestProbabilityFromWeight:
    @pytest.mark.parametrize(
        ("weight", "expected"),
        [
            pytest.param(0.0, 0.5, id="even"),
            pytest.param(1000.0, 1.0, id="huge"),
            pytest.param(-1000.0, 0.0, id="tiny"),
        ],
    )
    def test_values(self, weight: float, expected: float) -> None:
        assert expected == probability_from_weight(weight)
