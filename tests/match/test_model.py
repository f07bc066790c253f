"""Scoring models: EM without labels, term frequencies, weighted and deterministic rules."""

from __future__ import annotations

import json
from collections import Counter
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit import SchemaError
from recordkit.match import FellegiSunter, MatchRule, WeightedRules
from recordkit.match._estimate import em, random_pairs, tf_table, u_from_levels
from recordkit.match._factored import Factored


class TestEM:
    def test_recovers_known_parameters(self) -> None:
        """EM without labels recovers the prior and m probabilities that generated the levels."""
        rng = np.random.default_rng(3)
        n_match, n_non = 3_000, 30_000
        m_true = {"a": [0.0, 0.8, 0.15, 0.05], "b": [0.0, 0.7, 0.3]}
        u_true = {"a": [1.0, 0.01, 0.04, 0.95], "b": [1.0, 0.05, 0.95]}
        levels = []
        for name in ("a", "b"):
            m = np.array(m_true[name][1:])
            u = np.array(u_true[name][1:])
            lv = np.r_[rng.choice(len(m), n_match, p=m), rng.choice(len(u), n_non, p=u)] + 1
            levels.append(lv.astype(np.int8))
        result = em(levels, ["a", "b"], {k: tuple(v) for k, v in u_true.items()})
        assert abs(result.prior - n_match / (n_match + n_non)) < 0.02
        assert np.allclose(m_true["a"][1:], result.m["a"][1:], atol=0.03)
        assert np.allclose(m_true["b"][1:], result.m["b"][1:], atol=0.03)

    def test_no_pairs_gives_the_starting_point(self) -> None:
        """With no pairs, EM runs no iteration and returns a full-length starting point."""
        result = em([np.zeros(0, np.int8)], ["a"], {"a": (1.0, 0.1, 0.9)})
        assert (0, 3) == (result.iterations, len(result.m["a"]))


class TestU:
    def test_levels_counted_missing_excluded_and_smoothed(self) -> None:
        """u counts each level's share of the pairs, leaving out the missing level."""
        u = u_from_levels(np.array([0, 0, 1, 2, 2, 2], np.int8), 3, smoothing=0.0)
        assert (1.0, 0.25, 0.75) == u

    def test_random_pairs_never_pair_a_record_with_itself(self) -> None:
        """Random pairs are distinct ordered pairs, never a record with itself."""
        a, b = random_pairs(5, 1000, seed=1)
        assert (True, 10) == (bool((a < b).all()), len(a))


class TestFellegiSunter:
    MODEL = FellegiSunter(
        0.001,
        {"email": (1.0, 0.9, 0.1)},
        {"email": (1.0, 0.001, 0.999)},
        tf={"email": {"info@acme.com": 0.05}},
        tf_floor={"email": 0.0001},
    )

    def test_weights_are_log2_m_over_u(self) -> None:
        """A level's weight is log2(m/u), and the missing level weighs nothing."""
        w = self.MODEL.weights("email")
        assert np.allclose([0.0, np.log2(900), np.log2(0.1 / 0.999)], w)

    def test_common_values_weigh_less_rare_ones_more(self) -> None:
        """Term frequencies lower the weight of a common value and raise that of a rare one."""
        freq = self.MODEL.frequency("email", ["info@acme.com", "rare@x.org"])
        adj = self.MODEL.tf_adjustment("email", freq)
        assert (True, True) == (bool(adj[0] < 0), bool(adj[1] > 0))

    def test_round_trips_through_json(self) -> None:
        """A model survives to_dict, JSON and from_dict unchanged."""
        data = json.loads(json.dumps(self.MODEL.to_dict()))
        assert self.MODEL.to_dict() == FellegiSunter.from_dict(data).to_dict()

    @given(
        u=st.floats(1e-9, 0.999),
        table=st.dictionaries(st.text(max_size=3), st.floats(0.0, 1.0), max_size=6),
        floor=st.floats(0.0, 0.01),
        values=st.lists(st.one_of(st.text(max_size=3), st.none(), st.integers()), max_size=12),
    )
    def test_one_values_adjustment_is_the_arrays_bit_for_bit(
        self, u: float, table: dict[str, float], floor: float, values: list[object]
    ) -> None:
        """`tf_adjustment_of` gives exactly what `tf_adjustment` gives for the same value."""
        model = FellegiSunter(
            0.01, {"a": (1.0, 0.9, 0.1)}, {"a": (1.0, u, 1.0 - u)}, tf={"a": table},
            tf_floor={"a": floor},
        )  # fmt: skip
        arrays = model.tf_adjustment("a", model.frequency("a", values))
        assert [model.tf_adjustment_of("a", v) for v in values] == arrays.tolist()
        assert [model.tf_adjustment_of("a", v) for v in values] == arrays.tolist()  # remembered

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param({"prior": 2.0, "m": {}, "u": {}}, id="prior-out-of-range"),
            pytest.param({"prior": 0.1, "m": {"a": [1, 0.5]}, "u": {}}, id="u-missing"),
            pytest.param({"m": {}}, id="no-prior"),
        ],
    )
    def test_bad_models(self, data: dict[str, object]) -> None:
        """A prior out of range, a missing u or a missing prior is a SchemaError."""
        with pytest.raises(SchemaError):
            FellegiSunter.from_dict(data)


