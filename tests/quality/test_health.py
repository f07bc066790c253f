"""Record health: the model's arithmetic, the shipped dimensions, weights and rescoring."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from recordkit import Email, Field, Provenance, Record, Schema, Text
from recordkit.quality import (
    CompletenessDimension,
    ConsentDimension,
    FreshnessDimension,
    HealthInputs,
    HealthModel,
    HealthScore,
    Measured,
    QualityError,
    UniquenessDimension,
    ValidityDimension,
    health_dimension,
)
from recordkit.quality._health import apportion
from recordkit.rules import Issue, Severity

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
SCHEMA = Schema(
    "person",
    [
        Field("name", Text(), required=True),
        Field("email", Email(), tags={"recommended"}),
        Field("city", Text(), tags={"recommended"}),
        Field("note", Text()),
    ],
)


def record(rid: str, *, seen: dt.datetime = NOW, **values: object) -> Record:
    prov = {k: Provenance("crm", seen, v) for k, v in values.items()}
    return Record(rid, "person", values, provenance=prov, created_at=seen)


def inputs(*records: Record, **overrides: object) -> HealthInputs:
    n = len(records)
    fields: dict[str, object] = {
        "issues": [[] for _ in range(n)],
        "duplicates": [0] * n,
        "consents": [{} for _ in range(n)],
    }
    fields.update(overrides)
    return HealthInputs(SCHEMA, records, now=NOW, **fields)  # type: ignore[arg-type]


measure_matrix = st.integers(1, 30).flatmap(
    lambda n: st.integers(1, 6).flatmap(
        lambda d: st.tuples(
            hnp.arrays(
                float,
                (n, d),
                elements=st.one_of(st.floats(0, 1), st.just(math.nan)),
            ),
            hnp.arrays(float, (d,), elements=st.floats(0, 1000)),
        )
    )
)


class TestApportion:
    @given(measure_matrix)
    def test_points_add_up_to_the_score_exactly(
        self,
        case: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """Whatever the measures and weights, each row's whole points sum to its score."""
        measures, weights = case
        totals, points = apportion(measures, weights)
        assert totals.tolist() == points.sum(axis=1).tolist()
        assert ((0 <= totals) & (totals <= 100)).all()
        assert (points >= 0).all()
        assert (points[np.isnan(measures)] == 0).all()

    @given(measure_matrix)
    def test_points_are_within_one_of_their_exact_share(
        self,
        case: tuple[np.ndarray, np.ndarray],
    ) -> None:
        """Largest remainder moves no dimension by a whole point or more from its share."""
        measures, weights = case
        _, points = apportion(measures, weights)
        w = np.where(np.isnan(measures), 0.0, weights)
        total = w.sum(axis=1, keepdims=True)
        exact = np.divide(
            100 * w * np.nan_to_num(measures), total, out=np.zeros_like(w), where=total > 0
        )
        assert (np.abs(points - exact) < 1 + 1e-6).all()

    def test_a_record_no_dimension_applies_to_scores_0(self) -> None:
        """With every measure NaN there is nothing to score: 0, no points."""
        totals, points = apportion(np.array([[math.nan, math.nan]]), np.array([1.0, 1.0]))
        assert [0] == totals.tolist()
        assert [[0, 0]] == points.tolist()


class TestHealthModel:
    @pytest.mark.parametrize(
        "weights",
        [
            pytest.param({"validity": -1}, id="negative"),
            pytest.param({"validity": math.nan}, id="nan"),
            pytest.param({"validity": math.inf}, id="infinite"),
            pytest.param({"validity": True}, id="bool"),
            pytest.param({"validity": "1"}, id="text"),
            pytest.param({"nope": 1}, id="unknown"),
            pytest.param(
                dict.fromkeys(HealthModel().weights, 0),
                id="all-zero",
            ),
            pytest.param([1, 2], id="not-a-mapping"),
        ],
    )
    def test_weights_that_do_not_make_sense_are_refused(self, weights: object) -> None:
        """Negative, NaN, infinite, non-numeric, unknown or all-zero weights: QualityError."""
        with pytest.raises(QualityError) as caught:
            HealthModel(weights=weights)  # type: ignore[arg-type]
        assert "weights" == caught.value.parameter

    @pytest.mark.parametrize(
        "dimensions",
        [
            pytest.param([], id="none"),
            pytest.param([object()], id="not-a-dimension"),
            pytest.param([ValidityDimension(), ValidityDimension()], id="repeated"),
            pytest.param("validity", id="text"),
        ],
    )
    def test_bad_dimensions_are_refused(self, dimensions: object) -> None:
        """No dimension, a non-dimension, a repeated name: QualityError."""
        with pytest.raises(QualityError):
            HealthModel(dimensions)  # type: ignore[arg-type]

    def test_an_uninstalled_plugin_name_is_a_clear_error(self) -> None:
        """A dimension name no entry point registers says so."""
        with pytest.raises(QualityError, match="no health dimension 'acme'"):
            HealthModel(["acme"])
        with pytest.raises(QualityError):
            health_dimension("acme")

    def test_the_fingerprint_follows_the_weights(self) -> None:
        """Same weights, same fingerprint; other weights, another."""
        assert HealthModel().fingerprint == HealthModel().fingerprint
        assert HealthModel().fingerprint != HealthModel(weights={"validity": 31}).fingerprint

    def test_a_healthy_record_scores_100_and_json_round_trips(self) -> None:
        """Complete, valid, fresh and unique: 100; consent does not apply without purposes."""
        (s,) = HealthModel().score(inputs(record("p1", name="A", email="a@b.co", city="X")))
        assert 100 == s.score
        assert None is s.dimension("consent").measure
        assert s == HealthScore.from_dict(json.loads(json.dumps(s.to_dict())))

    def test_from_dict_refuses_points_that_do_not_add_up(self) -> None:
        """Plain data whose points miss the score is not a health score."""
        (s,) = HealthModel().score(inputs(record("p1", name="A")))
        data = s.to_dict()
        data["score"] = s.score + 1
        with pytest.raises(QualityError):
            HealthScore.from_dict(data)

    def test_a_plugin_dimension_weighs_like_the_others(self) -> None:
        """A custom dimension object takes part, its measures bounded and checked."""

        @attrs.frozen
        class Vip:
            name: str = "vip"
            version: int = 1

            def measure(self, inputs: HealthInputs) -> Measured:
                return Measured([0.5] * len(inputs.records), [{}] * len(inputs.records))

        model = HealthModel(
            [CompletenessDimension(), Vip()], weights={"vip": 30.0, "completeness": 70}
        )
        (s,) = model.score(inputs(record("p1", name="A", email="a@b.co", city="X")))
        assert {"completeness": 70, "vip": 15} == dict(zip(s.names, s.points, strict=True))

        @attrs.frozen
        class Broken(Vip):
            def measure(self, inputs: HealthInputs) -> Measured:
                return Measured([2.0], [{}])

        with pytest.raises(QualityError, match="outside 0-1"):
            HealthModel([Broken()]).score(inputs(record("p1", name="A")))