class TestTfTable:
    def test_only_repeated_values_are_listed(self) -> None:
        """
        The table lists repeated text values with their shares, and the share of any other value.
        """
        assert ({"a": 0.5}, 0.25) == tf_table(["a", "a", "b", "c", None, "", 7])

    @given(st.lists(st.sampled_from(["Ann", "ann", "ANN", "Bob", "bob", "Cy", "", None, 7])))
    def test_a_factored_column_counts_as_its_rows(self, raw: list[object]) -> None:
        """A factored column gives the table its rows give."""
        def fold(v: object) -> object:
            return v.lower() if isinstance(v, str) else v

        texts = [v for v in map(fold, raw) if isinstance(v, str) and v]
        counts = Counter(texts)
        expected: tuple[dict[str, object], object] = (
            {v: pytest.approx(c / len(texts)) for v, c in counts.items() if c > 1},
            pytest.approx(1 / len(texts)) if texts else 0.0,
        )
        assert expected == tf_table(Factored.of(raw).map(fold))


class TestWeightedRules:
    def test_points_by_label(self) -> None:
        """Weighted rules give each level its points by label, and unnamed levels none."""
        table = WeightedRules({"email": {"exact": 10}}).table("email", ["missing", "exact", "x"])
        assert [0.0, 10.0, 0.0] == table.tolist()

    def test_unknown_label_is_named(self) -> None:
        """A level label the comparison does not have is named in the error."""
        with pytest.raises(SchemaError, match="level 'exactly'"):
            WeightedRules({"email": {"exactly": 10}}).table("email", ["missing", "exact"])


class TestMatchRule:
    LABELS: ClassVar[dict[str, tuple[str, ...]]] = {
        "email": ("missing", "exact", "different"),
        "phone": ("missing", "exact", "x"),
    }

    def test_all_conditions_must_hold(self) -> None:
        """A match rule matches the pairs that meet every one of its conditions."""
        levels = {"email": np.array([1, 1, 2], np.int8), "phone": np.array([1, 2, 1], np.int8)}
        rule = MatchRule({"email": "exact", "phone": ["exact"]})
        assert [True, False, False] == rule.mask(levels, self.LABELS).tolist()

    @pytest.mark.parametrize(
        "when",
        [
            pytest.param({"mail": "exact"}, id="comparison"),
            pytest.param({"email": "close"}, id="level"),
        ],
    )
    def test_unknown_names_are_schema_errors(self, when: dict[str, str]) -> None:
        """A rule naming an unknown comparison or level is a SchemaError."""
        with pytest.raises(SchemaError):
            MatchRule(when).mask({"email": np.zeros(1, np.int8)}, self.LABELS)