class TestDimensions:
    def test_completeness_counts_required_twice_and_names_the_missing(self) -> None:
        """Required weighs 2, each recommended 1: name and city present of name/email/city."""
        m = CompletenessDimension().measure(inputs(record("p1", name="A", city="X")))
        assert [0.75] == m.values.tolist()
        assert [{"missing_recommended": ["email"]}] == list(m.details)

    def test_completeness_recommended_by_name(self) -> None:
        """Fields named in ``fields`` are recommended too; unknown names are refused."""
        m = CompletenessDimension(fields=["note"]).measure(inputs(record("p1", name="A")))
        assert [{"missing_recommended": ["email", "city", "note"]}] == list(m.details)
        with pytest.raises(QualityError):
            CompletenessDimension(fields=["nope"]).measure(inputs(record("p1", name="A")))

    def test_validity_costs_by_severity_and_traces_rule_versions(self) -> None:
        """An error and a warning cost 0.7; each is listed as rule@version."""
        issues = [
            Issue(
                field="email", rule="email.valid", code="email.syntax", message="x", rule_version=3
            ),
            Issue(
                field="city", rule="city.known", code="c", message="y", severity=Severity.WARNING
            ),
        ]
        m = ValidityDimension().measure(inputs(record("p1", name="A"), issues=[issues]))
        assert pytest.approx([0.3]) == m.values.tolist()
        listed: Any = m.details[0]["issues"]
        assert ["email.valid@3", "city.known@1"] == [i["rule"] for i in listed]

    def test_freshness_halves_every_half_life(self) -> None:
        """Seen 180 days before now, with a half-life of 180 days: 0.5."""
        old = record("p1", seen=NOW - dt.timedelta(days=180), name="A")
        m = FreshnessDimension().measure(inputs(old))
        assert pytest.approx([0.5]) == m.values.tolist()
        assert 180.0 == m.details[0]["age_days"]

    def test_uniqueness_and_consent(self) -> None:
        """Two open flags: a third; one purpose of two decided: a half, the other named."""
        u = UniquenessDimension().measure(inputs(record("p1", name="A"), duplicates=[2]))
        assert pytest.approx([1 / 3]) == u.values.tolist()
        c = ConsentDimension(purposes=["email", "sms"]).measure(
            inputs(record("p1", name="A"), consents=[{"email": False}])
        )
        assert [0.5] == c.values.tolist()
        assert [{"missing": ["sms"]}] == list(c.details)

    def test_inputs_of_mismatched_lengths_are_refused(self) -> None:
        """One entry per record in every column, or a QualityError."""
        with pytest.raises(QualityError):
            inputs(record("p1", name="A"), duplicates=[])


class TestRescore:
    def test_new_weights_reuse_kept_measures_and_refresh_freshness(self) -> None:
        """Re-weighing gives what scoring afresh gives, freshness measured at the new now."""
        recs = [record("p1", name="A"), record("p2", name="B", email="b@c.co", city="Y")]
        kept = HealthModel().score(inputs(*recs))
        heavier = HealthModel(weights={"freshness": 60})
        later = NOW + dt.timedelta(days=90)
        again, stale = heavier.rescore(kept, now=later)
        fresh = heavier.score(attrs.evolve(inputs(*recs), now=later))
        assert [] == stale
        assert [s.points for s in fresh] == [s.points for s in again]

    def test_scores_of_other_dimensions_are_stale(self) -> None:
        """A score kept by a model with other dimensions cannot be re-weighed."""
        kept = HealthModel([CompletenessDimension()]).score(inputs(record("p1", name="A")))
        again, stale = HealthModel().rescore(kept, now=NOW)
        assert ([], ["p1"]) == (again, stale)
